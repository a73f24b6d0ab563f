//! The Rust side of the frames benchmark (`python/bench/bench_frames.py`): builds a store
//! with a due list of about 1,000,000 items and 1,000,000 ledger entries, and times the
//! Rust calls alone on it, which the Python benchmark divides its times by.
//!
//! The county of `bench_county.rs` (3,000 grids) gets 500,000 households, one in nine
//! special, with no visits: on 15 May 2025 each is due under the rules that hold it
//! (about 1,000,000 items). 1,000,000 entries are registered in batches of 100,000, each
//! in a grid, all reported in December 2025. The store is built once at the path given
//! (kept for the next run); then `due_visits` and `entries` of the whole county are each
//! timed (best of 3, after one run that warms the store's caches), and so is the making
//! of their Arrow record batches (`frame::due_visit_batch` for the due list, and for
//! comparison the serde-based `frame::record_batch` the other lists use). The last line
//! printed is JSON: `{"due_items", "due_s", "due_frame_s", "due_serde_frame_s",
//! "entries", "entries_s", "entries_frame_s"}`.
//!
//! Run with `cargo run --release -p wangge-core --features arrow --example bench_frames --
//! PATH`; the Python benchmark does.

use std::time::Instant;

use wangge::labels::Labels;
use wangge::{EntryQuery, ImportOptions, ImportRow, NewEntry, Store};

#[path = "bench_county.rs"]
mod county;

const HOUSEHOLDS: usize = 500_000;
const ENTRIES: usize = 1_000_000;
const TAGS: [&str; 4] = ["低保", "残疾", "空巢", "留守儿童"];
const SUMMARIES: [(&str, &str); 4] = [
    ("路灯坏了", "市政设施"),
    ("楼道堆放杂物", "安全生产"),
    ("邻里噪音纠纷", "矛盾纠纷"),
    ("低保申请咨询", "低保"),
];

fn d(text: &str) -> wangge::Date {
    wangge::Date::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn build(store: &Store) -> wangge::Result<()> {
    let t = Instant::now();
    let (units, grids) = county::grid_codes();
    store.add_units(&units)?;
    let rows: Vec<ImportRow> = (0..HOUSEHOLDS)
        .map(|h| ImportRow {
            line: h + 1,
            household_id: format!("H{h:07}"),
            unit: grids[h % grids.len()].clone(),
            address: format!("幸福路{h}号"),
            kind: "registered".into(),
            tags: if h.is_multiple_of(9) {
                TAGS[h % TAGS.len()]
            } else {
                ""
            }
            .into(),
            name: format!("户主{h}"),
            relation: "head".into(),
            ..ImportRow::default()
        })
        .collect();
    let options = ImportOptions {
        on: Some(d("2024-01-01")),
        ..ImportOptions::default()
    };
    for chunk in rows.chunks(250_000) {
        let imported = store.import_households(chunk, &options, None)?;
        assert!(imported.errors.is_empty(), "{:?}", &imported.errors[..1]);
    }
    let dec01 = store.parse_moment("2025-12-01T08:00")?;
    let entries: Vec<NewEntry> = (0..ENTRIES)
        .map(|i| {
            let (summary, category) = SUMMARIES[i % SUMMARIES.len()];
            let at = dec01 + chrono::Duration::seconds((i % (20 * 86_400)) as i64);
            let mut entry = NewEntry::new(&grids[i % grids.len()], Some(category), summary, at);
            if i.is_multiple_of(10) {
                // A household of the entry's grid.
                let g = grids.len();
                let h = i % g + g * ((i / g) % (HOUSEHOLDS / g));
                entry.household_id = Some(format!("H{h:07}"));
            }
            entry
        })
        .collect();
    for batch in entries.chunks(100_000) {
        store.register_entries(batch)?;
    }
    println!(
        "built: {} grids, {HOUSEHOLDS} households, {ENTRIES} entries in {:.1} s",
        grids.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The best of 3 timed runs of `f`, after one that is not timed; and its last result.
/// The previous result is dropped before each run, outside the time.
fn best_of_3<T>(mut f: impl FnMut() -> wangge::Result<T>) -> wangge::Result<(f64, T)> {
    let mut out = f()?;
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        drop(out);
        let t = Instant::now();
        out = f()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok((best, out))
}

fn main() -> wangge::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "build/bench-frames/frames.db".into());
    let path = std::path::PathBuf::from(path);
    let fresh = !path.exists();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("the store's folder");
    }
    let store = Store::open(&path)?;
    if fresh {
        build(&store)?;
    }
    let county = "512021";
    let on = Some(d("2025-05-15"));
    let (due_s, due) = best_of_3(|| store.due_visits(county, on))?;
    let (due_frame_s, _) = best_of_3(|| wangge::frame::due_visit_batch(&due, Labels::En))?;
    let (due_serde_frame_s, _) = best_of_3(|| wangge::frame::record_batch(&due, Labels::En))?;
    let query = EntryQuery {
        at: Some(store.parse_moment("2025-12-31T10:00")?),
        ..EntryQuery::new(county)
    };
    let (entries_s, entries) = best_of_3(|| store.entries(&query))?;
    let (entries_frame_s, _) = best_of_3(|| wangge::frame::record_batch(&entries, Labels::En))?;
    println!(
        "due_visits: {} items in {due_s:.3} s (frame {due_frame_s:.3} s, through serde \
         {due_serde_frame_s:.3} s); entries: {} in {entries_s:.3} s (frame \
         {entries_frame_s:.3} s)",
        due.len(),
        entries.len()
    );
    println!(
        "{}",
        serde_json::json!({
            "due_items": due.len(),
            "due_s": due_s,
            "due_frame_s": due_frame_s,
            "due_serde_frame_s": due_serde_frame_s,
            "entries": entries.len(),
            "entries_s": entries_s,
            "entries_frame_s": entries_frame_s,
        })
    );
    Ok(())
}
