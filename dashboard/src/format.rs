//! Numbers and dates as the merchant reads them: the API's tenths and Unix milliseconds, in
//! the chosen language (Turkish writes 22,2 where English writes 22.2). Dates are UTC, as the
//! reports count.

use crate::i18n::Lang;
use memnun_protocol::time::{format_date, parse_timestamp};

pub const DAY_MS: i64 = 86_400_000;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// `2026-11-23` of a time, for `<input type=date>` and the API's `from`/`to`.
pub fn iso_date(ms: i64) -> String {
    format_date(ms)
}

/// Midnight UTC of a date typed in `<input type=date>`.
pub fn parse_date(s: &str) -> Option<i64> {
    (s.len() == 10).then(|| parse_timestamp(s)).flatten()
}

fn decimal(lang: Lang, text: String) -> String {
    match lang {
        Lang::Tr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Tenths as a number with one decimal: `222` → `22.2`; `None` → `–`.
pub fn tenths(lang: Lang, value: Option<i64>) -> String {
    match value {
        None => "–".into(),
        Some(v) => {
            let sign = if v < 0 { "-" } else { "" };
            decimal(lang, format!("{sign}{}.{}", v.abs() / 10, v.abs() % 10))
        }
    }
}

/// A percentage in tenths as each language writes it: `62.5%`, `%62,5`.
pub fn percent(lang: Lang, value: Option<i64>) -> String {
    let number = tenths(lang, value);
    match (lang, value) {
        (_, None) => number,
        (Lang::Tr, Some(_)) => format!("%{number}"),
        (Lang::En, Some(_)) => format!("{number}%"),
    }
}

/// A change in tenths, always signed: `+3.2`, `-1.0`, `±0.0`.
pub fn change_tenths(lang: Lang, value: i64) -> String {
    let sign = match value.signum() {
        1 => "+",
        -1 => "−",
        _ => "±",
    };
    decimal(
        lang,
        format!("{sign}{}.{}", value.abs() / 10, value.abs() % 10),
    )
}

/// Hundredths with two decimals: `523` → `5.23`.
pub fn hundredths(lang: Lang, value: Option<i64>) -> String {
    match value {
        None => "–".into(),
        Some(v) => {
            let sign = if v < 0 { "-" } else { "" };
            decimal(
                lang,
                format!("{sign}{}.{:02}", v.abs() / 100, v.abs() % 100),
            )
        }
    }
}

/// Money in minor units with its currency, grouped as each language writes it:
/// `1,234.56 TRY`, `1.234,56 TRY`.
pub fn money(lang: Lang, minor: i64, currency: &str) -> String {
    let (group, point) = match lang {
        Lang::Tr => ('.', ','),
        Lang::En => (',', '.'),
    };
    let whole = (minor.abs() / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    let sign = if minor < 0 { "−" } else { "" };
    format!("{sign}{grouped}{point}{:02} {currency}", minor.abs() % 100)
        .trim_end()
        .to_owned()
}

/// A date in the merchant's language: `23.11.2026` or `23 Nov 2026`.
pub fn date(lang: Lang, ms: i64) -> String {
    let iso = format_date(ms);
    let (y, rest) = iso.split_at(4);
    let m = &rest[1..3];
    let d = &rest[4..6];
    match lang {
        Lang::Tr => format!("{d}.{m}.{y}"),
        Lang::En => {
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month = m
                .parse::<usize>()
                .ok()
                .and_then(|n| MONTHS.get(n.wrapping_sub(1)));
            format!(
                "{} {} {y}",
                d.trim_start_matches('0'),
                month.copied().unwrap_or(m)
            )
        }
    }
}

/// A date and time (UTC, to the minute).
pub fn date_time(lang: Lang, ms: i64) -> String {
    let in_day = ms.rem_euclid(DAY_MS);
    format!(
        "{} {:02}:{:02} UTC",
        date(lang, ms),
        in_day / 3_600_000,
        in_day / 60_000 % 60
    )
}

/// A short day label for a chart axis: `23.11` or `23 Nov`.
pub fn day_label(lang: Lang, ms: i64) -> String {
    let full = date(lang, ms);
    match lang {
        Lang::Tr => full.get(..5).unwrap_or(&full).to_owned(),
        Lang::En => full
            .rsplit_once(' ')
            .map_or(full.clone(), |(dm, _)| dm.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_read_as_the_language_writes_them() {
        assert_eq!(tenths(Lang::En, Some(222)), "22.2");
        assert_eq!(tenths(Lang::Tr, Some(222)), "22,2");
        assert_eq!(tenths(Lang::En, Some(-5)), "-0.5");
        assert_eq!(tenths(Lang::En, None), "–");
        assert_eq!(change_tenths(Lang::En, 32), "+3.2");
        assert_eq!(change_tenths(Lang::Tr, -10), "−1,0");
        assert_eq!(change_tenths(Lang::En, 0), "±0.0");
        assert_eq!(hundredths(Lang::En, Some(523)), "5.23");
        assert_eq!(hundredths(Lang::Tr, Some(507)), "5,07");
        assert_eq!(percent(Lang::En, Some(625)), "62.5%");
        assert_eq!(percent(Lang::Tr, Some(625)), "%62,5");
        assert_eq!(percent(Lang::Tr, None), "–");
        assert_eq!(money(Lang::En, 123_456_789, "TRY"), "1,234,567.89 TRY");
        assert_eq!(money(Lang::Tr, 123_456_789, "TRY"), "1.234.567,89 TRY");
        assert_eq!(money(Lang::En, -5, "EUR"), "−0.05 EUR");
        assert_eq!(money(Lang::En, 100_000, ""), "1,000.00");
    }

    #[test]
    fn dates_are_utc_in_the_merchants_words() {
        let ms = parse_timestamp("2026-11-02T23:30:00Z").expect("valid");
        assert_eq!(date(Lang::Tr, ms), "02.11.2026");
        assert_eq!(date(Lang::En, ms), "2 Nov 2026");
        assert_eq!(day_label(Lang::Tr, ms), "02.11");
        assert_eq!(day_label(Lang::En, ms), "2 Nov");
        assert_eq!(date_time(Lang::En, ms), "2 Nov 2026 23:30 UTC");
        assert_eq!(parse_date("2026-11-02"), parse_timestamp("2026-11-02"));
        assert_eq!(parse_date("2026-11"), None);
    }
}
