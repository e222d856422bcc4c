//! Spreadsheets in and out: CSV (UTF-8, with or without BOM, comma or semicolon) and XLSX.
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::i18n::Text;
use crate::text::fold;
use crate::{Error, Result};

/// The most a file may weigh; larger ones are refused before they are read.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// A file's rows as text cells; the first row is the header.
pub fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid("file", Text::FileTooLarge));
    }
    let rows = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(bytes)? } else { read_csv(bytes)? };
    // Rows with nothing in them (often at the end of a sheet) are not data.
    let rows: Vec<Vec<String>> =
        rows.into_iter().filter(|row| row.iter().any(|cell| !cell.trim().is_empty())).collect();
    if rows.len() < 2 {
        return Err(Error::invalid("file", Text::FileEmpty));
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let text = std::str::from_utf8(bytes).map_err(|_| Error::invalid("file", Text::FileNotReadable))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            record
                .map(|r| r.iter().map(str::to_string).collect())
                .map_err(|_| Error::invalid("file", Text::FileNotReadable))
        })
        .collect()
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let unreadable = |_| Error::invalid("file", Text::FileNotReadable);
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let range =
        workbook.worksheet_range_at(0).ok_or(Error::invalid("file", Text::FileNotReadable))?.map_err(unreadable)?;
    Ok(range.rows().map(|row| row.iter().map(cell_text).collect()).collect())
}

/// A cell as the person typed it: whole numbers without ".0", dates as dd/mm/yyyy.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_datetime().map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|| d.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// A header cell reduced for matching: "Số điện thoại" → "so dien thoai", "full_name" → "full name".
pub fn header_key(header: &str) -> String {
    fold(&header.replace(['_', '-'], " ")).trim_end_matches(['*', ':']).trim().to_string()
}

/// Neutralises a cell a spreadsheet would run as a formula (= + - @, tab, carriage return).
pub fn formula_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() }
}

/// Writes rows as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly), formula-safe.
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let _ = writer.write_record(header);
        for row in rows {
            let _ = writer.write_record(row.iter().map(|cell| formula_safe(cell)));
        }
        let _ = writer.flush();
    }
    out
}

/// A spreadsheet cell: text stays text (never a formula); numbers and rates are real numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
    /// A fraction shown as a percentage with one decimal (0.76 → 76.0%).
    Rate(f64),
    Empty,
}

/// One sheet of a workbook: name, header, rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub header: &'a [&'a str],
    pub rows: Vec<Vec<Cell>>,
}

/// Writes rows as an XLSX sheet; every cell is written as text, never as a formula.
pub fn write_xlsx(sheet: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let rows = rows.iter().map(|r| r.iter().map(|c| Cell::Text(c.clone())).collect()).collect();
    write_workbook(&[Sheet { name: sheet, header, rows }])
}

/// Writes a workbook of several sheets with typed cells and a bold header row.
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let failed = |err: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %err, "xlsx export failed");
        Error::Internal
    };
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet.name).map_err(failed)?;
        for (col, title) in sheet.header.iter().enumerate() {
            worksheet.write_string_with_format(0, col as u16, *title, &bold).map_err(failed)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    // write_string stores text as text: "=1+1" stays a string, never a formula.
                    Cell::Text(text) => worksheet.write_string(r, col, formula_safe(text)).map(|_| ()),
                    Cell::Number(n) => worksheet.write_number(r, col, *n as f64).map(|_| ()),
                    Cell::Rate(x) => worksheet.write_number_with_format(r, col, *x, &percent).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(failed)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons_is_read() {
        let rows = read("\u{feff}Họ và tên;Số điện thoại\nNguyễn Văn A;0912 345 678\n;\n".as_bytes()).unwrap();
        assert_eq!(rows, vec![vec!["Họ và tên", "Số điện thoại"], vec!["Nguyễn Văn A", "0912 345 678"]]);
    }

    #[test]
    fn files_that_are_not_tables_are_refused_clearly() {
        assert_eq!(read(&[0xff, 0xfe, 0x00]).unwrap_err().field_problem("file"), Some(Text::FileNotReadable));
        assert_eq!(read(b"PK\x03\x04not a zip").unwrap_err().field_problem("file"), Some(Text::FileNotReadable));
        assert_eq!(read(b"full_name\n").unwrap_err().field_problem("file"), Some(Text::FileEmpty));
        assert_eq!(read(&vec![b'a'; MAX_FILE_BYTES + 1]).unwrap_err().field_problem("file"), Some(Text::FileTooLarge));
    }

    #[test]
    fn headers_match_without_case_marks_or_underscores() {
        assert_eq!(header_key("Số Điện Thoại"), "so dien thoai");
        assert_eq!(header_key("full_name"), "full name");
        assert_eq!(header_key(" Xã/Phường* "), "xa/phuong");
    }

    #[test]
    fn formulas_are_neutralised_in_exports() {
        assert_eq!(formula_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(formula_safe("+84912345678"), "'+84912345678");
        assert_eq!(formula_safe("-1"), "'-1");
        assert_eq!(formula_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(formula_safe("Nguyễn Văn A"), "Nguyễn Văn A");
        let csv = String::from_utf8(write_csv(&["a", "b"], &[vec!["=1+1".into(), "ok".into()]])).unwrap();
        assert_eq!(csv, "\u{feff}a,b\n'=1+1,ok\n");
    }

    #[test]
    fn xlsx_round_trips_as_text() {
        let bytes = write_xlsx("Học viên", &["Họ và tên", "Số điện thoại"], &[vec!["Lò Thị Dơ".into(), "=2+2".into()]])
            .unwrap();
        let rows = read(&bytes).unwrap();
        assert_eq!(rows, vec![vec!["Họ và tên", "Số điện thoại"], vec!["Lò Thị Dơ", "'=2+2"]]);
    }
}
