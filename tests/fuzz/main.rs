//! Fuzzing of everything that reads what people type or upload: the spreadsheet reader, the text
//! folding and every field parser the importers apply to each cell. No input may panic. A short run
//! in `make test` (FUZZ_CASES, default 2,000 a target); `make fuzz` runs over 1,000,000 in all.
use std::io::Write;

use hocvuso::person::{BirthDate, FullName, PhoneNumber};
use hocvuso::service::imports::table::Limits;
use hocvuso::service::{enrolments::progress, imports::table};
use hocvuso::text::fold;
use hocvuso::week::{IsoWeek, Period};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
}

fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value)) {
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    runner
        .run(&strategy, |value| {
            test(value);
            Ok(())
        })
        .unwrap();
}

/// Bytes that look like the files people upload: CSV text with Vietnamese, separators, quotes,
/// ragged rows, stray bytes, and the start of a zip (XLSX) file.
fn upload() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        Just("Họ và tên".to_string()),
        Just("Ngày sinh".to_string()),
        Just("0912 345 678".to_string()),
        Just("05/03/1990".to_string()),
        Just("\"a,b\"\"c\"".to_string()),
        "[\\PC]{0,12}",
    ];
    let text = prop::collection::vec(prop::collection::vec(cell, 0..6), 0..8).prop_map(|rows| {
        rows.iter().map(|r| r.join(if r.len() % 2 == 0 { "," } else { ";" })).collect::<Vec<_>>().join("\n")
    });
    prop_oneof![
        text.prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..256),
        prop::collection::vec(any::<u8>(), 0..256).prop_map(|mut b| {
            let mut zip = b"PK\x03\x04".to_vec();
            zip.append(&mut b);
            zip
        }),
    ]
}

#[test]
fn the_spreadsheet_reader_never_panics() {
    run(upload(), |bytes| {
        if let Ok(rows) = table::read(&bytes) {
            assert!(!rows.is_empty(), "a read file has its header");
            for header in &rows[0] {
                let _ = table::header_key(header);
            }
        }
    });
}

/// Limits small enough for a fuzz case to pass each of them cheaply.
const SMALL: Limits = Limits {
    rows: 40,
    columns: 20,
    cells: 400,
    text_bytes: 16 << 10,
    cell_bytes: 4 << 10,
    sheet_xml_bytes: 128 << 10,
    shared_strings_xml_bytes: 32 << 10,
    styles_xml_bytes: 64 << 10,
    workbook_xml_bytes: 16 << 10,
    zip_entries: 24,
    xml_depth: 16,
};

/// A column's letters: A for 0, XFD for 16,383, and on past it.
fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;")
}

/// A cell reference: near, far (past XFD and past row 1,048,576) or malformed.
fn reference() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => (0u32..30, 1u32..60).prop_map(|(c, r)| format!("{}{r}", column_letters(c))),
        2 => (0u32..20_000, 0u32..1_100_000).prop_map(|(c, r)| format!("{}{r}", column_letters(c))),
        1 => "[A-Za-z$]{0,8}[0-9]{0,9}",
        1 => "\\PC{0,6}".prop_map(|r| escape(&r)),
    ]
}

/// An attribute nobody expects, sometimes namespaced.
fn stray_attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => ("(x14ac:)?[a-zA-Z]{1,6}", "\\PC{0,8}").prop_map(|(name, value)| format!(r#" {name}="{}""#, escape(&value))),
    ]
}

/// Text as XML writes it: plain, with entities (known, unknown, broken), OOXML escapes, or junk.
fn xml_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("Lò Văn Pao".to_string()),
        2 => Just("a &amp; b &lt;c&gt; &#272;&#x1EA1;".to_string()),
        1 => Just("&bogus; &#0; &#xFFFFFFFF;".to_string()),
        2 => Just("_x000D__x005F_x0041_ _x12".to_string()),
        4 => Just("0".to_string()),
        2 => Just("32937.5".to_string()),
        2 => Just("60".to_string()),
        2 => Just("-1e308".to_string()),
        2 => Just("99999999999999999999".to_string()),
        2 => Just("NaN".to_string()),
        2 => Just("2026-11-29T00:00:00Z".to_string()),
        4 => "[0-9]{1,2}",
        4 => "\\PC{0,10}".prop_map(|t| escape(&t)),
        1 => "\\PC{0,6}",
    ]
}

/// A `<c>`: any reference, type and style, its value as `<v>`, `<is>` (with runs and phonetic
/// guides), a formula, or nothing.
fn cell() -> impl Strategy<Value = String> {
    let kind = prop::option::of(prop_oneof![
        Just("s"),
        Just("inlineStr"),
        Just("str"),
        Just("b"),
        Just("e"),
        Just("d"),
        Just("n"),
        Just("zz")
    ]);
    (prop::option::of(reference()), kind, prop::option::of(0u32..12), xml_text(), 0u8..5, stray_attribute()).prop_map(
        |(r, t, s, text, form, stray)| {
            let mut c = "<c".to_string();
            if let Some(r) = r {
                c += &format!(r#" r="{r}""#);
            }
            if let Some(t) = t {
                c += &format!(r#" t="{t}""#);
            }
            if let Some(s) = s {
                c += &format!(r#" s="{s}""#);
            }
            c += &stray;
            match form {
                0 => c + "/>",
                1 => c + &format!("><v>{text}</v></c>"),
                2 => c + &format!("><is><t>{text}</t></is></c>"),
                3 => {
                    c + &format!(
                        r#"><is><r><t xml:space="preserve">{text} </t></r><rPh><t>ロ</t></rPh><r><t>x</t></r></is></c>"#
                    )
                }
                _ => c + &format!("><f>SUM(A1)</f><v>{text}</v></c>"),
            }
        },
    )
}

fn row() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        2 => Just(None),
        3 => (1u32..60).prop_map(|r| Some(r.to_string())),
        1 => (0u32..1_100_000).prop_map(|r| Some(r.to_string())),
        1 => "\\PC{0,5}".prop_map(|r| Some(escape(&r))),
    ];
    (number, prop::collection::vec(cell(), 0..4), stray_attribute()).prop_map(|(r, cells, stray)| {
        let r = r.map(|r| format!(r#" r="{r}""#)).unwrap_or_default();
        format!("<row{r}{stray}>{}</row>", cells.concat())
    })
}

/// Highly compressible repetition: small in the zip, past the (small) limits once unpacked.
fn bomb(unit: &'static str, most: usize) -> impl Strategy<Value = String> {
    prop_oneof![6 => Just(0), 1 => 0..most].prop_map(move |n| unit.repeat(n))
}

/// The parts of a workbook, each plausible or hostile.
#[derive(Debug, Clone)]
struct Workbook {
    sheet: String,
    shared_strings: Option<String>,
    styles: Option<String>,
    workbook: Option<String>,
    rels: Option<String>,
    extra_entries: usize,
    deflated: bool,
}

fn workbook() -> impl Strategy<Value = Workbook> {
    let dimension = prop_oneof![
        2 => Just(String::new()),
        2 => (reference(), reference()).prop_map(|(a, b)| format!(r#"<dimension ref="{a}:{b}"/>"#)),
        1 => "\\PC{0,12}".prop_map(|r| format!(r#"<dimension ref="{}"/>"#, escape(&r))),
    ];
    let sheet = (
        dimension,
        prop_oneof![3 => Just(0usize), 1 => 0usize..24],
        prop::collection::vec(row(), 0..6),
        prop_oneof![bomb("<row/>", 30_000), bomb("<row><c><v>1</v></c></row>", 6_000), bomb(" ", 150_000)],
        stray_attribute(),
    )
        .prop_map(|(dimension, depth, rows, bomb, stray)| {
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet{stray} xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}{}<sheetData><row r="1"><c t="inlineStr"><is><t>Họ tên</t></is></c></row>{}{bomb}</sheetData>{}</worksheet>"#,
                "<x>".repeat(depth),
                rows.concat(),
                "</x>".repeat(depth),
            )
        });
    let shared_strings = prop::option::of(
        (prop::collection::vec(xml_text(), 0..6), bomb("<si><t>Lò Văn Pao</t></si>", 2_000)).prop_map(
            |(items, bomb)| {
                let items: String = items.iter().map(|t| format!("<si><t>{t}</t></si>")).collect();
                format!("<sst>{items}<si><r><t>a</t></r><rPh><t>b</t></rPh></si><si/>{bomb}</sst>")
            },
        ),
    );
    let format = prop_oneof![Just("dd/mm/yyyy"), Just("\"ngày\" 0"), Just("[h]:mm"), Just("0.00%"), Just("\\d0")]
        .prop_map(str::to_string)
        .boxed();
    let styles = prop::option::of((format, prop::collection::vec(0u32..170, 0..10)).prop_map(|(code, xfs)| {
        let xfs: String = xfs.iter().map(|id| format!(r#"<xf numFmtId="{id}"/>"#)).collect();
        format!(
            r#"<styleSheet><numFmts><numFmt numFmtId="164" formatCode="{}"/></numFmts><cellXfs>{xfs}</cellXfs></styleSheet>"#,
            escape(&code)
        )
    }));
    let sheet_id =
        prop_oneof![Just("rId1".to_string()), Just("rId9".to_string()), "\\PC{0,4}".prop_map(|i| escape(&i))];
    let workbook_xml = prop::option::of((any::<bool>(), sheet_id).prop_map(|(date1904, id)| {
        format!(
            r#"<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="{}"/><sheets><sheet name="A" sheetId="1" r:id="{id}"/></sheets></workbook>"#,
            u8::from(date1904)
        )
    }));
    let target = prop_oneof![
        Just("worksheets/sheet1.xml".to_string()),
        Just("/xl/worksheets/sheet1.xml".to_string()),
        Just("worksheets/missing.xml".to_string()),
        "\\PC{0,8}".prop_map(|t| escape(&t)),
    ];
    let rels = prop::option::of(target.prop_map(|target| {
        format!(
            r#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{target}"/><Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
        )
    }));
    (sheet, shared_strings, styles, workbook_xml, rels, prop_oneof![5 => Just(0usize), 1 => 0usize..40], any::<bool>())
        .prop_map(|(sheet, shared_strings, styles, workbook, rels, extra_entries, deflated)| Workbook {
            sheet,
            shared_strings,
            styles,
            workbook,
            rels,
            extra_entries,
            deflated,
        })
}

impl Workbook {
    fn zip(&self) -> Vec<u8> {
        let method = if self.deflated { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let mut add = |path: &str, content: &str| {
            zip.start_file(path, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        };
        add("xl/worksheets/sheet1.xml", &self.sheet);
        for (path, part) in [
            ("xl/sharedStrings.xml", &self.shared_strings),
            ("xl/styles.xml", &self.styles),
            ("xl/workbook.xml", &self.workbook),
            ("xl/_rels/workbook.xml.rels", &self.rels),
        ] {
            if let Some(part) = part {
                add(path, part);
            }
        }
        for i in 0..self.extra_entries {
            add(&format!("xl/media/{i}.xml"), "<x/>");
        }
        zip.finish().unwrap().into_inner()
    }
}

/// Refused files are refused as a problem with the file; read ones keep within the limits.
fn check_read(bytes: &[u8], limits: &Limits) {
    match table::read_within(bytes, limits) {
        Ok(rows) => {
            assert!(rows.len() >= 2 && rows.len() <= limits.rows, "{} rows", rows.len());
            assert!(rows.iter().all(|row| row.len() <= limits.columns), "a row past {} columns", limits.columns);
            assert!(rows.iter().map(Vec::len).sum::<usize>() <= limits.cells, "more than {} cells", limits.cells);
        }
        Err(err) => assert!(err.field_problem("file").is_some(), "refused as {err:?}, not as a problem with the file"),
    }
}

#[test]
fn hostile_workbooks_are_refused_as_bad_files_and_never_panic() {
    run(workbook(), |workbook| {
        let bytes = workbook.zip();
        check_read(&bytes, &SMALL);
        check_read(&bytes, &Limits::UPLOAD);
    });
}

#[test]
fn cell_parsers_never_panic() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let now = chrono::Utc::now();
    run("\\PC{0,40}", |text| {
        let folded = fold(&text);
        assert_eq!(fold(&folded), folded, "folding twice changes nothing");
        let _ = FullName::parse(&text);
        let _ = PhoneNumber::parse(&text).map(|p| p.masked());
        let _ = BirthDate::parse(&text, today);
        let _ = hocvuso::person::citizen_id(&text);
        let _ = IsoWeek::parse(&text).map(|w| (w.previous(), w.next(), w.sunday()));
        let _ = Period::parse(&text).map(|p| p.to_string());
        let _ = progress::parse_completed_at(&text, now);
        let _ = hocvuso::person::mask_phone(&text);
    });
}
