//! `include/wangge.h` must be exactly what the pinned cbindgen generates from this crate,
//! with the JSON shapes of `wangge::shapes` as its last section; every declaration is
//! commented, and every documented result shape has the keys of a real value.
//! Run with `WANGGE_BLESS_HEADER=1` (or `make header`) to regenerate it.

use std::collections::BTreeSet;
use std::ffi::{CStr, CString, c_char};
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use wangge::shapes::{self, Shape};

/// The header's last section: every shape, its meaning and one line per key.
fn shapes_section() -> String {
    let mut text = String::from(
        "/*\n * JSON shapes\n *\n * The keys of every JSON result and input, by the name the functions' comments\n \
         * use. Dates are YYYY-MM-DD; times RFC 3339 in the deployment's time zone (inputs may\n \
         * give a local time without an offset); a rate is {\"num\", \"den\", \"value\"}, value\n \
         * null when den is 0. An input refuses unknown keys.\n",
    );
    for (title, list) in [("Results", shapes::RESULTS), ("Inputs", shapes::INPUTS)] {
        let _ = writeln!(text, " *\n * {title}");
        for shape in list {
            let _ = writeln!(text, " *\n * {}: {}", shape.name, shape.meaning);
            for (key, meaning) in shape.keys {
                let _ = writeln!(text, " *   \"{key}\": {meaning}");
            }
        }
    }
    text.push_str(" */");
    text
}

/// The version macros after the includes: this crate's version and the C ABI's.
fn version_section() -> String {
    format!(
        "\n/* The version of the library this header comes with (MAJOR.MINOR.PATCH) and of its\n \
         * ABI, the number in the SONAME libwangge.so.ABI. wg_store_info reports the\n \
         * linked library's as \"library_version\" and \"abi_version\". */\n\
         #define WANGGE_VERSION_MAJOR {}\n#define WANGGE_VERSION_MINOR {}\n\
         #define WANGGE_VERSION_PATCH {}\n#define WANGGE_ABI_VERSION {}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
        wangge::ABI_VERSION,
    )
}

fn generated_header() -> Vec<u8> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(version_section());
    config.trailer = Some(shapes_section());
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    generated
}

fn committed_header() -> String {
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/wangge.h");
    std::fs::read_to_string(header).expect("include/wangge.h")
}

#[test]
fn committed_header_matches_the_generated_one() {
    let generated = generated_header();
    let header = Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/wangge.h");
    if std::env::var_os("WANGGE_BLESS_HEADER").is_some() {
        std::fs::write(&header, &generated).expect("write include/wangge.h");
        return;
    }
    let committed = std::fs::read(&header).unwrap_or_default();
    assert!(committed == generated, "include/wangge.h is stale: run `make header` and commit it");
}

#[test]
fn every_declaration_in_the_header_has_a_comment_before_it() {
    let header = committed_header();
    let lines: Vec<&str> = header.lines().collect();
    let mut bare = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let declares = line.contains("wg_")
            && !line.starts_with(' ')
            && !line.trim_start().starts_with("//")
            && !line.trim_start().starts_with('*')
            && (line.contains('(') || line.starts_with("typedef"));
        if !declares {
            continue;
        }
        let previous = i.checked_sub(1).map(|p| lines[p].trim_start());
        if !previous.is_some_and(|p| p.starts_with("//") || p.ends_with("*/")) {
            bare.push(*line);
        }
    }
    assert!(bare.is_empty(), "declarations without a comment: {bare:#?}");
}

#[test]
fn the_header_sends_no_reader_to_the_module_documentation() {
    let header = committed_header().to_lowercase();
    assert!(!header.contains("module documentation"));
    assert!(!header.contains("module docs"));
}

#[test]
fn every_function_returning_or_reading_json_names_its_shape() {
    let header = committed_header();
    let known: BTreeSet<&str> =
        shapes::RESULTS.iter().chain(shapes::INPUTS).map(|s| s.name).collect();
    let mut comment = String::new();
    let mut unnamed = Vec::new();
    for line in header.lines() {
        let trimmed = line.trim_start();
        if let Some(text) = trimmed.strip_prefix("//") {
            comment.push_str(text);
            comment.push('\n');
            continue;
        }
        let declared = line
            .split_whitespace()
            .map(|w| w.trim_start_matches('*'))
            .find(|w| w.starts_with("wg_") && w.contains('('))
            .and_then(|w| w.split('(').next())
            .filter(|_| !line.starts_with(' '));
        if let Some(name) = declared {
            let takes_json = comment.contains("JSON") || line.contains("_json");
            let names_one = known.iter().any(|shape| comment.contains(&format!("`{shape}`")));
            if takes_json && !names_one && !NO_SHAPE.contains(&name) {
                unnamed.push(name.to_owned());
            }
        }
        if !line.starts_with(' ') {
            comment.clear();
        }
    }
    assert!(unnamed.is_empty(), "JSON without a named shape: {unnamed:?}");
}

/// Functions whose JSON is a plain array of ids, years or periods, or any object.
const NO_SHAPE: &[&str] = &[
    "wg_entries_register_batch",
    "wg_visits_record_batch",
    "wg_calendar_years",
    "wg_calendar_load",
    "wg_calendar_load_text",
    "wg_period_inside",
];

fn keys(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("a sample is not a JSON object: {other}"),
    }
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("serializes")
}

/// Calls an ffi function that writes JSON to its last argument and reads it back.
fn via_c(call: impl FnOnce(*mut *mut c_char) -> wangge_ffi::wg_status) -> Value {
    let mut out: *mut c_char = std::ptr::null_mut();
    assert_eq!(call(&raw mut out), wangge_ffi::wg_status::WG_OK);
    // SAFETY: the library wrote a string it owns; freed right after.
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_owned();
    unsafe { wangge_ffi::wg_string_free(out) };
    serde_json::from_str(&text).expect("JSON")
}

/// Real values made through the core API (or, for the few shapes the C interface puts
/// together itself, through it), one per documented result shape.
#[allow(clippy::too_many_lines)]
fn samples() -> Vec<(Shape, Value)> {
    use wangge::Period;
    let s = wangge::Store::open(":memory:").expect("store");
    let d = |t: &str| wangge::date::parse_date("day", t).expect("date");
    let at = |t: &str| s.parse_moment(t).expect("moment");
    let p = |t: &str| Period::parse(t).expect("period");
    let mut out: Vec<(Shape, Value)> = Vec::new();
    let county = s.add_unit("512021", "安岳县", "county", None, None).unwrap();
    out.push((shapes::UNIT, json(&county)));
    s.add_unit("512021100", "岳阳镇", "township", Some("512021"), None).unwrap();
    s.add_unit("512021100001", "北坝社区", "community", Some("512021100"), None).unwrap();
    let grid = "512021100001001";
    s.add_unit(grid, "北坝一网格", "grid", Some("512021100001"), None).unwrap();
    let staff = s.add_staff("W1", "王芳", Some("13800000000")).unwrap();
    out.push((shapes::STAFF, json(&staff)));
    let assignment = s.assign("W1", grid, "grid_worker", Some(d("2024-01-01")), None);
    out.push((shapes::ASSIGNMENT, json(&assignment.unwrap())));
    let start = Some(d("2024-01-01"));
    let household = s.add_household("H1", grid, "北坝街1号", "registered", &["低保"], start);
    out.push((shapes::HOUSEHOLD, json(&household.unwrap())));
    let resident = wangge::NewResident {
        name: "张三".into(),
        id_number: Some("11010519491231002X".into()),
        phone: Some("13812345678".into()),
        hukou: None,
        employer: None,
        relation: None,
        tags: vec![],
    };
    let resident = s.add_resident("H1", &resident, start).unwrap();
    out.push((shapes::RESIDENT, json(&resident)));
    out.push((shapes::TAG_KIND, json(&s.tag_kinds().unwrap()[0])));
    let (total, _) = s.unit_counts("512021", Some(d("2024-03-01"))).unwrap();
    out.push((shapes::UNIT_COUNTS, json(&total)));
    let content = serde_json::json!({"note": "x"});
    let section = s.set_archive_section("H1", "basic", &content).unwrap();
    out.push((shapes::ARCHIVE_SECTION, json(&section)));
    out.push((shapes::ARCHIVE, json(&s.archive("H1", None).unwrap())));
    let options = wangge::ImportOptions::default();
    let imported = s.import_households(&[], &options, None).unwrap();
    out.push((shapes::IMPORT_RESULT, json(&imported)));
    let visit = s.record_visit("H1", "W1", "home", d("2024-03-05"), "").unwrap();
    out.push((shapes::VISIT, json(&visit)));
    let due = s.due_visits("512021", Some(d("2024-06-01"))).unwrap();
    out.push((shapes::DUE_VISIT, json(&due[0])));
    let compliance = json(&s.visit_compliance("512021", &p("2024-Q1"), true).unwrap());
    out.push((shapes::COMPLIANCE_ROW, compliance["rules"][0].clone()));
    out.push((shapes::COMPLIANCE, compliance));
    let finding = s.record_finding(visit.id, "路灯坏了", None, false).unwrap();
    out.push((shapes::FINDING, json(&finding)));
    let patrol = s.record_patrol(grid, "W1", at("2024-03-05T09:00"), "").unwrap();
    out.push((shapes::PATROL, json(&patrol)));
    let patrols = s.patrol_compliance("512021", &p("2024-03"), true).unwrap();
    out.push((shapes::PATROL_COMPLIANCE, json(&patrols)));
    let quotas = s.quota_compliance("512021", &p("2024-03"), true).unwrap();
    out.push((shapes::QUOTA_COMPLIANCE, json(&quotas)));
    let new = serde_json::json!({"unit": grid, "summary": "路灯坏了",
        "reported_at": "2024-03-04T09:00", "household_id": "H1"});
    let new = wangge::NewEntry::from_json(&new, s.offset()).unwrap();
    let entry = s.register(&new).unwrap();
    out.push((shapes::ENTRY, entry.to_json()));
    out.push((shapes::EVENT, s.history(entry.id).unwrap()[0].to_json()));
    let classification = s.classify(None, "路灯坏了", Some("H1"), Some(grid), false, None);
    out.push((shapes::CLASSIFICATION, classification.unwrap().to_json()));
    let piles = s.piles("512021", p("2024-W10")).unwrap().to_json();
    out.push((shapes::PILE, piles["pending"].clone()));
    out.push((shapes::PILES, piles));
    out.push((shapes::LEDGER_RULES, s.ledger_rules(None).unwrap().to_json()));
    let report = s.report("512021", p("2024-03")).unwrap().to_json();
    out.push((shapes::REPORT_ROW, report["rows"][0].clone()));
    out.push((shapes::REPORT, report));
    let circular = s.circular("512021", p("2024-03"), "received", None);
    out.push((shapes::CIRCULAR, circular.unwrap().to_json()));
    let submitted = s.submit("512021100001", p("2024-03"), &at("2024-04-02T09:00"));
    out.push((shapes::SUBMISSION, submitted.unwrap().to_json(true)));
    let assessment = s.assessment("512021", p("2024")).unwrap().to_json();
    out.push((shapes::ASSESSMENT, assessment));
    let assessment_rules = s.assessment_rules(None).unwrap().to_json();
    out.push((shapes::ASSESSMENT_RULES, assessment_rules));
    let reporting = s.reporting_rules(None).unwrap()[0].to_json();
    out.push((shapes::REPORTING_RULE, reporting));
    let device = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-header-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&device);
    let checkout = s.checkout(grid, "W1", &device).unwrap();
    out.push((shapes::CHECKOUT, json(&checkout)));
    {
        let on_device = wangge::Store::open(&device).unwrap();
        on_device.record_visit("H1", "W1", "phone", d("2024-03-06"), "").unwrap();
        on_device.close().unwrap();
    }
    s.withdraw_checkout(&checkout.device_id).unwrap();
    let merged = json(&s.merge(&device).unwrap());
    let _ = std::fs::remove_file(&device);
    out.push((shapes::MERGE_CONFLICT, merged["conflicts"][0].clone()));
    out.push((shapes::MERGE_RESULT, merged));
    out.push((shapes::STORE_INFO, json(&s.info().unwrap())));
    out.push((shapes::AUDIT_VERIFICATION, json(&s.verify_audit().unwrap())));
    out.push((shapes::AUDIT_RECORD, json(&s.audit_log(0, 1).unwrap()[0])));
    out.push((shapes::AUDIT_HEAD, json(&s.audit_head().unwrap())));
    let problem =
        wangge::FactProblem { table: "visit".into(), row: "1".into(), problem: "edited".into() };
    out.push((shapes::FACT_PROBLEM, json(&problem)));
    let first_rule = |text: String| serde_json::from_str::<Value>(&text).unwrap()[0].clone();
    out.push((shapes::VISIT_RULE, first_rule(s.visit_rules_json(None).unwrap())));
    out.push((shapes::QUOTA_RULE, first_rule(s.quota_rules_json(None).unwrap())));
    out.push((shapes::PATROL_RULE, first_rule(s.patrol_rules_json(None).unwrap())));
    s.add_household("F1", grid, "北坝街2号", "floating", &[], start).unwrap();
    let reverification = s.reverification_due("512021", Some(d("2024-06-01"))).unwrap();
    out.push((shapes::REVERIFICATION, json(&reverification[0])));
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-header-{}", std::process::id()));
    let export = s.export_parquet(&dir, None).unwrap().to_json();
    let _ = std::fs::remove_dir_all(&dir);
    out.push((shapes::PARQUET_TABLE, export["tables"][0].clone()));
    out.push((shapes::PARQUET_EXPORT, export));
    out.extend(samples_via_c());
    out
}

/// The shapes the C interface puts together itself, from its own calls.
fn samples_via_c() -> Vec<(Shape, Value)> {
    use wangge_ffi::*;
    let c = |text: &str| CString::new(text).unwrap();
    let null = std::ptr::null();
    let mut store: *mut wg_store = std::ptr::null_mut();
    let memory = c(":memory:");
    // SAFETY: valid strings and out-pointers throughout; the handle is freed at the end.
    unsafe {
        assert_eq!(wg_store_open(memory.as_ptr(), null, &raw mut store), wg_status::WG_OK);
        let units = c(r#"[{"code":"512021","name":"县","level":"county"},
            {"code":"512021100","name":"镇","level":"township","parent":"512021"},
            {"code":"512021100001","name":"社区","level":"community","parent":"512021100"},
            {"code":"512021100001001","name":"网格","level":"grid","parent":"512021100001"}]"#);
        let mut added = 0;
        assert_eq!(wg_units_add_json(store, units.as_ptr(), &raw mut added), wg_status::WG_OK);
        let (h1, grid, address) = (c("H1"), c("512021100001001"), c("北坝街1号"));
        let status = wg_household_add(
            store,
            h1.as_ptr(),
            grid.as_ptr(),
            address.as_ptr(),
            null,
            null,
            null,
            std::ptr::null_mut(),
        );
        assert_eq!(status, wg_status::WG_OK);
        let person = c(r#"{"name":"张三","phone":"13812345678"}"#);
        let resident = via_c(|out| wg_resident_add(store, h1.as_ptr(), person.as_ptr(), null, out));
        let id = resident["resident_id"].as_i64().unwrap();
        let county = c("512021");
        let quarter = c("2024-Q1");
        let samples = vec![
            (shapes::RESIDENT_CLEAR, via_c(|out| wg_resident_clear(store, id, out))),
            (shapes::COUNTS, via_c(|out| wg_unit_counts(store, county.as_ptr(), null, out))),
            (
                shapes::PAGE,
                via_c(|out| wg_households_page(store, county.as_ptr(), null, 1, null, out)),
            ),
            (shapes::PERIOD, via_c(|out| wg_period_parse(quarter.as_ptr(), out))),
            (shapes::INDICATOR, via_c(|out| wg_indicators(out))[0].clone()),
        ];
        wg_store_free(store);
        samples
    }
}

#[test]
fn every_documented_result_shape_has_the_keys_of_a_real_value() {
    let samples = samples();
    for shape in shapes::RESULTS {
        let sample = samples
            .iter()
            .find(|(s, _)| s.name == shape.name)
            .unwrap_or_else(|| panic!("no sample value for the `{}` shape", shape.name));
        let documented: BTreeSet<String> =
            shape.key_names().into_iter().map(str::to_owned).collect();
        assert_eq!(
            documented,
            keys(&sample.1),
            "the `{}` shape documents other keys than its value has",
            shape.name
        );
    }
}

#[test]
fn the_header_gives_the_version_the_library_reports() {
    let header = committed_header();
    let version: Vec<&str> = wangge::LIBRARY_VERSION.split('.').collect();
    assert_eq!(wangge::LIBRARY_VERSION, env!("CARGO_PKG_VERSION"));
    for (name, value) in ["MAJOR", "MINOR", "PATCH"].iter().zip(&version) {
        let line = format!("#define WANGGE_VERSION_{name} {value}\n");
        assert!(header.contains(&line), "wangge.h lacks {line:?}");
    }
    let abi = format!("#define WANGGE_ABI_VERSION {}\n", wangge::ABI_VERSION);
    assert!(header.contains(&abi), "wangge.h lacks {abi:?}");
}
