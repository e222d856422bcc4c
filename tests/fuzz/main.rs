//! Fuzzing of everything that reads what people type or upload: the spreadsheet reader, the text
//! folding and every field parser the importers apply to each cell. No input may panic. A short run
//! in `make test` (FUZZ_CASES, default 2,000 a target); `make fuzz` runs over 1,000,000 in all.
use hocvuso::person::{BirthDate, FullName, PhoneNumber};
use hocvuso::service::{progress, table};
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
