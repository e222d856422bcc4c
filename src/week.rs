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

/// A date as people write it in Vietnam — dd/mm/yyyy or d/m/yyyy (also with '-' or '.') — or as
/// machines do, yyyy-mm-dd. The one date parser: birth dates, completion dates, founding dates
/// and report periods all read dates through it. The year has four digits.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let iso = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    if iso {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    }
    match text.split(['/', '-', '.']).collect::<Vec<_>>().as_slice() {
        [d, m, y] if y.len() == 4 && (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) => {
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            if !(digits(d) && digits(m) && digits(y)) {
                return None;
            }
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
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

/// The years a week or period may fall in: the campaign's years with room to spare. Anything
/// outside is refused at the boundary, so date arithmetic on a week can never overflow.
pub const YEARS: std::ops::RangeInclusive<i32> = 2020..=2100;

/// An ISO week as written in URLs and reports: "2026-W48".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IsoWeek(pub i32);

impl IsoWeek {
    pub fn parse(text: &str) -> Option<IsoWeek> {
        let (year, week) = text.trim().split_once(['-', '_'])?;
        let year: i32 = year.parse().ok().filter(|y| YEARS.contains(y))?;
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

    /// This week, in Vietnam.
    pub fn current() -> IsoWeek {
        IsoWeek(week_of_date(vietnam_today()))
    }

    /// The week an instant falls in, in Vietnam.
    pub fn of(at: DateTime<Utc>) -> IsoWeek {
        IsoWeek(week_of(at))
    }

    /// The last week that has ended, in Vietnam: what a weekly report shows unless asked otherwise.
    pub fn last_complete() -> IsoWeek {
        IsoWeek::current().previous()
    }

    /// The instant the week ends: the next Monday, 00:00 in Vietnam.
    pub fn end(self) -> DateTime<Utc> {
        let next_monday = self.sunday() + chrono::Duration::days(1);
        let midnight = next_monday.and_time(chrono::NaiveTime::MIN);
        (midnight - chrono::Duration::hours(7)).and_utc()
    }

    /// Sunday of the week.
    pub fn sunday(self) -> NaiveDate {
        self.monday() + chrono::Duration::days(6)
    }

    pub fn previous(self) -> IsoWeek {
        self.monday().checked_sub_days(chrono::Days::new(7)).map_or(self, |d| IsoWeek(week_of_date(d)))
    }

    pub fn next(self) -> IsoWeek {
        self.monday().checked_add_days(chrono::Days::new(7)).map_or(self, |d| IsoWeek(week_of_date(d)))
    }
}

/// A reporting period: whole ISO weeks, first to last (yyyyww). Counters are kept per week, so a
/// month, quarter or year is the weeks whose Thursday falls in it (the ISO rule), and a date range is
/// the weeks of its first and last days; every figure for a period is then exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Period {
    pub first: IsoWeek,
    pub last: IsoWeek,
}

impl Period {
    /// "2026-W48", "2026-11", "2026-Q4" or "2026".
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if let Some(week) = text.contains(['W', 'w']).then(|| IsoWeek::parse(text)).flatten() {
            return Some(Period { first: week, last: week });
        }
        let (year, rest) = text.split_once('-').map_or((text, None), |(y, r)| (y, Some(r)));
        let year: i32 = year.parse().ok().filter(|y| YEARS.contains(y))?;
        let (first_month, last_month) = match rest {
            None => (1, 12),
            Some(q) if q.starts_with(['Q', 'q']) => {
                let q: u32 = q[1..].parse().ok().filter(|q| (1..=4).contains(q))?;
                (q * 3 - 2, q * 3)
            }
            Some(m) => {
                let m: u32 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
                (m, m)
            }
        };
        let start = NaiveDate::from_ymd_opt(year, first_month, 1)?;
        let end = NaiveDate::from_ymd_opt(year + (last_month / 12) as i32, last_month % 12 + 1, 1)?.pred_opt()?;
        // The first and last Thursdays inside the dates.
        let to_thursday = (7 + 3 - start.weekday().num_days_from_monday() as i64) % 7;
        let from_thursday = (7 + end.weekday().num_days_from_monday() as i64 - 3) % 7;
        let first = start + chrono::Duration::days(to_thursday);
        let last = end - chrono::Duration::days(from_thursday);
        (first <= last).then(|| Period { first: IsoWeek(week_of_date(first)), last: IsoWeek(week_of_date(last)) })
    }

    /// The weeks of a date range (yyyy-mm-dd or dd/mm/yyyy), both days included.
    pub fn between(from: NaiveDate, to: NaiveDate) -> Option<Period> {
        let in_range = |d: NaiveDate| YEARS.contains(&d.year());
        (from <= to && in_range(from) && in_range(to))
            .then(|| Period { first: IsoWeek(week_of_date(from)), last: IsoWeek(week_of_date(to)) })
    }

    pub fn contains(self, week: i32) -> bool {
        (self.first.0..=self.last.0).contains(&week)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{} – {}", self.first, self.last)
        }
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
    fn periods_are_whole_iso_weeks() {
        let week = |p: &str| Period::parse(p).map(|p| (p.first.0, p.last.0));
        assert_eq!(week("2026-W48"), Some((202648, 202648)));
        // November 2026: Thursdays 5 to 26 → weeks 45 to 48.
        assert_eq!(week("2026-11"), Some((202645, 202648)));
        // Q4 2026: Thursday 1 October (week 40) to Thursday 31 December (week 53).
        assert_eq!(week("2026-Q4"), Some((202640, 202653)));
        assert_eq!(week("2026"), Some((202601, 202653)));
        assert_eq!(week("2027-01"), Some((202701, 202704)));
        for bad in ["", "2026-13", "2026-Q5", "tuần 48", "1999", "2026-W60"] {
            assert_eq!(week(bad), None, "{bad}");
        }
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            Period::between(d(2026, 11, 1), d(2026, 11, 28)).map(|p| (p.first.0, p.last.0)),
            Some((202644, 202648))
        );
        assert_eq!(Period::between(d(2026, 11, 28), d(2026, 11, 1)), None);
        assert_eq!(Period::parse("2026-11").unwrap().to_string(), "2026-W45 – 2026-W48");
    }

    #[test]
    fn dates_are_read_in_every_vietnamese_form_and_no_other() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        for (text, date) in [
            ("05/03/1990", d(1990, 3, 5)),
            ("5/3/1990", d(1990, 3, 5)),
            ("05-03-1990", d(1990, 3, 5)),
            ("05.03.1990", d(1990, 3, 5)),
            (" 1990-03-05 ", d(1990, 3, 5)),
            ("31/02/1990", None),
            ("1990/03/05", None),
            ("05/03/90", None),
            ("-262143-01-01", None),
            ("+5/3/1990", None),
            ("5/3/+990", None),
            ("", None),
        ] {
            assert_eq!(parse_date(text), date, "{text:?}");
        }
    }

    #[test]
    fn week_is_counted_in_vietnam_time() {
        // Sunday 2026-11-29 18:00 UTC is Monday 01:00 in Hà Nội: the next ISO week.
        let sunday_evening_utc = Utc.with_ymd_and_hms(2026, 11, 29, 18, 0, 0).unwrap();
        assert_eq!(week_of(sunday_evening_utc), 202649);
        let sunday_noon_utc = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
        assert_eq!(week_of(sunday_noon_utc), 202648);
    }

    #[test]
    fn a_week_ends_at_monday_midnight_in_vietnam() {
        assert_eq!(IsoWeek(202648).end(), Utc.with_ymd_and_hms(2026, 11, 29, 17, 0, 0).unwrap());
        assert_eq!(IsoWeek::of(IsoWeek(202648).end()), IsoWeek(202649));
        assert_eq!(IsoWeek::of(IsoWeek(202648).end() - chrono::Duration::seconds(1)), IsoWeek(202648));
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

    #[test]
    fn weeks_and_periods_outside_the_campaign_years_are_refused() {
        for bad in ["-262143-W02", "262143-W02", "2019-W52", "2101-W01"] {
            assert_eq!(IsoWeek::parse(bad), None, "{bad}");
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::parse("2019"), None);
        let far = NaiveDate::from_ymd_opt(-262_143, 1, 1).unwrap();
        assert_eq!(Period::between(far, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), None);
        assert_eq!(Period::between(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::MAX), None);
    }
}
