//! A figures table, shown and downloadable as CSV from the same rows, so every table can be taken
//! to a spreadsheet: a byte-order mark (Excel then reads Turkish letters), CRLF line ends, every
//! cell quoted, text cells neutralised against formulas as the API's CSV exports are; numbers
//! are written as machines read them (`1234.56`), whatever the page's language.

use crate::Ctx;
use crate::api;
use crate::ui::ErrorLine;
use leptos::prelude::*;
use memnun_protocol::text::neutralise;

/// One cell: text a person or a shop typed (neutralised), or a number (written as it is).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    pub fn int(n: impl ToString) -> Cell {
        Cell::Number(n.to_string())
    }

    /// Minor units as a decimal with two places (`-1234` → `-12.34`).
    pub fn money(minor: i64) -> Cell {
        let sign = if minor < 0 { "-" } else { "" };
        Cell::Number(format!(
            "{sign}{}.{:02}",
            minor.abs() / 100,
            minor.abs() % 100
        ))
    }

    /// Tenths of a percent as a percentage (`333` → `33.3`), empty when there is none.
    pub fn tenths(value: Option<i64>) -> Cell {
        Cell::Number(value.map_or(String::new(), |v| {
            let sign = if v < 0 { "-" } else { "" };
            format!("{sign}{}.{}", v.abs() / 10, v.abs() % 10)
        }))
    }
}

pub fn csv(header: &[&str], rows: &[Vec<Cell>]) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = String::from('\u{feff}');
    let head: Vec<String> = header.iter().map(|h| quote(&neutralise(h))).collect();
    out.push_str(&head.join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => quote(&neutralise(t)),
                Cell::Number(n) => quote(n),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One table: its header and rows as shown (the first cell of a row heads it) and as the CSV
/// has them (a name per column; a machine's number per cell).
pub struct Table {
    pub id: &'static str,
    pub caption: String,
    pub header: Vec<(String, &'static str)>,
    pub rows: Vec<Vec<(String, Cell)>>,
}

/// The table, and "Download this table (CSV)" under it (`{id}.csv`).
#[component]
pub fn FiguresTable(table: Table) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let error = RwSignal::new(None::<String>);
    let names: Vec<&'static str> = table.header.iter().map(|(_, name)| *name).collect();
    let cells: Vec<Vec<Cell>> = table
        .rows
        .iter()
        .map(|row| row.iter().map(|(_, cell)| cell.clone()).collect())
        .collect();
    let filename = format!("{}.csv", table.id);
    let download =
        move |_| match api::save_text(&csv(&names, &cells), &filename, "text/csv;charset=utf-8") {
            Ok(()) => {
                error.set(None);
                ctx.say(ctx.words().table_downloaded);
            }
            Err(_) => error.set(Some(ctx.words().network_failed.into())),
        };
    view! {
        <div class="table-wrap">
            <table class="figures-table" id=table.id>
                <caption>{table.caption}</caption>
                <thead>
                    <tr>{table.header.into_iter().map(|(shown, _)| view! { <th scope="col">{shown}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {table.rows.into_iter().map(|row| {
                        let mut cells = row.into_iter().map(|(shown, _)| shown);
                        let head = cells.next().unwrap_or_default();
                        view! {
                            <tr>
                                <th scope="row">{head}</th>
                                {cells.map(|shown| view! { <td>{shown}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <button type="button" class="secondary csv" on:click=download>{ctx.words().download_csv}</button>
        <ErrorLine error=error />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_every_cell_and_defuses_only_text() {
        let rows = vec![vec![
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::money(-1234),
            Cell::tenths(Some(333)),
            Cell::tenths(None),
            Cell::int(7),
        ]];
        assert_eq!(
            csv(&["carrier", "revenue", "rate", "none", "n"], &rows),
            "\u{feff}\"carrier\",\"revenue\",\"rate\",\"none\",\"n\"\r\n\
             \"'=HYPERLINK(\"\"x\"\")\",\"-12.34\",\"33.3\",\"\",\"7\"\r\n"
        );
    }
}
