//! Benchmark of paging: the peak heap of a county's due list fetched whole against the
//! same list walked in pages of 10,000.
//!
//! The county of `bench_county.rs` (3,000 grids) gets 1,000,000 households, one in nine
//! special, with no visits yet: on 15 May 2025 every household is due under two rules,
//! a list of about 2,000,000 items. A counting global allocator tracks the bytes the
//! program holds on the heap and their peak; the peak is reset before each measurement
//! and reported above what was held when it began. The registry snapshot and visit log the
//! store keeps in memory are built by a first small page before either measurement, so
//! neither pays for them. SQLite's own allocations (its page cache) go through its own
//! allocator and are not counted. Run with `make bench`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use wangge::{ImportOptions, ImportRow, Paging, Store};

#[path = "bench_county.rs"]
mod county;

const HOUSEHOLDS: usize = 1_000_000;
const PAGE: usize = 10_000;
const TAGS: [&str; 4] = ["低保", "残疾", "空巢", "留守儿童"];

/// The system allocator, counting the bytes held and their peak.
struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = HELD.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed on to the system allocator unchanged; the counters are
// only added to and read.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            HELD.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts a measurement: the peak restarts from what is held now, which is returned.
fn reset_peak() -> usize {
    let now = HELD.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn d(text: &str) -> wangge::Date {
    wangge::date::parse_date("date", text).expect("a date")
}

fn main() -> wangge::Result<()> {
    let dir = std::env::temp_dir().join(format!("wangge-bench-paging-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let store = Store::open(dir.join("county.db"))?;

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
    drop(rows);
    println!(
        "built: {} grids, {HOUSEHOLDS} households in {:.1} s",
        grids.len(),
        t.elapsed().as_secs_f64()
    );

    let county = "512021";
    let on = Some(d("2025-05-15"));
    // Builds the in-memory snapshot and visit log both measurements read.
    let t = Instant::now();
    store.due_visits_page(county, on, &Paging::first(1))?;
    println!(
        "snapshot and visit log built in {:.1} s; heap held: {}",
        t.elapsed().as_secs_f64(),
        mib(HELD.load(Ordering::Relaxed))
    );

    let base = reset_peak();
    let t = Instant::now();
    let whole = store.due_visits(county, on)?;
    let whole_len = whole.len();
    drop(whole);
    let whole_time = t.elapsed();
    let whole_peak = PEAK.load(Ordering::Relaxed) - base;

    let base = reset_peak();
    let t = Instant::now();
    let (mut paged_len, mut pages) = (0, 0);
    let mut paging = Paging::first(PAGE);
    loop {
        let page = store.due_visits_page(county, on, &paging)?;
        paged_len += page.items.len();
        pages += 1;
        match page.next {
            Some(next) => paging = Paging::after(PAGE, &next),
            None => break,
        }
    }
    let paged_time = t.elapsed();
    let paged_peak = PEAK.load(Ordering::Relaxed) - base;

    assert_eq!(paged_len, whole_len, "the pages hold the whole list");
    println!("due list of {county} on 2025-05-15, {whole_len} items ({HOUSEHOLDS} households):");
    println!(
        "  whole:               peak heap {:>10}, {:.2} s",
        mib(whole_peak),
        whole_time.as_secs_f64()
    );
    println!(
        "  {pages} pages of {PAGE}: peak heap {:>10}, {:.2} s ({:.1} ms a page)",
        mib(paged_peak),
        paged_time.as_secs_f64(),
        paged_time.as_secs_f64() * 1e3 / f64::from(pages)
    );
    println!(
        "  peak ratio whole / paged: {:.1}",
        whole_peak as f64 / paged_peak.max(1) as f64
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
