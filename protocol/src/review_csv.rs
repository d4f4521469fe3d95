//! Reviews as CSV for the merchant API: the export merchants open in a spreadsheet, and the
//! import that brings reviews over from another platform (or back from our own export).
//!
//! Two things shape the format. Spreadsheets run formulas: a cell beginning with `=`, `+`, `-`,
//! `@`, tab or carriage return may be executed when the file is opened, so every exported cell
//! is [`neutralise`]d and every imported one [`unneutralise`]d (OWASP's "CSV injection"). And
//! Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; without it, Turkish
//! letters come out garbled.

use crate::review::{BODY_RULE, NewReview, ReviewStatus, ValidReview};
use crate::text::{FieldProblem, TextRule, normalize};
use crate::time::{format_rfc3339_ms, parse_timestamp};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// The most data rows one import takes; the edge writes them in one batch.
pub const MAX_IMPORT_ROWS: usize = 1000;
/// The largest import body the edge reads (413 beyond): 1,000 long reviews fit.
pub const MAX_IMPORT_BYTES: usize = 2 * 1024 * 1024;

/// The export's columns, in order. Import reads the ones it knows by name and ignores the rest,
/// so an export imports back as it is.
pub const EXPORT_COLUMNS: [&str; 15] = [
    "id",
    "product",
    "rating",
    "title",
    "body",
    "author",
    "email",
    "locale",
    "status",
    "hold_reason",
    "verified",
    "order",
    "helpful",
    "reply",
    "created_at",
];

/// An imported review's own id, kept to tell the merchant which of theirs became which of ours.
const SOURCE_ID_RULE: TextRule = TextRule {
    required: false,
    max_chars: 128,
    multiline: false,
};
/// The shop's answer to an imported review: a body, but optional.
const REPLY_RULE: TextRule = TextRule {
    required: false,
    ..BODY_RULE
};

/// One review as the export writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportRow<'a> {
    pub id: &'a str,
    pub product: &'a str,
    pub rating: u8,
    pub title: &'a str,
    pub body: &'a str,
    pub author: &'a str,
    pub email: Option<&'a str>,
    pub locale: Option<&'a str>,
    pub status: &'a str,
    pub hold_reason: Option<&'a str>,
    pub verified: bool,
    pub order: Option<&'a str>,
    pub helpful: u32,
    /// The shop's public answer, if any.
    pub reply: Option<&'a str>,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// The reviews as a CSV file: UTF-8 with a byte-order mark, a header line, CRLF line ends, and
/// cells quoted where RFC 4180 needs it and [`neutralise`]d.
pub fn export(rows: &[ExportRow<'_>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let write = |writer: &mut csv::Writer<Vec<u8>>, cells: &[&str]| {
        writer
            .write_record(cells.iter().map(|c| neutralise(c).into_owned()))
            .expect("writing CSV into memory cannot fail");
    };
    write(&mut writer, &EXPORT_COLUMNS);
    for row in rows {
        let rating = row.rating.to_string();
        let helpful = row.helpful.to_string();
        let created_at = format_rfc3339_ms(row.created_at);
        let cells: [&str; 15] = [
            row.id,
            row.product,
            &rating,
            row.title,
            row.body,
            row.author,
            row.email.unwrap_or(""),
            row.locale.unwrap_or(""),
            row.status,
            row.hold_reason.unwrap_or(""),
            if row.verified { "true" } else { "false" },
            row.order.unwrap_or(""),
            &helpful,
            row.reply.unwrap_or(""),
            &created_at,
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

pub use crate::text::{neutralise, unneutralise};

/// A review read from an import, valid and ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportRow {
    /// The 1-based line of the file where the row starts; the header is line 1.
    pub line: usize,
    /// The file's own `id` column, trimmed, if it has one and it is not empty.
    pub source_id: Option<String>,
    #[serde(serialize_with = "serialize_review")]
    pub review: ValidReview,
    /// Unix milliseconds; `None` when the file gives no time (the edge uses the import's).
    pub created_at: Option<i64>,
    /// The shop's answer, published with the review.
    pub reply: Option<String>,
    /// When the shop answered, if the file says (else the import's time).
    pub reply_at: Option<i64>,
    /// Where the review stood in the other system; `Published` when the file does not say.
    pub status: ReviewStatus,
    /// The other system vouched that the author bought the product.
    pub verified: bool,
    /// The addresses of the review's photos in the other tool, in order: the edge copies them.
    pub photos: Vec<String>,
    /// The file named the product by its handle (the last part of its page's address), not its
    /// id: the edge finds the catalog item whose page it is.
    pub by_handle: bool,
}

pub use crate::merchant::RefusedRow;

/// Why a whole file is refused (400 at the edge): nothing in it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    NotUtf8,
    NoHeader,
    /// The required columns the header lacks, in the documented order.
    MissingColumns(Vec<&'static str>),
    TooManyRows {
        max: usize,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotUtf8 => {
                f.write_str("The file is not UTF-8 text; save it as \"CSV UTF-8\" and try again.")
            }
            ImportError::NoHeader => {
                f.write_str("The file is empty; its first line must name the columns.")
            }
            ImportError::MissingColumns(columns) => write!(
                f,
                "The header line lacks the required column{} {}.",
                if columns.len() == 1 { "" } else { "s" },
                columns.join(", ")
            ),
            ImportError::TooManyRows { max } => write!(
                f,
                "The file has more than {max} reviews; split it into files of at most {max}."
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// Whose export an import file is, told by its header line (names matched ignoring case and
/// surrounding spaces). Each reads its own columns into the same review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// memnun's own export (`EXPORT_COLUMNS`), or a file made by hand with its names.
    Memnun,
    /// Judge.me's review export: `review_date`, `reviewer_name`, `curated`, `product_id`, ….
    JudgeMe,
    /// Yotpo's review export (`Review Score`, `Review Content`, …), or its older one in
    /// lower-case (`review_score`, `review_content`, `display_name`, …).
    Yotpo,
    /// Okendo's review file (`name`, `body`, `dateCreated`, `productId`, `isVerifiedBuyer`, …).
    Okendo,
    /// Shopify's Product Reviews app (`product_handle`, `state`, `author`, `created_at`, …).
    ShopifyProductReviews,
}

/// What a column says of the review, whatever the file calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    SourceId,
    Product,
    Handle,
    Rating,
    Title,
    Body,
    Author,
    Email,
    Locale,
    CreatedAt,
    Reply,
    ReplyAt,
    ReplyPublic,
    Verified,
    Status,
    /// Yotpo's `Review Type`: a review of the shop is no product's.
    Kind,
    /// The addresses of the review's photos.
    Photos,
}

impl ImportFormat {
    /// Its name in the import's report.
    pub const fn as_str(self) -> &'static str {
        match self {
            ImportFormat::Memnun => "memnun",
            ImportFormat::JudgeMe => "judge_me",
            ImportFormat::Yotpo => "yotpo",
            ImportFormat::Okendo => "okendo",
            ImportFormat::ShopifyProductReviews => "shopify_product_reviews",
        }
    }

    /// The format whose tell-tale columns `names` (lower-cased) has; memnun's otherwise.
    fn detect(names: &[String]) -> ImportFormat {
        let has = |wanted: &[&str]| wanted.iter().all(|w| names.iter().any(|n| n == w));
        if has(&["product_handle", "state", "author", "created_at"]) {
            ImportFormat::ShopifyProductReviews
        } else if has(&["review_date", "reviewer_name"]) {
            ImportFormat::JudgeMe
        } else if has(&["review score", "review content"])
            || has(&["review_score", "review_content"])
        {
            ImportFormat::Yotpo
        } else if has(&["datecreated", "name", "body"]) {
            ImportFormat::Okendo
        } else {
            ImportFormat::Memnun
        }
    }

    /// Each field with the names its column may have in this format, the first found read.
    fn columns(self) -> &'static [(Field, &'static [&'static str])] {
        use Field::*;
        match self {
            ImportFormat::Memnun => &[
                (SourceId, &["id"]),
                (Product, &["product"]),
                (Rating, &["rating"]),
                (Title, &["title"]),
                (Body, &["body"]),
                (Author, &["author"]),
                (Email, &["email"]),
                (Locale, &["locale"]),
                (CreatedAt, &["created_at"]),
                (Reply, &["reply"]),
                (Verified, &["verified"]),
                (Status, &["status"]),
            ],
            ImportFormat::JudgeMe => &[
                (Title, &["title"]),
                (Body, &["body"]),
                (Rating, &["rating"]),
                (CreatedAt, &["review_date"]),
                (Status, &["curated"]),
                (Author, &["reviewer_name"]),
                (Email, &["reviewer_email"]),
                (Product, &["product_id"]),
                (Handle, &["product_handle"]),
                (Reply, &["reply"]),
                (ReplyAt, &["reply_date"]),
                (Photos, &["picture_urls"]),
            ],
            ImportFormat::Yotpo => &[
                (SourceId, &["review id"]),
                (CreatedAt, &["review creation date", "date"]),
                (Kind, &["review type"]),
                (Status, &["review status", "published"]),
                (Rating, &["review score", "review_score"]),
                (Title, &["review title", "review_title"]),
                (Body, &["review content", "review_content"]),
                (Reply, &["comment content", "comment_content"]),
                (ReplyAt, &["comment date"]),
                (ReplyPublic, &["comment public", "comment_public"]),
                (Author, &["reviewer display name", "display_name"]),
                (Email, &["reviewer email", "email"]),
                (Verified, &["reviewer type"]),
                (Product, &["product id", "product_id"]),
                (Handle, &["product handle"]),
                (Photos, &["published image url"]),
            ],
            ImportFormat::Okendo => &[
                (SourceId, &["reviewid"]),
                (Author, &["name"]),
                (Title, &["title"]),
                (Body, &["body"]),
                (Rating, &["rating"]),
                (CreatedAt, &["datecreated"]),
                (Email, &["email"]),
                (Product, &["productid"]),
                (Handle, &["handle"]),
                (Status, &["status", "isapproved"]),
                (Verified, &["isverifiedbuyer"]),
                (Reply, &["reply"]),
                (ReplyAt, &["replydatecreated"]),
                (ReplyPublic, &["replyispublic"]),
                (Photos, &["imageurls"]),
            ],
            ImportFormat::ShopifyProductReviews => &[
                (Handle, &["product_handle"]),
                (Status, &["state"]),
                (Rating, &["rating"]),
                (Title, &["title"]),
                (Author, &["author"]),
                (Email, &["email"]),
                (Body, &["body"]),
                (Reply, &["reply"]),
                (CreatedAt, &["created_at"]),
                (ReplyAt, &["replied_at"]),
            ],
        }
    }

    /// The fields a file of this format must have a column for; the product is either
    /// `Product` or `Handle`, checked row by row.
    fn required(self) -> &'static [Field] {
        use Field::*;
        match self {
            ImportFormat::Memnun => &[Product, Rating, Body, Author],
            _ => &[Rating, Body, Author],
        }
    }
}

/// Where each field's column is in the file's header.
struct Columns {
    format: ImportFormat,
    header: Vec<String>,
    index: BTreeMap<Field, usize>,
    width: usize,
}

impl Columns {
    fn read(header: &csv::StringRecord) -> Result<Columns, ImportError> {
        let names: Vec<String> = header
            .iter()
            .map(|n| n.trim().trim_start_matches('\u{feff}').to_lowercase())
            .collect();
        let format = ImportFormat::detect(&names);
        let mut index = BTreeMap::new();
        for (field, aliases) in format.columns() {
            // The first alias present is read; of two columns with one name, the first.
            if let Some(i) = aliases
                .iter()
                .find_map(|alias| names.iter().position(|n| n == alias))
            {
                index.insert(*field, i);
            }
        }
        let missing: Vec<&'static str> = format
            .required()
            .iter()
            .filter(|f| !index.contains_key(f))
            .map(|f| {
                let (_, aliases) = format
                    .columns()
                    .iter()
                    .find(|(c, _)| c == f)
                    .expect("a required field has a column");
                aliases[0]
            })
            .collect();
        if missing.is_empty() {
            Ok(Columns {
                format,
                header: header.iter().map(str::to_owned).collect(),
                index,
                width: header.len(),
            })
        } else {
            Err(ImportError::MissingColumns(missing))
        }
    }

    /// The file's own name for `field`'s column (the name of the first it would read when the
    /// file has none), as a refused row's problems name it.
    fn name(&self, field: Field) -> String {
        match self.index.get(&field) {
            Some(i) => self.header[*i].trim().to_owned(),
            None => self
                .format
                .columns()
                .iter()
                .find(|(f, _)| *f == field)
                .map_or("row", |(_, aliases)| aliases[0])
                .to_owned(),
        }
    }

    /// The cell of `field` in `record` as it was before export: un-neutralised and in NFC.
    /// Empty when the file has no such column.
    fn cell(&self, record: &csv::StringRecord, field: Field) -> String {
        self.index
            .get(&field)
            .and_then(|i| record.get(*i))
            .map(|c| normalize(unneutralise(c)))
            .unwrap_or_default()
    }
}

/// Judge.me's import date, `dd/mm/yyyy`, as midnight UTC.
pub fn parse_day_month_year(raw: &str) -> Option<i64> {
    let [day, month, year] = raw.trim().split('/').collect::<Vec<_>>()[..] else {
        return None;
    };
    if day.is_empty() || day.len() > 2 || month.is_empty() || month.len() > 2 || year.len() != 4 {
        return None;
    }
    let (day, month) = (day.parse::<u32>().ok()?, month.parse::<u32>().ok()?);
    parse_timestamp(&format!("{year}-{month:02}-{day:02}"))
}

/// A time as review tools export them: what [`parse_timestamp`] reads, or a date and time with
/// a space and ` UTC` or a `+0300` offset (or no zone, read as UTC).
pub fn parse_export_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Some(ms) = parse_timestamp(raw) {
        return Some(ms);
    }
    let (date_time, zone) = match raw.rsplit_once(' ') {
        Some((head, zone)) if head.len() >= 19 => (head, zone),
        _ => (raw, ""),
    };
    if date_time.len() != 19 {
        return None;
    }
    let offset = match zone {
        "" | "UTC" | "GMT" | "Z" => "Z".to_owned(),
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            format!("{}:{}", &z[..3], &z[3..])
        }
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) => z.to_owned(),
        _ => return None,
    };
    parse_timestamp(&format!("{date_time}{offset}"))
}

/// An import file, read: whose export it is, the good rows ready to store, and the refused
/// ones with their line and problems.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedImport {
    pub format: ImportFormat,
    pub rows: Vec<ImportRow>,
    pub refused: Vec<RefusedRow>,
}

/// Reads an import file. A file is refused whole only when it cannot be read as a table of
/// reviews at all (not UTF-8, no header, required columns missing) or is too long.
///
/// The header line tells whose export the file is ([`ImportFormat`]): memnun's own, Judge.me's,
/// Yotpo's, Okendo's or Shopify Product Reviews'. memnun's requires `product`, `rating`, `body`
/// and `author`, and reads `id`, `title`, `email`, `locale`, `created_at`, `reply`, `status` and
/// `verified`; the others read their own names for the same things, the product by id or else
/// by handle, the reply's date, and whether the reply was public. Other columns are ignored. A
/// file whose header line has semicolons and no commas (what Excel saves in Turkish and other
/// decimal-comma locales) is read as semicolon-separated. Blank lines, and rows of only empty
/// cells, are skipped.
///
/// Each cell is [`unneutralise`]d and NFC-normalised, then the row is checked by the rules of
/// [`NewReview::validate`]; ids, ratings, emails, locales and times are trimmed first and
/// `locale` lower-cased, while title, body, name and reply are kept as written. Times are read
/// by [`parse_export_time`]. A status the file gives is kept (published, held for the merchant,
/// or rejected as spam), as is the other system's verified-buyer flag; Yotpo's reviews of the
/// shop itself are refused, being no product's.
pub fn parse_import(bytes: &[u8]) -> Result<ParsedImport, ImportError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotUtf8)?;
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut lines = LineCounter::new(text.as_bytes());
    let mut columns: Option<Columns> = None;
    let mut data_rows = 0;
    let mut imported = Vec::new();
    let mut refused = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                lines.line_of(record.position())
            }
            Err(e) => {
                // Not expected of UTF-8 text in memory; counted as a row, so this loop ends.
                let line = lines.line_of(e.position());
                if columns.is_none() {
                    return Err(ImportError::NoHeader);
                }
                data_rows += 1;
                if data_rows > MAX_IMPORT_ROWS {
                    return Err(ImportError::TooManyRows {
                        max: MAX_IMPORT_ROWS,
                    });
                }
                refused.push(RefusedRow {
                    line,
                    errors: BTreeMap::from([("row".into(), "cannot be read".into())]),
                });
                continue;
            }
        };
        let Some(columns) = &columns else {
            columns = Some(Columns::read(&record)?);
            continue;
        };
        data_rows += 1;
        if data_rows > MAX_IMPORT_ROWS {
            return Err(ImportError::TooManyRows {
                max: MAX_IMPORT_ROWS,
            });
        }
        match read_row(columns, &record, line) {
            Ok(row) => imported.push(row),
            Err(errors) => refused.push(RefusedRow { line, errors }),
        }
    }
    let Some(columns) = columns else {
        return Err(ImportError::NoHeader);
    };
    Ok(ParsedImport {
        format: columns.format,
        rows: imported,
        refused,
    })
}

/// Turns the csv reader's positions into the line numbers a text editor shows. The reader's
/// own line count is not that (it counts a CRLF pair oddly), and its byte offset is where the
/// previous record ended, before any blank lines; so this skips those and counts line breaks
/// (CRLF, LF or a lone CR) itself, going forward from the last record so that a large file is
/// read once.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            text,
            at: 0,
            line: 1,
        }
    }

    fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(byte) = position.and_then(|p| usize::try_from(p.byte()).ok()) else {
            return self.line;
        };
        let mut start = byte.clamp(self.at, self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        for i in self.at..start {
            match self.text[i] {
                b'\n' => self.line += 1,
                b'\r' if self.text.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.at = start;
        self.line
    }
}

/// One data row checked by the same rules as a review a shopper sends, plus the import's own
/// columns. Problems are named by the file's own column names.
fn read_row(
    columns: &Columns,
    record: &csv::StringRecord,
    line: usize,
) -> Result<ImportRow, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let extra_filled = record
        .iter()
        .skip(columns.width)
        .any(|c| !c.trim().is_empty());
    if record.len() < columns.width || extra_filled {
        // Cells out of place: a field would be read from the wrong column.
        errors.insert(
            "row".to_owned(),
            format!(
                "has {} cells where the header has {}",
                record.len(),
                columns.width
            ),
        );
        return Err(errors);
    }

    let cell = |field: Field| columns.cell(record, field);
    let optional = |value: String| (!value.is_empty()).then_some(value);
    let trimmed = |field: Field| optional(cell(field).trim().to_owned());
    let mut problem = |field: Field, text: String| {
        errors.entry(columns.name(field)).or_insert(text);
    };

    if trimmed(Field::Kind).is_some_and(|k| k.to_ascii_lowercase().contains("site"))
        || trimmed(Field::Product).as_deref() == Some("yotpo_site_reviews")
    {
        problem(Field::Product, SHOP_REVIEW.to_owned());
    }
    let (product, by_handle) = match (trimmed(Field::Product), trimmed(Field::Handle)) {
        (Some(id), _) => (Some(id), false),
        (None, Some(handle)) => (Some(handle), true),
        (None, None) => (None, false),
    };
    let rating = trimmed(Field::Rating).map(|r| {
        // A rating that is not a whole number (4.5) is out of range as far as the shopper's
        // rule goes; "5.0" is five.
        r.parse::<i64>()
            .ok()
            .or_else(|| {
                r.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            })
            .unwrap_or(0)
    });
    let review = NewReview {
        product,
        rating,
        title: Some(cell(Field::Title)),
        body: Some(cell(Field::Body)),
        author: Some(cell(Field::Author)),
        email: trimmed(Field::Email),
        locale: trimmed(Field::Locale).map(|l| l.to_ascii_lowercase()),
        ..NewReview::default()
    };
    let review = review.validate().map_err(|problems| {
        for (field, text) in problems.0 {
            let field = match field {
                "product" if by_handle => Field::Handle,
                "product" => Field::Product,
                "rating" => Field::Rating,
                "title" => Field::Title,
                "body" => Field::Body,
                "author" => Field::Author,
                "email" => Field::Email,
                "locale" => Field::Locale,
                _ => Field::Body,
            };
            problem(field, text.to_string());
        }
    });

    let source_id = trimmed(Field::SourceId);
    if let Some(id) = &source_id
        && let Err(text) = SOURCE_ID_RULE.check(id)
    {
        problem(Field::SourceId, text.to_string());
    }
    let mut time = |field: Field| {
        let raw = trimmed(field)?;
        // Only Judge.me documents dd/mm/yyyy; elsewhere 3/4/2024 may as well be March.
        let parsed = if columns.format == ImportFormat::JudgeMe {
            parse_export_time(&raw).or_else(|| parse_day_month_year(&raw))
        } else {
            parse_export_time(&raw)
        };
        if parsed.is_none() {
            problem(field, FieldProblem::NotATime.to_string());
        }
        parsed
    };
    let created_at = time(Field::CreatedAt);
    let reply_at = time(Field::ReplyAt);

    // A reply the other system kept private stays private: it is not imported.
    let public = trimmed(Field::ReplyPublic).is_none_or(|p| !is_no(&p));
    let reply = if public {
        cell(Field::Reply)
    } else {
        String::new()
    };
    if let Err(text) = REPLY_RULE.check(&reply) {
        problem(Field::Reply, text.to_string());
    }
    let reply = (!reply.trim().is_empty()).then_some(reply);
    let photos = crate::photos::photo_urls(&cell(Field::Photos)).unwrap_or_else(|text| {
        problem(Field::Photos, text.to_string());
        Vec::new()
    });
    let status = trimmed(Field::Status).map_or(ReviewStatus::Published, |s| status_of(&s));
    let verified = trimmed(Field::Verified).is_some_and(|v| is_yes(&v));

    match review {
        Ok(review) if errors.is_empty() => Ok(ImportRow {
            line,
            source_id,
            review,
            created_at,
            reply: reply.clone(),
            reply_at: reply.and(reply_at),
            status,
            verified,
            photos,
            by_handle,
        }),
        _ => Err(errors),
    }
}

/// Why a review of the shop itself (Yotpo's site reviews) is not imported.
const SHOP_REVIEW: &str = "is a review of the shop, not of a product";

fn is_yes(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "yes" | "1" | "verified_buyer" | "verified buyer" | "verified-buyer"
    )
}

fn is_no(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "false" | "no" | "0" | "private"
    )
}

/// A review's standing in another system, in memnun's words: published or approved ones are
/// published, spam and rejected ones rejected, and the rest (not yet curated, unpublished,
/// unknown) held for the merchant to decide.
fn status_of(value: &str) -> ReviewStatus {
    match value.trim().to_ascii_lowercase().as_str() {
        "published" | "ok" | "approved" | "true" | "yes" => ReviewStatus::Published,
        "rejected" | "spam" | "deleted" | "archived" => ReviewStatus::Rejected,
        _ => ReviewStatus::Pending,
    }
}

fn serialize_review<S: Serializer>(review: &ValidReview, serializer: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Wire<'a> {
        product: &'a str,
        rating: u8,
        title: &'a str,
        body: &'a str,
        author: &'a str,
        email: Option<&'a str>,
        locale: Option<&'a str>,
    }
    Wire {
        product: review.product.as_str(),
        rating: review.rating,
        title: &review.title,
        body: &review.body,
        author: &review.author,
        email: review.email.as_deref(),
        locale: review.locale.as_deref(),
    }
    .serialize(serializer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn row<'a>(product: &'a str, title: &'a str, body: &'a str, author: &'a str) -> ExportRow<'a> {
        ExportRow {
            id: "r0123456789abcdef01234567",
            product,
            rating: 4,
            title,
            body,
            author,
            email: None,
            locale: Some("tr"),
            status: "published",
            hold_reason: None,
            verified: false,
            order: None,
            helpful: 0,
            reply: None,
            created_at: 1_795_446_412_123,
        }
    }

    fn import(text: &str) -> (Vec<ImportRow>, Vec<RefusedRow>) {
        let parsed = parse_import(text.as_bytes()).unwrap();
        (parsed.rows, parsed.refused)
    }

    #[test]
    fn neutralise_guards_formulas_and_unneutralise_undoes_it() {
        assert_eq!(neutralise("=1+2"), "'=1+2");
        assert_eq!(neutralise("+90 555"), "'+90 555");
        assert_eq!(neutralise("-5"), "'-5");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("\t=x"), "'\t=x");
        assert_eq!(neutralise("\rx"), "'\rx");
        assert_eq!(neutralise("'-5"), "''-5");
        assert_eq!(neutralise("''="), "'''=");
        assert!(matches!(neutralise("Güzel"), Cow::Borrowed("Güzel")));
        assert_eq!(neutralise("'"), "'");
        assert_eq!(neutralise("'quoted'"), "'quoted'");
        assert_eq!(neutralise("a=b"), "a=b");
        assert_eq!(neutralise(" =1"), " =1");
        assert_eq!(unneutralise("'=1"), "=1");
        assert_eq!(unneutralise("'hello"), "'hello");
        assert_eq!(unneutralise("'"), "'");

        let cases = [
            "",
            "'",
            "''",
            "'''",
            "''=",
            "'=",
            "=",
            "-5",
            "'-5",
            "''-5",
            "=1+2",
            "@SUM(A1)",
            "\t=x",
            "'\t=x",
            "\r",
            "'\r\n",
            "+",
            "'+1",
            "a",
            "'a",
            "''a",
            "ğüşıöçİ",
            "-",
            "'@",
            "x'=",
            " -1",
            "\n=1",
            "=HYPERLINK(\"http://x\")",
        ];
        for s in cases {
            let n = neutralise(s);
            assert_eq!(unneutralise(&n), s, "{s:?}");
            assert!(!n.starts_with(crate::text::FORMULA_STARTS), "{s:?} → {n:?}");
        }
        // Every string of up to four characters from an alphabet of the characters that matter.
        let alphabet = ['\'', '=', '+', '-', '@', '\t', '\r', 'a', ' '];
        let mut strings = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(longer);
        }
        strings.sort();
        strings.dedup();
        assert!(strings.len() > 7000);
        for s in &strings {
            assert_eq!(unneutralise(&neutralise(s)), s, "{s:?}");
            assert!(
                !neutralise(s).starts_with(crate::text::FORMULA_STARTS),
                "{s:?}"
            );
        }
    }

    #[test]
    fn export_has_bom_header_and_crlf() {
        let out = export(&[row("sku-1", "Güzel", "İyi", "Ayşe")]);
        let header = format!("\u{feff}{}\r\n", EXPORT_COLUMNS.join(","));
        assert!(out.starts_with(&header), "{out:?}");
        assert_eq!(
            &out[header.len()..],
            "r0123456789abcdef01234567,sku-1,4,Güzel,İyi,Ayşe,,tr,published,,false,,0,,\
             2026-11-23T15:06:52.123Z\r\n"
        );
        assert_eq!(export(&[]), header);
    }

    #[test]
    fn export_round_trips_through_import() {
        let bodies = [
            "Rengi güzel, kumaşı \"çok\" yumuşak; ğüşıöçİ ĞÜŞIÖÇ",
            "Satır bir\r\nsatır iki\nsatır üç\rson",
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-1",
            "@SUM(A1)",
            "'=already quoted",
            "\t=x, with a tab",
            "a,b,c",
        ];
        let titles = [
            "İğne, iplik",
            "=1+2",
            "",
            "\"tırnak\"",
            "-",
            "@",
            "'",
            "''=",
            "x",
        ];
        let mut rows: Vec<ExportRow<'_>> = Vec::new();
        for (i, (body, title)) in bodies.iter().zip(titles).enumerate() {
            let mut r = row(
                if i % 2 == 0 { "sku-1" } else { "-sku.2" },
                title,
                body,
                "Ayşe Yılmaz",
            );
            r.rating = (i % 5) as u8 + 1;
            r.created_at = 1_795_446_412_123 + i as i64 * 1001;
            if i == 1 {
                r.email = Some("ayse@örnek.com.tr");
                r.locale = Some("en");
                r.reply = Some("Teşekkürler!\r\n=Mağaza");
                r.verified = true;
                r.order = Some("=ORDER-7");
                r.hold_reason = Some("low_rating");
                r.author = "@ayse";
            }
            if i == 2 {
                r.locale = None;
                r.author = "+Can, \"Ç\"";
            }
            rows.push(r);
        }
        let out = export(&rows);

        // A plain CSV reader sees no cell that a spreadsheet would run.
        let mut plain = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.trim_start_matches('\u{feff}').as_bytes());
        let mut records = 0;
        for record in plain.records() {
            let record = record.unwrap();
            assert_eq!(record.len(), 15);
            for cell in record.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
            records += 1;
        }
        assert_eq!(records, rows.len() + 1);

        let (imported, refused) = import(&out);
        assert_eq!(refused, vec![]);
        assert_eq!(imported.len(), rows.len());
        let mut line = 2;
        for (got, want) in imported.iter().zip(&rows) {
            assert_eq!(got.line, line);
            line += 1 + want.body.matches('\n').count() + want.body.matches('\r').count()
                - want.body.matches("\r\n").count()
                + want.reply.map_or(0, |r| r.matches('\n').count());
            assert_eq!(got.source_id.as_deref(), Some(want.id));
            assert_eq!(got.review.product.as_str(), want.product);
            assert_eq!(got.review.rating, want.rating);
            assert_eq!(got.review.title, want.title);
            assert_eq!(got.review.body, want.body);
            assert_eq!(got.review.author, want.author);
            assert_eq!(got.review.email.as_deref(), want.email);
            assert_eq!(got.review.locale.as_deref(), want.locale);
            assert_eq!(got.created_at, Some(want.created_at));
            assert_eq!(got.reply.as_deref(), want.reply);
        }
    }

    #[test]
    fn import_reads_a_hand_made_file() {
        let text = "  Product ; RATING;Body;author;Notes\n\
                    sku-1;5;Çok güzel;Ayşe;ignored\n\
                    \n\
                    ;;;;\n\
                    sku-2;3;\"Fena değil; ama\";Can;\n";
        let (rows, refused) = import(text);
        assert_eq!(refused, vec![]);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[1].line), (2, 5));
        assert_eq!(rows[1].review.body, "Fena değil; ama");
        assert_eq!(rows[0].source_id, None);
        assert_eq!(rows[0].created_at, None);
        assert_eq!(rows[0].reply, None);
        assert_eq!(rows[0].review.title, "");

        // Decomposed letters are composed, and times in any documented form are read.
        let text = "product,rating,body,author,created_at,locale,email\n\
                    sku-1,4,s\u{327}ahane,Ays\u{327}e,2026-11-23,TR, a@b.co \n";
        let (rows, refused) = import(text);
        assert_eq!(refused, vec![]);
        assert_eq!(rows[0].review.body, "şahane");
        assert_eq!(rows[0].review.author, "Ayşe");
        assert_eq!(rows[0].created_at, Some(1_795_392_000_000));
        assert_eq!(rows[0].review.locale.as_deref(), Some("tr"));
        assert_eq!(rows[0].review.email.as_deref(), Some("a@b.co"));
    }

    #[test]
    fn refused_rows_name_their_line_and_fields() {
        let text = "product,rating,body,author,created_at,reply,id\r\n\
                    sku-1,5,İyi,Ayşe,,,a1\r\n\
                    ,6,,Can,2026-02-30,,a2\r\n\
                    sku 3,four,\"two\r\nlines\",Ali,,,a3\r\n\
                    sku-4,2\r\n\
                    sku-5,3,ok,Ece,2026-11-23T10:00:00Z,,a5,extra\r\n\
                    sku-6,1,ok,\"A\u{7}\",yesterday,\"x\u{0}\",\r\n";
        let (rows, refused) = import(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].source_id.as_deref(), Some("a1"));
        let lines: Vec<usize> = refused.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 6, 7, 8]);
        let fields = |i: usize| refused[i].errors.keys().cloned().collect::<Vec<_>>();
        assert_eq!(fields(0), vec!["body", "created_at", "product", "rating"]);
        assert_eq!(refused[0].errors["product"], "is required");
        assert_eq!(
            refused[0].errors["rating"],
            "must be a whole number from 1 to 5"
        );
        assert_eq!(
            refused[0].errors["created_at"],
            "must be a date like 2026-11-23 or 2026-11-23T15:06:52Z"
        );
        assert_eq!(fields(1), vec!["product", "rating"]);
        assert_eq!(
            refused[2].errors["row"],
            "has 2 cells where the header has 7"
        );
        assert_eq!(
            refused[3].errors["row"],
            "has 8 cells where the header has 7"
        );
        assert_eq!(fields(4), vec!["author", "created_at", "reply"]);
        assert_eq!(
            refused[4].errors["author"],
            "must not contain control characters"
        );

        let json = serde_json::to_value(&refused[0]).unwrap();
        assert_eq!(json["line"], 3);
        assert_eq!(json["errors"]["product"], "is required");
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(json["review"]["product"], "sku-1");
        assert_eq!(json["source_id"], "a1");
    }

    #[test]
    fn line_numbers_are_an_editors_despite_blank_lines_and_any_line_ends() {
        let text = "\r\nproduct,rating,body,author\r\n\r\n\r\nx y,5,a,b\r\n,5,\"1\r2\n3\r\n4\",b\r\r\n\n x y,5,a,b\n";
        let (_, refused) = import(text);
        let lines: Vec<usize> = refused.iter().map(|r| r.line).collect();
        // Line 6's body runs to line 9; lines 10 and 11 are blank.
        assert_eq!(lines, vec![5, 6, 12]);
    }

    #[test]
    fn long_source_ids_and_replies_are_refused() {
        let text = format!(
            "id,product,rating,body,author,reply\n{},sku-1,5,ok,Ayşe,{}\n",
            "i".repeat(129),
            "r".repeat(5001)
        );
        let (_, refused) = import(&text);
        assert_eq!(refused[0].errors["id"], "must be at most 128 characters");
        assert_eq!(
            refused[0].errors["reply"],
            "must be at most 5000 characters"
        );
    }

    #[test]
    fn files_that_are_not_tables_of_reviews() {
        assert_eq!(parse_import(b""), Err(ImportError::NoHeader));
        assert_eq!(
            parse_import("\u{feff}\r\n\r\n".as_bytes()),
            Err(ImportError::NoHeader)
        );
        assert_eq!(
            parse_import(b"product,rating\xff\n"),
            Err(ImportError::NotUtf8)
        );
        assert_eq!(
            parse_import(b"Product,Stars,Text,author\nsku,5,x,y\n"),
            Err(ImportError::MissingColumns(vec!["rating", "body"]))
        );
        let (rows, refused) = import("\u{feff}product,rating,body,author\r\n");
        assert!(rows.is_empty() && refused.is_empty());
        assert_eq!(
            ImportError::MissingColumns(vec!["rating"]).to_string(),
            "The header line lacks the required column rating."
        );
        assert_eq!(
            ImportError::MissingColumns(vec!["rating", "body"]).to_string(),
            "The header line lacks the required columns rating, body."
        );
        assert_eq!(
            ImportError::TooManyRows { max: 1000 }.to_string(),
            "The file has more than 1000 reviews; split it into files of at most 1000."
        );
    }

    #[test]
    fn too_many_rows() {
        let file = |n: usize| {
            let mut text = String::from("product,rating,body,author\n");
            for i in 0..n {
                text.push_str(&format!("sku-{i},5,Güzel,Ayşe\n\n"));
            }
            text
        };
        let (rows, _) = import(&file(MAX_IMPORT_ROWS));
        assert_eq!(rows.len(), MAX_IMPORT_ROWS);
        assert_eq!(rows.last().unwrap().line, 2 * MAX_IMPORT_ROWS);
        assert_eq!(
            parse_import(file(MAX_IMPORT_ROWS + 1).as_bytes()),
            Err(ImportError::TooManyRows {
                max: MAX_IMPORT_ROWS
            })
        );
    }

    fn sample(name: &str) -> ParsedImport {
        let path = format!(
            "{}/../tests/fixtures/review-imports/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        parse_import(&std::fs::read(&path).expect("sample file")).expect(name)
    }

    fn refusal(parsed: &ParsedImport, line: usize) -> Vec<(&str, &str)> {
        parsed
            .refused
            .iter()
            .find(|r| r.line == line)
            .unwrap_or_else(|| panic!("line {line} refused"))
            .errors
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn judge_me_export() {
        let parsed = sample("judge-me.csv");
        assert_eq!(parsed.format, ImportFormat::JudgeMe);
        let [ok, spam, pending] = &parsed.rows[..] else {
            panic!("three rows: {:?}", parsed.refused)
        };
        assert_eq!(ok.review.product.as_str(), "8812736512044", "by id first");
        assert!(!ok.by_handle);
        assert_eq!(ok.review.author, "Ayşe K.");
        assert_eq!(ok.review.email.as_deref(), Some("ayse.k@example.com"));
        assert_eq!(ok.created_at, parse_timestamp("2024-03-04T10:11:12Z"));
        assert_eq!(ok.status, ReviewStatus::Published);
        assert_eq!(ok.reply.as_deref(), Some("Teşekkür ederiz!"));
        assert_eq!(ok.reply_at, parse_timestamp("2024-03-05T09:00:00Z"));
        assert_eq!(
            ok.photos,
            [
                "https://judgeme.imgix.net/shop/a.jpg",
                "https://judgeme.imgix.net/shop/b.jpg"
            ]
        );
        assert_eq!(spam.status, ReviewStatus::Rejected);
        assert_eq!(pending.status, ReviewStatus::Pending);
        assert_eq!(pending.review.product.as_str(), "keten-gomlek");
        assert!(pending.by_handle);
        assert_eq!(
            pending.created_at,
            parse_timestamp("2024-03-05"),
            "dd/mm/yyyy"
        );
        assert_eq!(
            refusal(&parsed, 5),
            [("product_id", "is required")],
            "a shop review"
        );
    }

    #[test]
    fn yotpo_export() {
        let parsed = sample("yotpo.csv");
        assert_eq!(parsed.format, ImportFormat::Yotpo);
        let [published, pending] = &parsed.rows[..] else {
            panic!("two rows: {:?}", parsed.refused)
        };
        assert_eq!(published.source_id.as_deref(), Some("512345678"));
        assert_eq!(published.review.product.as_str(), "8812736610348");
        assert_eq!(published.review.title, "Keten çok iyi");
        assert_eq!(published.review.rating, 4);
        assert!(published.verified, "verified_buyer");
        assert_eq!(published.photos.len(), 2, "separated by semicolons");
        assert_eq!(
            published.reply.as_deref(),
            Some("Güzel yorumunuz için teşekkürler.")
        );
        assert_eq!(published.reply_at, parse_timestamp("2023-11-03T08:00:00Z"));
        assert_eq!(pending.status, ReviewStatus::Pending);
        assert!(
            !pending.verified,
            "a verified reviewer is no verified buyer"
        );
        assert_eq!(pending.reply, None, "a private comment stays private");
        assert_eq!(pending.reply_at, None);
        assert_eq!(
            refusal(&parsed, 3),
            [("Product ID", SHOP_REVIEW)],
            "a site review is no product's"
        );
        assert_eq!(refusal(&parsed, 5)[0].0, "Review Score", "4.5 stars");

        let legacy = sample("yotpo-legacy.csv");
        assert_eq!(legacy.format, ImportFormat::Yotpo);
        let statuses: Vec<_> = legacy.rows.iter().map(|r| r.status).collect();
        assert_eq!(statuses, [ReviewStatus::Published, ReviewStatus::Pending]);
        assert_eq!(legacy.rows[0].reply.as_deref(), Some("Afiyetle kullanın."));
        assert_eq!(legacy.rows[0].review.author, "Hakan");
    }

    #[test]
    fn okendo_file() {
        let parsed = sample("okendo.csv");
        assert_eq!(parsed.format, ImportFormat::Okendo);
        let [approved, pending, rejected] = &parsed.rows[..] else {
            panic!("three rows: {:?}", parsed.refused)
        };
        assert_eq!(approved.review.product.as_str(), "8812736700001");
        assert!(approved.verified);
        assert_eq!(approved.photos.len(), 2);
        assert_eq!(
            approved.created_at,
            parse_timestamp("2025-09-12T16:36:26.905Z")
        );
        assert_eq!(approved.reply.as_deref(), Some("Teşekkürler Burak Bey!"));
        assert_eq!(pending.status, ReviewStatus::Pending);
        assert_eq!(pending.review.product.as_str(), "fincan-tabagi");
        assert!(pending.by_handle);
        assert_eq!(pending.reply, None, "replyIsPublic false");
        assert_eq!(rejected.status, ReviewStatus::Rejected);
        assert_eq!(
            refusal(&parsed, 5),
            [(
                "dateCreated",
                "must be a date like 2026-11-23 or 2026-11-23T15:06:52Z"
            )]
        );
    }

    #[test]
    fn shopify_product_reviews_export() {
        let parsed = sample("shopify-product-reviews.csv");
        assert_eq!(parsed.format, ImportFormat::ShopifyProductReviews);
        let statuses: Vec<_> = parsed
            .rows
            .iter()
            .map(|r| (r.status, r.by_handle))
            .collect();
        assert_eq!(
            statuses,
            [
                (ReviewStatus::Published, true),
                (ReviewStatus::Pending, true),
                (ReviewStatus::Rejected, true)
            ]
        );
        let first = &parsed.rows[0];
        assert_eq!(first.created_at, parse_timestamp("2023-06-01T14:00:00Z"));
        assert_eq!(first.reply_at, parse_timestamp("2023-06-02T12:00:00Z"));
        assert_eq!(refusal(&parsed, 5)[0].0, "rating");
    }

    #[test]
    fn export_times_in_the_forms_tools_write_them() {
        let at = parse_timestamp("2024-03-04T10:11:12Z");
        for raw in [
            "2024-03-04 10:11:12 UTC",
            "2024-03-04 10:11:12",
            "2024-03-04T10:11:12",
            "2024-03-04 13:11:12 +0300",
            "2024-03-04 13:11:12 +03:00",
            "2024-03-04T10:11:12Z",
        ] {
            assert_eq!(parse_export_time(raw), at, "{raw}");
        }
        assert_eq!(
            parse_day_month_year("4/3/2024"),
            parse_timestamp("2024-03-04")
        );
        assert_eq!(
            parse_export_time("4/3/2024"),
            None,
            "day first only where documented"
        );
        assert_eq!(parse_day_month_year("31/02/2024"), None);
        for bad in ["2024-03-04 10:11:12 EST", "2024/03/04", "yesterday"] {
            assert_eq!(parse_export_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn memnun_files_keep_status_and_verified() {
        let (rows, refused) = import(
            "product,rating,body,author,status,verified\n\
             p1,5,İyi,A,rejected,true\n\
             p1,4,Güzel,B,,\n",
        );
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(
            rows.iter()
                .map(|r| (r.status, r.verified))
                .collect::<Vec<_>>(),
            [
                (ReviewStatus::Rejected, true),
                (ReviewStatus::Published, false)
            ]
        );
    }
}
