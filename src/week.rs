//! Weeks are ISO weeks counted in Vietnam time (UTC+7); stored as yyyyww (2026-W48 → 202648).
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc, Weekday};

/// Vietnam's offset from UTC; the country has no daylight saving time.
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// A moment as people in Vietnam read it: "28/11/2026 14:05".
pub fn local_date_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M").to_string()
}

/// Today's date in Vietnam.
pub fn vietnam_today() -> NaiveDate {
    Utc::now().with_timezone(&vietnam()).date_naive()
}

/// The ISO week, in Vietnam time, that an instant falls in, as yyyyww.
pub fn week_of(at: DateTime<Utc>) -> i32 {
    week_of_date(at.with_timezone(&vietnam()).date_naive())
}

pub fn week_of_date(date: NaiveDate) -> i32 {
    let week = date.iso_week();
    week.year() * 100 + week.week() as i32
}

/// An ISO week as written in URLs and reports: "2026-W48".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct IsoWeek(pub i32);

impl IsoWeek {
    pub fn parse(text: &str) -> Option<IsoWeek> {
        let (year, week) = text.trim().split_once(['-', '_'])?;
        let year: i32 = year.parse().ok()?;
        let week: u32 = week.trim_start_matches(['W', 'w']).parse().ok()?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(IsoWeek(year * 100 + week as i32))
    }

    pub fn year(self) -> i32 {
        self.0 / 100
    }

    pub fn number(self) -> u32 {
        (self.0 % 100) as u32
    }

    /// Monday of the week.
    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year(), self.number(), Weekday::Mon).expect("an IsoWeek is always valid")
    }

    pub fn previous(self) -> IsoWeek {
        IsoWeek(week_of_date(self.monday() - chrono::Duration::days(7)))
    }
}

impl std::fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-W{:02}", self.year(), self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn week_is_counted_in_vietnam_time() {
        // Sunday 2026-11-29 18:00 UTC is Monday 01:00 in Hà Nội: the next ISO week.
        let sunday_evening_utc = Utc.with_ymd_and_hms(2026, 11, 29, 18, 0, 0).unwrap();
        assert_eq!(week_of(sunday_evening_utc), 202649);
        let sunday_noon_utc = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
        assert_eq!(week_of(sunday_noon_utc), 202648);
    }

    #[test]
    fn iso_week_belongs_to_its_iso_year() {
        // 2027-01-01 is a Friday, in week 53 of 2026.
        assert_eq!(week_of_date(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()), 202653);
    }

    #[test]
    fn iso_week_parses_and_prints() {
        let week = IsoWeek::parse("2026-W48").unwrap();
        assert_eq!(week, IsoWeek(202648));
        assert_eq!(week.to_string(), "2026-W48");
        assert_eq!(week.previous().to_string(), "2026-W47");
        assert_eq!(IsoWeek(202601).previous().to_string(), "2025-W52");
        assert_eq!(IsoWeek::parse("2026-W54"), None);
        assert_eq!(IsoWeek::parse("tuần 48"), None);
    }
}
