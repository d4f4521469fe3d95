//! Survey responses as CSV for the merchant API (`GET /v1/admin/survey/responses.csv`), in the
//! same form as the review export: UTF-8 with a byte-order mark (so Excel reads Turkish
//! letters), CRLF line ends, and every cell [`neutralise`]d against spreadsheet formulas.

use crate::review_csv::neutralise;
use crate::survey::NpsGroup;
use crate::time::format_rfc3339_ms;

pub const EXPORT_COLUMNS: [&str; 15] = [
    "order",
    "number",
    "delivered_at",
    "opened_at",
    "completed_at",
    "dismissed_at",
    "locale",
    "nps",
    "nps_group",
    "reasons",
    "follow_up",
    "csat",
    "ces",
    "comment",
    "topics",
];

/// One response as the export writes it. Times are Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportRow<'a> {
    pub order: &'a str,
    pub number: &'a str,
    pub delivered_at: Option<i64>,
    pub opened_at: i64,
    pub completed_at: Option<i64>,
    pub dismissed_at: Option<i64>,
    pub locale: Option<&'a str>,
    pub nps: Option<i64>,
    pub reasons: &'a [String],
    pub follow_up: Option<&'a str>,
    pub csat: Option<i64>,
    pub ces: Option<i64>,
    pub comment: Option<&'a str>,
    pub topics: &'a [String],
}

/// The responses as a CSV file; lists (reasons, topics) are space-separated names.
pub fn export(rows: &[ExportRow<'_>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let write = |writer: &mut csv::Writer<Vec<u8>>, cells: &[String]| {
        writer
            .write_record(cells.iter().map(|c| neutralise(c).into_owned()))
            .expect("writing CSV into memory cannot fail");
    };
    let header: Vec<String> = EXPORT_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    write(&mut writer, &header);
    let time = |ms: Option<i64>| ms.map(format_rfc3339_ms).unwrap_or_default();
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let text = |t: Option<&str>| t.unwrap_or("").to_owned();
    for row in rows {
        let group = row
            .nps
            .and_then(|n| u8::try_from(n).ok())
            .and_then(NpsGroup::of)
            .map(|g| match g {
                NpsGroup::Detractor => "detractor",
                NpsGroup::Passive => "passive",
                NpsGroup::Promoter => "promoter",
            });
        let cells = [
            row.order.to_owned(),
            row.number.to_owned(),
            time(row.delivered_at),
            time(Some(row.opened_at)),
            time(row.completed_at),
            time(row.dismissed_at),
            text(row.locale),
            number(row.nps),
            text(group),
            row.reasons.join(" "),
            text(row.follow_up),
            number(row.csat),
            number(row.ces),
            text(row.comment),
            row.topics.join(" "),
        ];
        write(&mut writer, &cells);
    }
    let bytes = writer
        .into_inner()
        .expect("flushing CSV into memory cannot fail");
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push('\u{feff}');
    out.push_str(std::str::from_utf8(&bytes).expect("CSV of UTF-8 cells is UTF-8"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_lists_joined() {
        let reasons = vec!["delivery_time".to_owned(), "price".to_owned()];
        let topics = vec!["delivery".to_owned()];
        let row = ExportRow {
            order: "A-1",
            number: "=1+1",
            delivered_at: Some(0),
            opened_at: 86_400_000,
            completed_at: None,
            dismissed_at: None,
            locale: Some("tr"),
            nps: Some(3),
            reasons: &reasons,
            follow_up: Some("@SUM(A1)"),
            csat: Some(2),
            ces: None,
            comment: Some("Kargo geç, \"çok\" geç"),
            topics: &topics,
        };
        let csv = export(&[row]);
        assert!(csv.starts_with('\u{feff}'));
        let mut lines = csv.trim_start_matches('\u{feff}').split("\r\n");
        assert_eq!(lines.next(), Some(EXPORT_COLUMNS.join(",").as_str()));
        let line = lines.next().expect("a data line");
        assert!(line.starts_with("A-1,'=1+1,1970-01-01T00:00:00.000Z,1970-01-02T00:00:00.000Z,,,tr,3,detractor,delivery_time price,'@SUM(A1),2,,"));
        assert!(line.contains("\"Kargo geç, \"\"çok\"\" geç\""));
        assert!(line.ends_with(",delivery"));
    }
}
