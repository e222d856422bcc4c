//! Spreadsheets in and out: CSV (UTF-8, with or without BOM, comma or semicolon) and XLSX.
//! Uploads are read cell by cell within `Limits`, so no file, however small, makes the server hold more.
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, BufReader, Cursor, Read};
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate};
use quick_xml::events::{BytesRef, BytesStart, Event};
use tokio::sync::Semaphore;

use crate::i18n::Text;
use crate::text::fold;
use crate::{Error, Result};

/// The most a file may weigh; larger ones are refused before they are read.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// What a table may hold once read and what its XLSX parts may unpack to. Past any of them the file
/// is refused with a message saying which.
#[derive(Clone, Debug)]
pub struct Limits {
    pub rows: usize,
    pub columns: usize,
    /// Cells kept, counting the empty ones that fill the gaps inside a row.
    pub cells: usize,
    pub text_bytes: usize,
    /// Text in one cell, and in one XML tag or run of text.
    pub cell_bytes: usize,
    pub sheet_xml_bytes: u64,
    pub shared_strings_xml_bytes: u64,
    pub styles_xml_bytes: u64,
    /// workbook.xml and its relationships, each.
    pub workbook_xml_bytes: u64,
    pub zip_entries: usize,
    pub xml_depth: usize,
}

impl Limits {
    /// For uploads: far above a province's file, far below what would exhaust the server. The
    /// messages (`Text::FileTooManyRows` …) say these numbers.
    pub const UPLOAD: Limits = Limits {
        rows: 1_000_000,
        columns: 200,
        cells: 2_000_000,
        text_bytes: 48 << 20,
        cell_bytes: 1 << 20,
        sheet_xml_bytes: 200 << 20,
        shared_strings_xml_bytes: 50 << 20,
        styles_xml_bytes: 10 << 20,
        workbook_xml_bytes: 1 << 20,
        zip_entries: 10_000,
        xml_depth: 64,
    };

    /// Refuses a cell at `row` (from 1) and `column` (from 0) past the rows or columns a table may have.
    fn check_position(&self, row: u64, column: u64) -> Parse<()> {
        if row > self.rows as u64 {
            Err(Text::FileTooManyRows)
        } else if column >= self.columns as u64 {
            Err(Text::FileTooManyColumns)
        } else {
            Ok(())
        }
    }
}

/// Why a file is refused: said to the person as the problem with the field "file".
type Parse<T> = std::result::Result<T, Text>;

/// A file's rows as text cells; the first row is the header.
pub fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    read_within(bytes, &Limits::UPLOAD)
}

/// `read` with other limits, so tests reach them with small files.
pub fn read_within(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<String>>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid("file", Text::FileTooLarge));
    }
    let grid = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(bytes, limits) } else { read_csv(bytes, limits) };
    let rows = grid.map_err(|problem| Error::invalid("file", problem))?.into_rows();
    // Rows with nothing in them (often at the end of a sheet) are not data.
    let rows: Vec<Vec<String>> =
        rows.into_iter().filter(|row| row.iter().any(|cell| !cell.trim().is_empty())).collect();
    if rows.len() < 2 {
        return Err(Error::invalid("file", Text::FileEmpty));
    }
    Ok(rows)
}

/// Files read at once across the server: a process-wide CPU and memory budget, each read holding up
/// to a few hundred MB.
static READERS: Semaphore = Semaphore::const_new(2);

/// How long an upload waits for its turn before the server says it is busy.
const TURN_WAIT: Duration = Duration::from_secs(10);

/// `read` off the async workers, two files at a time; `Error::Busy` when no turn comes within 10 s.
pub async fn read_uploaded(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    read_in_turn(&READERS, TURN_WAIT, bytes).await
}

async fn read_in_turn(readers: &'static Semaphore, wait: Duration, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    let turn = match tokio::time::timeout(wait, readers.acquire()).await {
        Ok(Ok(turn)) => turn,
        _ => return Err(Error::Busy(wait.as_secs().max(1) as u32)),
    };
    // Copied for the reading thread only once it has its turn, so waiting uploads hold one copy.
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || {
        // The turn ends with the read, even when the request that asked for it has gone.
        let _turn = turn;
        read(&bytes)
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "the file reader failed");
        Error::Internal
    })?
}

/// The cells read so far, row by row, with the limits checked as they grow: the one place cells are counted.
struct Grid<'l> {
    limits: &'l Limits,
    /// Row number (from 1) and cells; the gaps inside a row are empty strings.
    rows: Vec<(u64, Vec<String>)>,
    cells: usize,
    text_bytes: usize,
}

impl<'l> Grid<'l> {
    fn new(limits: &'l Limits) -> Self {
        Grid { limits, rows: Vec::new(), cells: 0, text_bytes: 0 }
    }

    /// Puts `text` at `row` (from 1) and `column` (from 0). Empty text takes no room and passes any limit.
    fn put(&mut self, row: u64, column: u64, text: String) -> Parse<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.limits.check_position(row, column)?;
        self.text_bytes += text.len();
        if text.len() > self.limits.cell_bytes || self.text_bytes > self.limits.text_bytes {
            return Err(Text::FileTooManyCells);
        }
        if self.rows.last().is_none_or(|(number, _)| *number != row) {
            if self.rows.len() >= self.limits.rows {
                return Err(Text::FileTooManyRows);
            }
            self.rows.push((row, Vec::new()));
        }
        let last = self.rows.len() - 1;
        let cells = &mut self.rows[last].1;
        let column = column as usize;
        if column >= cells.len() {
            self.cells += column + 1 - cells.len();
            if self.cells > self.limits.cells {
                return Err(Text::FileTooManyCells);
            }
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
        Ok(())
    }

    /// Drops the empty columns left of the first one used, as a sheet's used range starts there.
    fn trim_leading_columns(&mut self) {
        let first =
            self.rows.iter().filter_map(|(_, cells)| cells.iter().position(|c| !c.is_empty())).min().unwrap_or(0);
        for (_, cells) in &mut self.rows {
            cells.drain(..first.min(cells.len()));
        }
    }

    fn into_rows(mut self) -> Vec<Vec<String>> {
        self.rows.sort_by_key(|(number, _)| *number);
        self.rows.into_iter().map(|(_, cells)| cells).collect()
    }
}

/// CSV field by field (csv-core), so a line of 20 MB of separators is never held as a record.
fn read_csv<'l>(bytes: &[u8], limits: &'l Limits) -> Parse<Grid<'l>> {
    use csv_core::ReadFieldResult;
    let text = std::str::from_utf8(bytes).map_err(|_| Text::FileNotReadable)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let header = text.lines().next().unwrap_or_default();
    let delimiter = if header.matches(';').count() > header.matches(',').count() { b';' } else { b',' };
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let mut grid = Grid::new(limits);
    let (mut input, mut field, mut written) = (text.as_bytes(), vec![0; 1024], 0);
    let (mut row, mut column) = (1u64, 0u64);
    loop {
        let (result, read, wrote) = reader.read_field(input, &mut field[written..]);
        input = &input[read..];
        written += wrote;
        match result {
            // The next call, with no input left, tells the reader the file has ended.
            ReadFieldResult::InputEmpty => {}
            ReadFieldResult::OutputFull if field.len() > limits.cell_bytes => return Err(Text::FileTooManyCells),
            ReadFieldResult::OutputFull => field.resize(field.len() * 2, 0),
            ReadFieldResult::Field { record_end } => {
                let cell = std::str::from_utf8(&field[..written]).map_err(|_| Text::FileNotReadable)?;
                grid.put(row, column, cell.to_string())?;
                written = 0;
                column += 1;
                if record_end {
                    row += 1;
                    column = 0;
                }
            }
            ReadFieldResult::End => return Ok(grid),
        }
    }
}

/// XLSX cell by cell: the first sheet's XML is streamed, never built as a range, and every part is
/// unpacked within its limit whatever size the zip declares.
fn read_xlsx<'l>(bytes: &[u8], limits: &'l Limits) -> Parse<Grid<'l>> {
    // Every entry of a zip's directory starts with this signature: counting them first bounds what
    // the zip reader builds before anything is unpacked.
    if bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count() > limits.zip_entries {
        return Err(Text::FileTooLargeUnpacked);
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Text::FileNotReadable)?;
    let parts = read_workbook(&mut zip, limits)?;
    let date_styles = match open(&mut zip, &parts.styles, limits.styles_xml_bytes, limits)? {
        Some(xml) => read_date_styles(xml)?,
        None => Vec::new(),
    };
    let strings = match open(&mut zip, &parts.shared_strings, limits.shared_strings_xml_bytes, limits)? {
        Some(xml) => read_shared_strings(xml, limits)?,
        None => SharedStrings::default(),
    };
    let book = Book { strings, date_styles, date1904: parts.date1904 };
    let sheet = open(&mut zip, &parts.sheet, limits.sheet_xml_bytes, limits)?.ok_or(Text::FileNotReadable)?;
    let mut grid = read_sheet(sheet, &book, limits)?;
    grid.trim_leading_columns();
    Ok(grid)
}

type Archive<'b> = zip::ZipArchive<Cursor<&'b [u8]>>;

/// The part `name` of the workbook, to be read within `most` unpacked bytes; None when there is none.
fn open<'z>(zip: &'z mut Archive<'_>, name: &str, most: u64, limits: &Limits) -> Parse<Option<Part<impl Read + 'z>>> {
    match zip.by_name(name) {
        Ok(file) => Ok(Some(Part::new(file, most, limits))),
        Err(zip::result::ZipError::FileNotFound) => Ok(None),
        Err(_) => Err(Text::FileNotReadable),
    }
}

/// A limit passed while unpacking, carried out through the XML reader as an I/O error.
#[derive(Debug, thiserror::Error)]
#[error("refused: {0:?}")]
struct Refusal(Text);

/// A part's bytes as they unpack: refused one byte past `left`, and past `event_left` between two XML
/// events so that no tag or text grows without bound.
struct Unpacked<R> {
    inner: R,
    left: u64,
    event_left: usize,
}

impl<R: Read> Read for Unpacked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // One byte past a limit is enough to know it is passed.
        let most = usize::try_from(self.left.saturating_add(1)).unwrap_or(usize::MAX);
        let wanted = buf.len().min(most).min(self.event_left.saturating_add(1));
        let read = self.inner.read(&mut buf[..wanted])?;
        if read as u64 > self.left {
            return Err(io::Error::other(Refusal(Text::FileTooLargeUnpacked)));
        }
        if read > self.event_left {
            return Err(io::Error::other(Refusal(Text::FileTooManyCells)));
        }
        self.left -= read as u64;
        self.event_left -= read;
        Ok(read)
    }
}

/// The XML reader's buffer. What it reads ahead belongs to the next events, so each event may pull
/// this much more than `Limits::cell_bytes` before it is refused.
const READ_AHEAD: usize = 8 * 1024;

/// One XML part of the workbook, read event by event with its nesting bounded.
struct Part<R: Read> {
    xml: quick_xml::Reader<BufReader<Unpacked<R>>>,
    buf: Vec<u8>,
    depth: usize,
    max_depth: usize,
    event_bytes: usize,
}

impl<R: Read> Part<R> {
    fn new(inner: R, most: u64, limits: &Limits) -> Self {
        let event_bytes = limits.cell_bytes + READ_AHEAD;
        let unpacked = Unpacked { inner, left: most, event_left: event_bytes };
        Part {
            xml: quick_xml::Reader::from_reader(BufReader::with_capacity(READ_AHEAD, unpacked)),
            buf: Vec::new(),
            depth: 0,
            max_depth: limits.xml_depth,
            event_bytes,
        }
    }

    fn next(&mut self) -> Parse<Event<'_>> {
        self.buf.clear();
        self.xml.get_mut().get_mut().event_left = self.event_bytes;
        let event = self.xml.read_event_into(&mut self.buf).map_err(xml_problem)?;
        match event {
            Event::Start(_) if self.depth >= self.max_depth => return Err(Text::FileTooDeep),
            Event::Start(_) => self.depth += 1,
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(event)
    }
}

/// The reason for an XML part that could not be read: a limit passed while unpacking, or unreadable.
fn xml_problem(err: quick_xml::Error) -> Text {
    match &err {
        quick_xml::Error::Io(io) => {
            io.get_ref().and_then(|e| e.downcast_ref::<Refusal>()).map_or(Text::FileNotReadable, |r| r.0)
        }
        _ => Text::FileNotReadable,
    }
}

/// The value of the attribute whose local name is `name` (`r:id` answers to "id").
fn attribute<'t>(tag: &'t BytesStart<'_>, name: &str) -> Parse<Option<Cow<'t, str>>> {
    for attr in tag.attributes().with_checks(false) {
        let attr = attr.map_err(|_| Text::FileNotReadable)?;
        if attr.key.local_name().into_inner() == name {
            let value = attr.normalized_value(quick_xml::XmlVersion::Implicit1_0);
            return value.map(Some).map_err(|_| Text::FileNotReadable);
        }
    }
    Ok(None)
}

/// An entity in text: a character (`&#233;`) or one of XML's five (`&amp;`); any other is unreadable.
fn push_entity(entity: &BytesRef<'_>, out: &mut String) -> Parse<()> {
    match entity.resolve_char_ref() {
        Ok(Some(c)) => out.push(c),
        Ok(None) => out.push_str(quick_xml::escape::resolve_predefined_entity(entity).ok_or(Text::FileNotReadable)?),
        Err(_) => return Err(Text::FileNotReadable),
    }
    Ok(())
}

/// Undoes the `_xHHHH_` escapes OOXML writes for control characters ("_x000D_" is a carriage return).
fn unescape_ooxml(text: &str) -> Cow<'_, str> {
    if !text.contains("_x") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let escaped = rest
            .get(at + 2..at + 7)
            .filter(|e| e.ends_with('_') && e.bytes().take(4).all(|b| b.is_ascii_hexdigit()))
            .and_then(|e| u32::from_str_radix(&e[..4], 16).ok())
            .and_then(char::from_u32);
        match escaped {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Where the workbook keeps its first sheet, shared strings and styles, and which date system it counts in.
struct WorkbookParts {
    sheet: String,
    shared_strings: String,
    styles: String,
    date1904: bool,
}

/// Finds the first sheet through workbook.xml and its relationships; without them, sheet1.xml.
fn read_workbook(zip: &mut Archive<'_>, limits: &Limits) -> Parse<WorkbookParts> {
    let mut first_sheet = None;
    let mut date1904 = false;
    if let Some(mut xml) = open(zip, "xl/workbook.xml", limits.workbook_xml_bytes, limits)? {
        loop {
            match xml.next()? {
                Event::Start(tag) | Event::Empty(tag) => match tag.local_name().into_inner() {
                    "workbookPr" => date1904 = attribute(&tag, "date1904")?.is_some_and(|v| v == "1" || v == "true"),
                    "sheet" if first_sheet.is_none() => first_sheet = attribute(&tag, "id")?.map(Cow::into_owned),
                    _ => {}
                },
                Event::Eof => break,
                _ => {}
            }
        }
    }
    let mut parts = WorkbookParts {
        sheet: "xl/worksheets/sheet1.xml".into(),
        shared_strings: "xl/sharedStrings.xml".into(),
        styles: "xl/styles.xml".into(),
        date1904,
    };
    if let Some(mut xml) = open(zip, "xl/_rels/workbook.xml.rels", limits.workbook_xml_bytes, limits)? {
        loop {
            match xml.next()? {
                Event::Start(tag) | Event::Empty(tag) if tag.local_name().into_inner() == "Relationship" => {
                    let (Some(id), Some(kind), Some(target)) =
                        (attribute(&tag, "Id")?, attribute(&tag, "Type")?, attribute(&tag, "Target")?)
                    else {
                        continue;
                    };
                    if first_sheet.as_deref() == Some(&*id) {
                        parts.sheet = part_path(&target);
                    } else if kind.ends_with("/sharedStrings") {
                        parts.shared_strings = part_path(&target);
                    } else if kind.ends_with("/styles") {
                        parts.styles = part_path(&target);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    Ok(parts)
}

/// A relationship's target as a path in the zip: relative to `xl/`, or from the root when it starts with "/".
fn part_path(target: &str) -> String {
    match target.strip_prefix('/') {
        Some(path) => path.to_string(),
        None => format!("xl/{target}"),
    }
}

/// For each cell style (a cell's `s`, an index into cellXfs), whether it shows a date.
fn read_date_styles(mut xml: Part<impl Read>) -> Parse<Vec<bool>> {
    let mut custom = HashMap::new();
    let mut formats: Vec<u32> = Vec::new();
    let mut in_cell_xfs = false;
    loop {
        match xml.next()? {
            Event::Start(tag) if tag.local_name().into_inner() == "cellXfs" => in_cell_xfs = true,
            Event::End(tag) if tag.local_name().into_inner() == "cellXfs" => in_cell_xfs = false,
            Event::Start(tag) | Event::Empty(tag) => match tag.local_name().into_inner() {
                "numFmt" => {
                    let id = attribute(&tag, "numFmtId")?.and_then(|id| id.parse::<u32>().ok());
                    if let (Some(id), Some(code)) = (id, attribute(&tag, "formatCode")?) {
                        custom.insert(id, is_date_format(&code));
                    }
                }
                "xf" if in_cell_xfs => {
                    formats.push(attribute(&tag, "numFmtId")?.and_then(|id| id.parse().ok()).unwrap_or(0));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(formats.into_iter().map(|id| custom.get(&id).copied().unwrap_or_else(|| is_date_format_id(id))).collect())
}

/// Excel's built-in number formats that show a date or a time.
fn is_date_format_id(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a custom number format shows a date: a d, m or y outside quotes, brackets and escapes, in
/// its first section (the one for positive numbers).
fn is_date_format(code: &str) -> bool {
    let (mut quoted, mut bracketed) = (false, false);
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '[' => bracketed = true,
            ']' => bracketed = false,
            _ if bracketed => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => return false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' => return true,
            _ => {}
        }
    }
    false
}

/// The workbook's shared strings in one buffer: a cell of type "s" names one by its index.
#[derive(Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i] as usize);
        self.text.get(start..end)
    }

    fn end_item(&mut self) -> Parse<()> {
        self.ends.push(u32::try_from(self.text.len()).map_err(|_| Text::FileTooLargeUnpacked)?);
        Ok(())
    }
}

fn read_shared_strings(mut xml: Part<impl Read>, limits: &Limits) -> Parse<SharedStrings> {
    let mut strings = SharedStrings::default();
    let mut item = StringItem::default();
    let mut start = 0;
    loop {
        let event = xml.next()?;
        item.follow(&event, &mut strings.text)?;
        match event {
            Event::Start(tag) if tag.local_name().into_inner() == "si" => {
                item = StringItem::default();
                start = strings.text.len();
            }
            Event::Empty(tag) if tag.local_name().into_inner() == "si" => strings.end_item()?,
            Event::End(tag) if tag.local_name().into_inner() == "si" => strings.end_item()?,
            Event::Eof => return Ok(strings),
            _ => {}
        }
        if strings.text.len() - start > limits.cell_bytes {
            return Err(Text::FileTooManyCells);
        }
    }
}

/// The text of a string item (`<si>` of the shared strings, `<is>` of a cell): its runs' `<t>` joined,
/// phonetic guides (`<rPh>`) left out.
#[derive(Default)]
struct StringItem {
    run: Option<Run>,
    phonetic: usize,
}

/// A `<t>` being read: where its text starts in the output, and whether its outer spaces are kept.
struct Run {
    start: usize,
    keep_spaces: bool,
}

impl StringItem {
    /// Follows one event inside the item, adding its text to `out`.
    fn follow(&mut self, event: &Event<'_>, out: &mut String) -> Parse<()> {
        match event {
            Event::Start(tag) => match tag.local_name().into_inner() {
                "rPh" => self.phonetic += 1,
                "t" if self.phonetic == 0 => {
                    let keep_spaces = attribute(tag, "space")?.is_some_and(|v| v == "preserve");
                    self.run = Some(Run { start: out.len(), keep_spaces });
                }
                _ => {}
            },
            Event::End(tag) => match tag.local_name().into_inner() {
                "rPh" => self.phonetic = self.phonetic.saturating_sub(1),
                "t" => {
                    // A run is cut short only in a malformed file: its start may no longer be in `out`.
                    if let Some(run) = self.run.take()
                        && let Some(text) = out.get(run.start..)
                    {
                        let text = if run.keep_spaces { text } else { text.trim_matches([' ', '\t', '\r', '\n']) };
                        let text = unescape_ooxml(text).into_owned();
                        out.truncate(run.start);
                        out.push_str(&text);
                    }
                }
                _ => {}
            },
            Event::Text(text) if self.run.is_some() => out.push_str(&text.xml10_content()),
            Event::CData(text) if self.run.is_some() => out.push_str(&text.xml10_content()),
            Event::GeneralRef(entity) if self.run.is_some() => push_entity(entity, out)?,
            _ => {}
        }
        Ok(())
    }
}

/// What a sheet's cells refer to elsewhere in the workbook.
struct Book {
    strings: SharedStrings,
    date_styles: Vec<bool>,
    date1904: bool,
}

/// How a cell's value is written (its `t`).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Number,
    Shared,
    Inline,
    Formula,
    Bool,
    Error,
    Date,
}

impl Kind {
    fn of(t: Option<&str>) -> Kind {
        match t {
            Some("s") => Kind::Shared,
            Some("inlineStr") => Kind::Inline,
            Some("str") => Kind::Formula,
            Some("b") => Kind::Bool,
            Some("e") => Kind::Error,
            Some("d") => Kind::Date,
            _ => Kind::Number,
        }
    }
}

/// A cell being read: where it goes, how its value is written, its style.
struct CellStart {
    row: u64,
    column: u64,
    kind: Kind,
    style: usize,
}

impl CellStart {
    /// The cell as the person typed it: whole numbers without ".0", dates as dd/mm/yyyy, booleans as
    /// true/false, errors as Excel shows them.
    fn text(&self, value: &mut String, book: &Book) -> Parse<String> {
        Ok(match self.kind {
            Kind::Shared if value.trim().is_empty() => String::new(),
            Kind::Shared => {
                let index = value.trim().parse().ok();
                index.and_then(|i| book.strings.get(i)).ok_or(Text::FileNotReadable)?.to_string()
            }
            Kind::Inline | Kind::Error => std::mem::take(value),
            Kind::Formula => unescape_ooxml(value).into_owned(),
            Kind::Bool => match value.trim() {
                "1" | "true" => "true".to_string(),
                "0" | "false" => "false".to_string(),
                other => other.to_string(),
            },
            Kind::Date => match value.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
                Some(date) => date.format("%d/%m/%Y").to_string(),
                None => std::mem::take(value),
            },
            Kind::Number => {
                let Ok(number) = value.trim().parse::<f64>() else { return Ok(std::mem::take(value)) };
                let is_date = book.date_styles.get(self.style).copied().unwrap_or(false);
                match excel_date(number, book.date1904) {
                    Some(date) if is_date => date,
                    _ if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", number as i64),
                    _ => number.to_string(),
                }
            }
        })
    }
}

/// An Excel date serial as dd/mm/yyyy. The 1900 system counts from 1899-12-30 and keeps Lotus 1-2-3's
/// 29/02/1900 (serial 60); the 1904 system counts from 1904-01-01.
fn excel_date(serial: f64, date1904: bool) -> Option<String> {
    if !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let days = (serial * 86_400_000.0).round() as u64 / 86_400_000;
    let (epoch, days) = match (date1904, days) {
        (true, _) => (NaiveDate::from_ymd_opt(1904, 1, 1)?, days),
        (false, 60) => return Some("29/02/1900".to_string()),
        (false, ..60) => (NaiveDate::from_ymd_opt(1899, 12, 31)?, days),
        (false, _) => (NaiveDate::from_ymd_opt(1899, 12, 30)?, days),
    };
    let date = epoch.checked_add_days(Days::new(days)).filter(|d| d.year() <= 9999)?;
    Some(date.format("%d/%m/%Y").to_string())
}

/// A row number as written in `r`: digits, saturating when too large (then refused as too many rows).
fn row_number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0'))))
}

/// A cell reference such as "B12" as row (from 1) and column (from 0); columns past any limit saturate.
fn cell_ref(reference: &str) -> Option<(u64, u64)> {
    let letters = reference.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (column, row) = reference.split_at(letters);
    let row = row_number(row).filter(|r| *r > 0)?;
    if letters == 0 {
        return None;
    }
    let column = column
        .bytes()
        .fold(0u64, |n, b| n.saturating_mul(26).saturating_add(u64::from(b.to_ascii_uppercase() - b'A' + 1)));
    Some((row, column - 1))
}

/// Refuses a used range (`<dimension ref="A1:XFD1048576"/>`) that claims more than a table may hold.
fn check_dimension(tag: &BytesStart<'_>, limits: &Limits) -> Parse<()> {
    if let Some(range) = attribute(tag, "ref")? {
        for corner in range.split(':').filter_map(cell_ref) {
            limits.check_position(corner.0, corner.1)?;
        }
    }
    Ok(())
}

/// The cells of a sheet as they stream past; only cells with a value take room.
fn read_sheet<'l>(mut xml: Part<impl Read>, book: &Book, limits: &'l Limits) -> Parse<Grid<'l>> {
    let mut grid = Grid::new(limits);
    let mut in_data = false;
    let (mut row, mut next_column) = (0u64, 0u64);
    let mut cell: Option<CellStart> = None;
    let mut value = String::new();
    let mut in_value = false;
    let mut inline: Option<StringItem> = None;
    loop {
        let event = xml.next()?;
        if let Some(item) = &mut inline {
            item.follow(&event, &mut value)?;
        }
        match &event {
            Event::Start(tag) | Event::Empty(tag) => {
                let opens = matches!(event, Event::Start(_));
                match tag.local_name().into_inner() {
                    "dimension" => check_dimension(tag, limits)?,
                    "sheetData" => in_data = opens,
                    "row" if in_data => {
                        row = match attribute(tag, "r")? {
                            Some(r) => row_number(&r).filter(|r| *r > 0).ok_or(Text::FileNotReadable)?,
                            None => row.saturating_add(1),
                        };
                        next_column = 0;
                    }
                    "c" if in_data => {
                        let (at_row, column) = match attribute(tag, "r")? {
                            Some(r) => cell_ref(&r).ok_or(Text::FileNotReadable)?,
                            None if row == 0 => return Err(Text::FileNotReadable),
                            None => (row, next_column),
                        };
                        next_column = column.saturating_add(1);
                        if opens {
                            let kind = Kind::of(attribute(tag, "t")?.as_deref());
                            let style = attribute(tag, "s")?.and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
                            cell = Some(CellStart { row: at_row, column, kind, style });
                            value.clear();
                        }
                    }
                    "v" if opens && cell.as_ref().is_some_and(|c| c.kind != Kind::Inline) => in_value = true,
                    "is" if opens && cell.is_some() => inline = Some(StringItem::default()),
                    _ => {}
                }
            }
            Event::End(tag) => match tag.local_name().into_inner() {
                "sheetData" => in_data = false,
                "v" => in_value = false,
                "is" => inline = None,
                "c" => {
                    if let Some(done) = cell.take() {
                        let text = done.text(&mut value, book)?;
                        grid.put(done.row, done.column, text)?;
                    }
                }
                _ => {}
            },
            Event::Text(text) if in_value => value.push_str(&text.xml10_content()),
            Event::CData(text) if in_value => value.push_str(&text.xml10_content()),
            Event::GeneralRef(entity) if in_value => push_entity(entity, &mut value)?,
            Event::Eof => return Ok(grid),
            _ => {}
        }
        if value.len() > limits.cell_bytes {
            return Err(Text::FileTooManyCells);
        }
    }
}

/// What a file's header says, mapped by an import's own column names: where each known column is,
/// the titles it does not know (reported, never silently dropped), and a problem for every column
/// named twice, saying both titles. One rule for every import: a repeated column is refused,
/// since nothing tells which of the two the person meant.
pub struct Header<C> {
    pub columns: HashMap<C, usize>,
    pub unknown: Vec<String>,
    pub repeated: Vec<crate::error::FieldError>,
}

impl<C: Copy + Eq + std::hash::Hash> Header<C> {
    /// `aliases`: each column and the header names it is known by, as `header_key` reduces them.
    pub fn map(titles: &[String], aliases: &[(C, &[&str])]) -> Header<C> {
        let mut header = Header { columns: HashMap::new(), unknown: Vec::new(), repeated: Vec::new() };
        for (index, title) in titles.iter().enumerate() {
            let key = header_key(title);
            match aliases.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(column, _)| *column) {
                Some(column) => match header.columns.get(&column) {
                    Some(first) => header.repeated.push(crate::error::FieldError {
                        field: format!("{}, {}", titles[*first], title),
                        problem: Text::ColumnRepeated,
                    }),
                    None => {
                        header.columns.insert(column, index);
                    }
                },
                None if title.trim().is_empty() => {}
                None => header.unknown.push(title.clone()),
            }
        }
        header
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
        let _ = writer.flush();
    }
    out.extend(write_csv_rows(rows));
    out
}

/// More rows of a CSV begun by `write_csv`, for files sent page by page.
pub fn write_csv_rows(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
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
    use std::io::Write;

    use super::*;
    use crate::i18n::Lang;

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

    /// A zip of these parts (path, content), deflated.
    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (path, content) in parts {
            zip.start_file(*path, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A workbook of one sheet: `head` before its `<sheetData>` (a `<dimension>`, say), `rows` inside,
    /// and the other parts as given.
    fn workbook(head: &str, rows: &str, others: &[(&str, &[u8])]) -> Vec<u8> {
        let sheet = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{head}<sheetData>{rows}</sheetData></worksheet>"#
        );
        let mut parts = vec![("xl/worksheets/sheet1.xml", sheet.as_bytes())];
        parts.extend_from_slice(others);
        zip_of(&parts)
    }

    fn text(value: &str) -> String {
        format!(r#"<c t="inlineStr"><is><t>{value}</t></is></c>"#)
    }

    fn problem(bytes: &[u8], limits: &Limits) -> Option<Text> {
        read_within(bytes, limits).unwrap_err().field_problem("file")
    }

    #[test]
    fn one_far_cell_is_refused_without_building_the_range() {
        // The file that aborted the server: A1 and XFD1048576, 549,755,813,888 bytes as a dense range.
        let far = format!(r#"<row r="1">{}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#, text("a"));
        let bytes = workbook(r#"<dimension ref="A1:XFD1048576"/>"#, &far, &[]);
        assert_eq!(problem(&bytes, &Limits::UPLOAD), Some(Text::FileTooManyRows));
        let bytes = workbook("", &far, &[]);
        assert_eq!(problem(&bytes, &Limits::UPLOAD), Some(Text::FileTooManyRows));
        let wide = format!(r#"<row r="1">{}<c r="GS1"><v>1</v></c></row>"#, text("a"));
        assert_eq!(problem(&workbook("", &wide, &[]), &Limits::UPLOAD), Some(Text::FileTooManyColumns));
    }

    #[test]
    fn a_used_range_that_claims_more_than_a_table_may_hold_is_refused() {
        let rows = format!("<row>{}</row><row>{}</row>", text("Họ tên"), text("Lò Văn Pao"));
        for (range, refused) in [("A1:B1000001", Text::FileTooManyRows), ("A1:GS2", Text::FileTooManyColumns)] {
            let bytes = workbook(&format!(r#"<dimension ref="{range}"/>"#), &rows, &[]);
            assert_eq!(problem(&bytes, &Limits::UPLOAD), Some(refused), "{range}");
        }
        let within = workbook(r#"<dimension ref="A1:GR1000000"/>"#, &rows, &[]);
        assert_eq!(read(&within).unwrap(), vec![vec!["Họ tên"], vec!["Lò Văn Pao"]]);
    }

    #[test]
    fn a_deflate_bomb_in_the_shared_strings_or_the_sheet_is_refused() {
        let limits = Limits { shared_strings_xml_bytes: 1 << 20, sheet_xml_bytes: 1 << 20, ..Limits::UPLOAD };
        let strings = format!("<sst>{}</sst>", "<si><t>Lò Văn Pao</t></si>".repeat(60_000));
        let rows = format!("<row>{}</row>{}", text("a"), "<row/>".repeat(200_000));
        let strings_bomb = workbook("", "", &[("xl/sharedStrings.xml", strings.as_bytes())]);
        let sheet_bomb = workbook("", &rows, &[]);
        assert!(strings_bomb.len() < 20_000 && sheet_bomb.len() < 20_000, "small files that unpack past 1 MB");
        assert_eq!(problem(&strings_bomb, &limits), Some(Text::FileTooLargeUnpacked));
        assert_eq!(problem(&sheet_bomb, &limits), Some(Text::FileTooLargeUnpacked));
        // At the upload limits a run of 16 MB of spaces is refused at its first megabyte.
        let spaces = workbook(&" ".repeat(16 << 20), "", &[]);
        assert!(spaces.len() < 100_000);
        assert_eq!(problem(&spaces, &Limits::UPLOAD), Some(Text::FileTooManyCells));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "<x>".repeat(100), "</x>".repeat(100));
        assert_eq!(problem(&workbook(&deep, "", &[]), &Limits::UPLOAD), Some(Text::FileTooDeep));
        let shallow = format!("{}{}", "<x>".repeat(60), "</x>".repeat(60));
        let rows = format!("<row>{}</row><row>{}</row>", text("a"), text("b"));
        assert_eq!(read(&workbook(&shallow, &rows, &[])).unwrap(), vec![vec!["a"], vec!["b"]]);
    }

    #[test]
    fn a_sparse_row_within_the_limits_is_read_with_its_gaps_filled() {
        let rows = r#"<row r="2"><c r="B2" t="inlineStr"><is><t>Họ tên</t></is></c><c r="GR2" t="inlineStr"><is><t>SĐT</t></is></c></row><row r="999999"><c r="C999999"><v>7</v></c></row>"#;
        let rows = read(&workbook("", rows, &[])).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].len(), 199, "from B, the first column used, to GR, the 200th");
        assert_eq!((rows[0][0].as_str(), rows[0][198].as_str()), ("Họ tên", "SĐT"));
        assert!(rows[0][1..198].iter().all(String::is_empty));
        assert_eq!(rows[1], vec!["", "7"]);
    }

    #[test]
    fn too_many_cells_or_too_much_text_is_refused() {
        let limits = Limits { cells: 10, text_bytes: 40, ..Limits::UPLOAD };
        let wide = format!("<row>{}</row><row>{}</row>", text("a"), r#"<c r="K2"><v>1</v></c>"#);
        assert_eq!(problem(&workbook("", &wide, &[]), &limits), Some(Text::FileTooManyCells));
        let long = format!("<row>{}</row><row>{}</row>", text("a"), text(&"b".repeat(40)));
        assert_eq!(problem(&workbook("", &long, &[]), &limits), Some(Text::FileTooManyCells));
        let limits = Limits { rows: 2, ..Limits::UPLOAD };
        assert_eq!(problem(b"a\nb\nc\n", &limits), Some(Text::FileTooManyRows));
    }

    #[test]
    fn the_allowance_for_one_cell_is_not_spent_by_the_cells_after_it() {
        let limits = Limits { cell_bytes: 16, ..Limits::UPLOAD };
        let rows: String = (0..2_000).map(|i| format!("<row>{}</row>", text(&i.to_string()))).collect();
        assert_eq!(read_within(&workbook("", &rows, &[]), &limits).unwrap().len(), 2_000);
        let long = format!("<row>{}</row><row>{}</row>", text("a"), text(&"b".repeat(17)));
        assert_eq!(problem(&workbook("", &long, &[]), &limits), Some(Text::FileTooManyCells));
    }

    #[test]
    fn a_csv_is_held_to_the_same_limits() {
        // Separators alone make no cells: the line is empty, not 20 million cells.
        assert_eq!(read(&vec![b','; MAX_FILE_BYTES]).unwrap_err().field_problem("file"), Some(Text::FileEmpty));
        let wide = format!("a{}x\nb\n", ",".repeat(200));
        assert_eq!(read(wide.as_bytes()).unwrap_err().field_problem("file"), Some(Text::FileTooManyColumns));
        let limits = Limits { cells: 5, ..Limits::UPLOAD };
        assert_eq!(problem(b"a,b,c\nd,e,f\n", &limits), Some(Text::FileTooManyCells));
        let limits = Limits { cell_bytes: 2000, ..Limits::UPLOAD };
        assert_eq!(problem(format!("a\n{}\n", "b".repeat(5000)).as_bytes(), &limits), Some(Text::FileTooManyCells));
    }

    #[test]
    fn a_zip_of_too_many_parts_is_refused_before_it_is_opened() {
        let names: Vec<String> = (0..11).map(|i| format!("x/{i}.xml")).collect();
        let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"<x/>"[..])).collect();
        let limits = Limits { zip_entries: 10, ..Limits::UPLOAD };
        assert_eq!(problem(&zip_of(&parts), &limits), Some(Text::FileTooLargeUnpacked));
    }

    const STYLES: &str = r#"<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/><numFmt numFmtId="165" formatCode="&quot;ngày&quot;\ 0"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"#;

    #[test]
    fn a_date_cell_reads_as_day_month_year() {
        let rows = r#"<row><c t="inlineStr"><is><t>Ngày sinh</t></is></c></row><row><c s="1"><v>32937</v></c><c s="2"><v>32937.75</v></c><c s="3"><v>32937</v></c><c s="0"><v>32937</v></c><c s="1"><v>60</v></c><c s="1"><v>61</v></c><c s="1"><v>1</v></c></row>"#;
        let bytes = workbook("", rows, &[("xl/styles.xml", STYLES.as_bytes())]);
        assert_eq!(
            read(&bytes).unwrap()[1],
            vec!["05/03/1990", "05/03/1990", "32937", "32937", "29/02/1900", "01/03/1900", "01/01/1900"]
        );
        let workbook_xml = r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let bytes =
            workbook("", rows, &[("xl/styles.xml", STYLES.as_bytes()), ("xl/workbook.xml", workbook_xml.as_bytes())]);
        assert_eq!(read(&bytes).unwrap()[1][0], "06/03/1994", "the 1904 system counts 1,462 days later");

        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Ngày sinh").unwrap();
        let birth = ExcelDateTime::from_ymd(1990, 3, 5).unwrap();
        sheet.write_datetime_with_format(1, 0, &birth, &Format::new().set_num_format("dd/mm/yyyy")).unwrap();
        sheet.write_datetime_with_format(2, 0, &birth, &Format::new().set_num_format_index(14)).unwrap();
        let rows = read(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows, vec![vec!["Ngày sinh"], vec!["05/03/1990"], vec!["05/03/1990"]]);
    }

    #[test]
    fn cells_read_as_the_person_typed_them() {
        let strings = r#"<sst><si><t>Họ tên</t></si><si><r><t xml:space="preserve">Lò </t></r><r><t>Thị &amp; Dơ</t></r><rPh sb="0" eb="1"><t>ロ</t></rPh></si><si/></sst>"#;
        let rows = r#"<row><c t="s"><v>0</v></c></row><row><c t="s"><v>1</v></c><c><v>12.0</v></c><c><v>0.5</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c><c t="str"><f>A1</f><v>a_x000D_b</v></c><c t="inlineStr"><is><t>&#272;ội 1</t></is></c><c t="d"><v>2026-11-29T00:00:00Z</v></c><c t="s"><v>2</v></c></row>"#;
        let bytes = workbook("", rows, &[("xl/sharedStrings.xml", strings.as_bytes())]);
        assert_eq!(
            read(&bytes).unwrap(),
            vec![vec!["Họ tên"], vec!["Lò Thị & Dơ", "12", "0.5", "true", "#N/A", "a\rb", "Đội 1", "29/11/2026"]]
        );
        let out_of_range =
            workbook("", r#"<row><c t="s"><v>3</v></c></row>"#, &[("xl/sharedStrings.xml", strings.as_bytes())]);
        assert_eq!(problem(&out_of_range, &Limits::UPLOAD), Some(Text::FileNotReadable));
        let bad_reference = workbook("", r#"<row><c r="1A"><v>1</v></c></row>"#, &[]);
        assert_eq!(problem(&bad_reference, &Limits::UPLOAD), Some(Text::FileNotReadable));
    }

    #[test]
    fn the_first_sheet_is_found_through_the_workbook() {
        let workbook_xml = r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Học viên" sheetId="2" r:id="rId7"/><sheet name="B" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let rels = r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/hoc-vien.xml"/></Relationships>"#;
        let first =
            format!("<worksheet><sheetData><row>{}</row><row>{}</row></sheetData></worksheet>", text("a"), text("b"));
        let bytes = workbook(
            "",
            "",
            &[
                ("xl/workbook.xml", workbook_xml.as_bytes()),
                ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
                ("xl/worksheets/hoc-vien.xml", first.as_bytes()),
            ],
        );
        assert_eq!(read(&bytes).unwrap(), vec![vec!["a"], vec!["b"]]);
    }

    #[test]
    fn the_limits_are_said_in_the_messages() {
        let limits = Limits::UPLOAD;
        for (text, number) in [
            (Text::FileTooManyRows, limits.rows),
            (Text::FileTooManyColumns, limits.columns),
            (Text::FileTooManyCells, limits.cells),
            (Text::FileTooManyCells, limits.text_bytes >> 20),
            (Text::FileTooManyCells, limits.cell_bytes >> 20),
            (Text::FileTooLargeUnpacked, (limits.sheet_xml_bytes >> 20) as usize),
            (Text::FileTooLargeUnpacked, (limits.shared_strings_xml_bytes >> 20) as usize),
            (Text::FileTooLargeUnpacked, limits.zip_entries),
            (Text::FileTooDeep, limits.xml_depth),
        ] {
            for lang in [Lang::Vi, Lang::En] {
                let said = lang.count(number as i64);
                assert!(lang.t(text).contains(&said), "{text:?} in {lang:?} says {said}");
            }
        }
    }

    #[tokio::test]
    async fn a_third_upload_waits_its_turn_then_hears_the_server_is_busy() {
        static READERS: Semaphore = Semaphore::const_new(2);
        let csv = b"full_name\nLo Van Pao\n".to_vec();
        let _first = READERS.acquire().await.unwrap();
        let second = READERS.acquire().await.unwrap();
        let refused = read_in_turn(&READERS, Duration::from_millis(50), &csv).await;
        assert_eq!(refused.unwrap_err(), Error::Busy(1));
        drop(second);
        let rows = read_in_turn(&READERS, Duration::from_millis(50), &csv).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(READERS.available_permits(), 1, "the turn ended with the read");
    }
}
