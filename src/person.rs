//! A person's details, parsed at the boundary (parse, don't validate): once a value of these types
//! exists it is valid, and everything after the form or the spreadsheet takes these types.
//! Each parser answers with a translatable problem (`Text`) when the input is not acceptable.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::i18n::Text;
use crate::text::fold;

/// A full name: NFC, trimmed, inner spaces collapsed, 2–100 characters, letters and a few marks.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FullName(String);

impl FullName {
    pub fn parse(text: &str) -> Result<FullName, Text> {
        let name: String = text.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
        let length = name.chars().count();
        if !(2..=100).contains(&length) {
            return Err(Text::FullNameLength);
        }
        let allowed = |c: char| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'' || c == '.';
        if !name.chars().all(allowed) || !name.chars().any(char::is_alphabetic) {
            return Err(Text::FullNameCharacters);
        }
        Ok(FullName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For search and duplicate detection: "Nguyễn Văn Đức" → "nguyen van duc".
    pub fn folded(&self) -> String {
        fold(&self.0)
    }

    /// The given name (the last word), as a learner's own page greets them.
    pub fn given_name(&self) -> &str {
        self.0.rsplit(' ').next().unwrap_or(&self.0)
    }
}

/// A Vietnamese mobile number, kept as +84 followed by nine digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts 0912 345 678, 0912.345.678, +84 912345678, 84912345678, (+84) 912-345-678.
    pub fn parse(text: &str) -> Result<PhoneNumber, Text> {
        let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
        let national = if let Some(rest) = compact.strip_prefix("+84") {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix("0084") {
            rest.to_string()
        } else if let Some(rest) = compact.strip_prefix('0') {
            rest.to_string()
        } else if compact.len() == 11 && compact.starts_with("84") {
            compact[2..].to_string()
        } else {
            return Err(Text::PhoneInvalid);
        };
        if national.len() != 9 || !national.chars().all(|c| c.is_ascii_digit()) {
            return Err(Text::PhoneInvalid);
        }
        // Mobile prefixes after the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
        let prefix = &national[..2];
        let mobile = matches!(prefix.as_bytes(), [b'3', b'2'..=b'9'] | [b'5', b'2' | b'5' | b'6' | b'8' | b'9'] | [b'7', b'0' | b'6'..=b'9'] | [b'8', b'1'..=b'9'] | [b'9', b'0'..=b'4' | b'6'..=b'9']);
        if !mobile {
            return Err(Text::PhoneNotMobile);
        }
        Ok(PhoneNumber(format!("+84{national}")))
    }

    /// "+84912345678".
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown to those who need not see the number: "09xx xxx 678".
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// A stored +84 number as people dial it: "+84912345678" → "0912 345 678".
pub fn display_phone(stored: &str) -> String {
    match stored.strip_prefix("+84") {
        Some(national) if national.len() == 9 && national.bytes().all(|b| b.is_ascii_digit()) => {
            format!("0{} {} {}", &national[..3], &national[3..6], &national[6..])
        }
        _ => stored.to_string(),
    }
}

/// Masks a stored +84 number for display: "+84912345678" → "09xx xxx 678".
pub fn mask_phone(stored: &str) -> String {
    let national = stored.strip_prefix("+84").unwrap_or(stored);
    let digits: Vec<char> = national.chars().collect();
    if digits.len() < 4 {
        return "xxx".into();
    }
    let last: String = digits[digits.len() - 3..].iter().collect();
    format!("0{}xx xxx {last}", digits[0])
}

/// A birth date, for a learner aged 6 to 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BirthDate(NaiveDate);

impl BirthDate {
    /// Accepts dd/mm/yyyy, d/m/yyyy (also with '-' or '.') and yyyy-mm-dd; `today` in Vietnam time.
    pub fn parse(text: &str, today: NaiveDate) -> Result<BirthDate, Text> {
        let date = crate::week::parse_date(text).ok_or(Text::BirthDateFormat)?;
        let age = age_on(date, today);
        if !(6..=100).contains(&age) {
            return Err(Text::BirthDateAge);
        }
        Ok(BirthDate(date))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }
}

/// Whole years from `born` to `today`.
pub fn age_on(born: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// Gender, from a fixed list; in JSON as stored ("nam", "nu", "khac").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Gender {
    #[serde(rename = "nam")]
    Male,
    #[serde(rename = "nu")]
    Female,
    #[serde(rename = "khac")]
    Other,
}

impl Gender {
    /// Nam/Nữ/Khác or male/female/other, in any case, with or without marks.
    pub fn parse(text: &str) -> Result<Gender, Text> {
        match fold(text).as_str() {
            "nam" | "male" | "m" => Ok(Gender::Male),
            "nu" | "female" | "f" => Ok(Gender::Female),
            "khac" | "other" => Ok(Gender::Other),
            _ => Err(Text::GenderInvalid),
        }
    }

    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "nam",
            Gender::Female => "nu",
            Gender::Other => "khac",
        }
    }

    pub fn text(self) -> Text {
        match self {
            Gender::Male => Text::GenderMale,
            Gender::Female => Text::GenderFemale,
            Gender::Other => Text::GenderOther,
        }
    }
}

/// A citizen ID number (12-digit CCCD, or a 9-digit old ID card), spaces and dots removed; None
/// when blank. Only ever hashed, never stored or shown.
pub fn citizen_id(text: &str) -> Result<Option<String>, Text> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '.').collect();
    match digits.len() {
        0 => Ok(None),
        9 | 12 if digits.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(digits)),
        _ => Err(Text::CitizenIdInvalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn phones_are_shown_as_dialled() {
        assert_eq!(display_phone("+84362000111"), "0362 000 111");
        assert_eq!(display_phone("12345"), "12345");
    }

    #[test]
    fn names_are_normalised_and_bounded() {
        let decomposed: String = "Nguyễn  Văn   Đức ".nfd().collect();
        let name = FullName::parse(&decomposed).unwrap();
        assert_eq!(name.as_str(), "Nguyễn Văn Đức");
        assert_eq!(name.as_str().chars().count(), 14, "composed again (NFC)");
        assert_eq!(name.folded(), "nguyen van duc");
        assert_eq!(name.given_name(), "Đức");
        assert_eq!(FullName::parse("Lò Thị A").unwrap().as_str(), "Lò Thị A");
        assert_eq!(FullName::parse(" A "), Err(Text::FullNameLength));
        assert_eq!(FullName::parse(&"a".repeat(101)), Err(Text::FullNameLength));
        assert_eq!(FullName::parse("Nguyen Van 3"), Err(Text::FullNameCharacters));
        assert_eq!(FullName::parse("=HYPERLINK(x)"), Err(Text::FullNameCharacters));
    }

    #[test]
    fn phones_in_every_common_form_become_plus_84() {
        for form in [
            "0912 345 678",
            "0912345678",
            "+84 912345678",
            "84912345678",
            "(+84) 912-345-678",
            "0912.345.678",
            "0084912345678",
        ] {
            assert_eq!(PhoneNumber::parse(form).unwrap().as_str(), "+84912345678", "{form}");
        }
        assert_eq!(PhoneNumber::parse("0362 000 111").unwrap().as_str(), "+84362000111");
        assert_eq!(PhoneNumber::parse("0243 825 1234"), Err(Text::PhoneInvalid), "11 digits");
        assert_eq!(PhoneNumber::parse("024 3825 123"), Err(Text::PhoneNotMobile), "a Hà Nội landline");
        assert_eq!(PhoneNumber::parse("0912 345 67"), Err(Text::PhoneInvalid));
        assert_eq!(PhoneNumber::parse("0912 345 67a"), Err(Text::PhoneInvalid));
        assert_eq!(PhoneNumber::parse("912345678"), Err(Text::PhoneInvalid), "no national prefix");
        assert_eq!(PhoneNumber::parse(""), Err(Text::PhoneInvalid));
        assert_eq!(PhoneNumber::parse("0112345678"), Err(Text::PhoneNotMobile));
    }

    #[test]
    fn phones_are_masked_for_those_who_need_not_see_them() {
        assert_eq!(PhoneNumber::parse("0912 345 678").unwrap().masked(), "09xx xxx 678");
        assert_eq!(mask_phone("+84362000111"), "03xx xxx 111");
    }

    #[test]
    fn birth_dates_in_three_forms_and_ages_6_to_100() {
        let today = day(2026, 11, 28);
        for form in ["05/03/1990", "5/3/1990", "1990-03-05", "05-03-1990", "5.3.1990"] {
            assert_eq!(BirthDate::parse(form, today).unwrap().date(), day(1990, 3, 5), "{form}");
        }
        assert_eq!(BirthDate::parse("31/02/1990", today), Err(Text::BirthDateFormat));
        assert_eq!(BirthDate::parse("1990/03/05", today), Err(Text::BirthDateFormat));
        assert_eq!(BirthDate::parse("05/03/90", today), Err(Text::BirthDateFormat));
        assert_eq!(BirthDate::parse("hôm qua", today), Err(Text::BirthDateFormat));
        assert_eq!(BirthDate::parse("28/11/2020", today).unwrap().date(), day(2020, 11, 28), "six today");
        assert_eq!(BirthDate::parse("29/11/2020", today), Err(Text::BirthDateAge), "six tomorrow");
        assert_eq!(BirthDate::parse("29/11/1925", today).unwrap().date(), day(1925, 11, 29), "a hundred");
        assert_eq!(BirthDate::parse("28/11/1925", today), Err(Text::BirthDateAge), "a hundred and one");
        assert_eq!(BirthDate::parse("01/01/2030", today), Err(Text::BirthDateAge), "not born yet");
    }

    #[test]
    fn gender_comes_from_a_fixed_list_in_either_language() {
        for (text, gender) in [
            ("Nam", Gender::Male),
            ("nữ", Gender::Female),
            ("NU", Gender::Female),
            ("Khác", Gender::Other),
            ("female", Gender::Female),
            ("male", Gender::Male),
            ("other", Gender::Other),
        ] {
            assert_eq!(Gender::parse(text), Ok(gender), "{text}");
        }
        assert_eq!(Gender::parse("x"), Err(Text::GenderInvalid));
        assert_eq!(Gender::parse(""), Err(Text::GenderInvalid));
    }
}
