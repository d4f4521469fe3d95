//! Unix milliseconds to and from the date forms merchants meet in files: RFC 3339 timestamps
//! (`2026-11-23T15:06:52.123Z`), bare dates, and raw milliseconds.
//!
//! Hand-written civil-date arithmetic (Howard Hinnant's `days_from_civil` and its inverse), so
//! the crate stays free of a date library in the widgets' wasm and needs no clock: it only
//! converts, it never asks what time it is.

use crate::text::{FieldErrors, FieldProblem};

/// The first and last years a parsed time may fall in. Reviews are not older than Unix time,
/// and four-digit years are what the formats can write.
const YEAR_MIN: i64 = 1970;
const YEAR_MAX: i64 = 9999;
const MS_PER_DAY: i64 = 86_400_000;
/// The least bare number [`parse_timestamp`] takes as milliseconds: 1973-03-03T09:46:40Z, and
/// 12 digits, where Unix seconds have 10 until the year 2286.
pub const MIN_BARE_MS: i64 = 100_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (`month` 1–12, `day` 1–31).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = i64::from((month + 9) % 12); // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The calendar month (UTC) that day `day` since 1970-01-01 falls in, numbered
/// `year · 12 + month − 1`: months in order, so consecutive numbers are consecutive months.
pub fn month_of_day(day: i64) -> i64 {
    let (year, month, _) = civil_from_days(day);
    year * 12 + i64::from(month) - 1
}

/// The first day (since 1970-01-01) of month number `month` (see [`month_of_day`]).
pub fn month_start_day(month: i64) -> i64 {
    days_from_civil(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
}

/// Month number `month` (see [`month_of_day`]) as `2026-01`.
pub fn format_month(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// Unix milliseconds as RFC 3339 in UTC with milliseconds: `2026-11-23T15:06:52.123Z`.
pub fn format_rfc3339_ms(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// The UTC calendar date of Unix milliseconds: `2026-11-23`.
pub fn format_date(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Reads a time a merchant wrote, as Unix milliseconds: `2026-11-23` (midnight UTC),
/// `2026-11-23T15:06:52Z` with optional fraction (`.1` to `.123456789`, cut to milliseconds)
/// and a `Z` or `+03:00`/`-05:00` offset, or a bare count of Unix milliseconds. RFC 3339's
/// lower-case `t`/`z` and a space for the `T` are accepted too. Years must be 1970–9999 and
/// dates real (no 2026-02-30); the result is never before 1970-01-01T00:00:00Z.
///
/// A bare count must be at least [`MIN_BARE_MS`] (March 1973): a smaller one is almost surely
/// Unix *seconds*, which read as milliseconds would quietly date a review to January 1970.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if !b.is_empty() && b.iter().all(u8::is_ascii_digit) {
        if b.len() > 15 {
            return None;
        }
        let ms: i64 = s.parse().ok()?;
        return (MIN_BARE_MS..=max_ms()).contains(&ms).then_some(ms);
    }

    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)? as u32;
    let day = digits(b, 8, 2)? as u32;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    if !(YEAR_MIN..=YEAR_MAX).contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    let date_ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if b.len() == 10 {
        return Some(date_ms);
    }

    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let count = i - start;
        if count == 0 || count > 9 {
            return None;
        }
        // The first three digits, padded: ".1" is 100 ms, ".123456" is 123 ms.
        for k in 0..3 {
            let d = if k < count {
                i64::from(b[start + k] - b'0')
            } else {
                0
            };
            millis = millis * 10 + d;
        }
    }
    let offset_minutes = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && b[i + 3] == b':' => {
            let oh = digits(b, i + 1, 2)?;
            let om = digits(b, i + 4, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            let minutes = oh * 60 + om;
            if *sign == b'-' { -minutes } else { minutes }
        }
        _ => return None,
    };
    let ms = date_ms + ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + millis;
    (0..=max_ms()).contains(&ms).then_some(ms)
}

/// The last millisecond of 9999-12-31 UTC.
pub(crate) fn max_ms() -> i64 {
    days_from_civil(YEAR_MAX + 1, 1, 1) * MS_PER_DAY - 1
}

/// `len` ASCII digits at `at`, as a number; `None` if any is missing or not a digit.
fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let field = b.get(at..at + len)?;
    field.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// The longest period one merchant report covers.
pub const REPORT_MAX_DAYS: i64 = 366;

/// The period a merchant's report covers, from the query's `from` and `to` (dates or times, see
/// [`parse_timestamp`]; a date `to` includes that whole day): `default_days` up to `now` when not
/// given, at most [`REPORT_MAX_DAYS`].
pub fn report_period(
    from: Option<&str>,
    to: Option<&str>,
    now: i64,
    default_days: i64,
) -> Result<(i64, i64), FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut read = |field: &'static str, raw: Option<&str>| match raw {
        None | Some("") => None,
        Some(raw) => match parse_timestamp(raw) {
            // A bare date names a whole day: `to=2026-11-23` ends at its end.
            Some(ms) if field == "to" && raw.trim().len() == 10 => Some(ms + MS_PER_DAY),
            Some(ms) => Some(ms),
            None => {
                errors.push(field, FieldProblem::NotATime);
                None
            }
        },
    };
    let to_ms = read("to", to);
    let from_ms = read("from", from);
    if !errors.is_empty() {
        return Err(errors);
    }
    let to_ms = to_ms.unwrap_or(now);
    let from_ms = from_ms.unwrap_or(to_ms - default_days * MS_PER_DAY);
    if from_ms >= to_ms || to_ms - from_ms > REPORT_MAX_DAYS * MS_PER_DAY {
        errors.push(
            "from",
            FieldProblem::OutOfRange {
                min: 1,
                max: REPORT_MAX_DAYS,
            },
        );
        return Err(errors);
    }
    Ok((from_ms, to_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_numbered_in_order_and_start_on_their_first() {
        let jan_2026 = month_of_day(days_from_civil(2026, 1, 31));
        assert_eq!(jan_2026, 2026 * 12);
        assert_eq!(month_of_day(days_from_civil(2025, 12, 1)), jan_2026 - 1);
        assert_eq!(month_start_day(jan_2026 + 1), days_from_civil(2026, 2, 1));
        assert_eq!(month_start_day(jan_2026 - 1), days_from_civil(2025, 12, 1));
        assert_eq!(format_month(jan_2026 + 11), "2026-12");
        assert_eq!(format_month(jan_2026 - 1), "2025-12");
    }

    #[test]
    fn civil_dates_round_trip_and_match_known_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        // 2026-11-23: 56 years of 365 days, 14 leap days (1972 to 2024), and 326 days into 2026.
        assert_eq!(days_from_civil(2026, 11, 23), 56 * 365 + 14 + 326);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert!(d >= 1 && d <= days_in_month(y, m), "{days}");
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn formats_utc_with_milliseconds() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        let ms =
            days_from_civil(2026, 11, 23) * MS_PER_DAY + ((15 * 60 + 6) * 60 + 52) * 1000 + 123;
        assert_eq!(format_rfc3339_ms(ms), "2026-11-23T15:06:52.123Z");
        assert_eq!(format_date(ms), "2026-11-23");
        assert_eq!(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_rfc3339_ms(max_ms()), "9999-12-31T23:59:59.999Z");
        // 2024-02-29, a leap day.
        assert_eq!(
            format_rfc3339_ms(days_from_civil(2024, 2, 29) * MS_PER_DAY),
            "2024-02-29T00:00:00.000Z"
        );
    }

    #[test]
    fn parses_the_documented_forms() {
        let day = days_from_civil(2026, 11, 23) * MS_PER_DAY;
        let at = day + ((15 * 60 + 6) * 60 + 52) * 1000;
        assert_eq!(parse_timestamp("2026-11-23"), Some(day));
        assert_eq!(parse_timestamp("2026-11-23T15:06:52Z"), Some(at));
        assert_eq!(parse_timestamp("2026-11-23T15:06:52.123Z"), Some(at + 123));
        assert_eq!(parse_timestamp("2026-11-23T15:06:52.1Z"), Some(at + 100));
        assert_eq!(
            parse_timestamp("2026-11-23T15:06:52.123999Z"),
            Some(at + 123)
        );
        assert_eq!(parse_timestamp("2026-11-23t15:06:52z"), Some(at));
        assert_eq!(parse_timestamp("2026-11-23 15:06:52Z"), Some(at));
        // Istanbul is three hours ahead of UTC, New York five behind in winter.
        assert_eq!(parse_timestamp("2026-11-23T18:06:52+03:00"), Some(at));
        assert_eq!(
            parse_timestamp("2026-11-23T10:06:52.5-05:00"),
            Some(at + 500)
        );
        assert_eq!(parse_timestamp("2026-11-24T00:36:52+09:30"), Some(at));
        assert_eq!(at + 123, 1_795_446_412_123);
        assert_eq!(parse_timestamp(" 1795446412123 "), Some(at + 123));
        assert_eq!(parse_timestamp("100000000000"), Some(MIN_BARE_MS));
        assert_eq!(format_rfc3339_ms(MIN_BARE_MS), "1973-03-03T09:46:40.000Z");
        assert_eq!(
            parse_timestamp("2024-02-29"),
            Some(days_from_civil(2024, 2, 29) * MS_PER_DAY)
        );
        assert_eq!(parse_timestamp("9999-12-31T23:59:59.999Z"), Some(max_ms()));
    }

    #[test]
    fn formatted_times_parse_back() {
        for ms in [0, 1, 999, 1_795_446_412_123, 951_782_400_000, max_ms()] {
            assert_eq!(parse_timestamp(&format_rfc3339_ms(ms)), Some(ms), "{ms}");
        }
    }

    #[test]
    fn refuses_invalid_dates_and_forms() {
        for bad in [
            "",
            "2026-02-30",
            "2025-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "1969-12-31",
            "1970-01-01T00:00:00+01:00",
            "10000-01-01",
            "2026-1-5",
            "2026/11/23",
            "23.11.2026",
            "2026-11-23T",
            "2026-11-23T15:06Z",
            "2026-11-23T15:06:52",
            "2026-11-23T24:00:00Z",
            "2026-11-23T15:60:00Z",
            "2026-11-23T15:06:60Z",
            "2026-11-23T15:06:52.Z",
            "2026-11-23T15:06:52.1234567890Z",
            "2026-11-23T15:06:52+0300",
            "2026-11-23T15:06:52+24:00",
            "2026-11-23T15:06:52+03:00x",
            "2026-11-23T15:06:52ZZ",
            "2026-11-23x",
            "-1",
            "+5",
            "1e12",
            "0",
            "99999999999",
            // Unix seconds, not milliseconds.
            "1795446412",
            "99999999999999999999",
            "253402300800000",
            "２０２６-11-23",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }
}
