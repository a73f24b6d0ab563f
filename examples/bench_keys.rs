//! What the deployment key costs: the same county imported into a store without a key and
//! into a keyed one (ID numbers and phones sealed with SM4-GCM, found by an HMAC-SM3
//! blind index), alternately, in the same run, and the same reads on both: the due list
//! of the whole county, and every resident of 2,000 households (each ID number and phone
//! opened to be masked). Then the clear store is rekeyed. Printed as keyed / clear ratios.
//!
//! A county of 3,000 grids gets 400,000 households and 1,000,000 residents with ID
//! numbers and phones; `WANGGE_BENCH_RESIDENTS` chooses another size. Run with
//! `cargo run --release -p wangge-core --example bench_keys` (also in `make bench`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use wangge::{ImportOptions, Store, StoreOptions};

/// Runs of each import, alternately keyed and not; the medians are compared.
const ROUNDS: usize = 3;
const KEY: &[u8] = b"bench deployment key, 32 bytes..";
const TAGS: [&str; 4] = ["低保", "残疾", "空巢", "留守儿童"];

#[path = "bench_county.rs"]
mod county;

use county::{grid_codes as units, id_number};

/// The county's CSV: 2 or 3 residents per household, alternately; returns the text and
/// the number of households.
fn csv(grids: &[String], residents: usize) -> (String, usize) {
    let mut csv =
        String::from("household_id,unit,address,kind,tags,name,id_number,phone,relation\n");
    let (mut person, mut h) = (0, 0);
    while person < residents {
        let size = if h % 2 == 0 { 2 } else { 3 };
        let kind = if h % 10 == 0 {
            "floating"
        } else {
            "registered"
        };
        let tags = if h % 9 == 0 { TAGS[h % TAGS.len()] } else { "" };
        for m in 0..size {
            if person == residents {
                break;
            }
            let relation = if m == 0 { "head" } else { "member" };
            let _ = writeln!(
                csv,
                "H{h:07},{},幸福路{}号,{kind},{tags},居民{person},{},138{person:08},{relation}",
                grids[h % grids.len()],
                h / 20,
                id_number(person)
            );
            person += 1;
        }
        h += 1;
    }
    (csv, h)
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64()
}

fn open(path: &std::path::Path, keyed: bool) -> wangge::Result<Store> {
    Store::open_with(
        path,
        StoreOptions {
            key: keyed.then(|| KEY.to_vec()),
            ..StoreOptions::default()
        },
    )
}

fn main() -> wangge::Result<()> {
    let residents: usize = std::env::var("WANGGE_BENCH_RESIDENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("wangge-bench-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let (units, grids) = units();
    let (csv, households) = csv(&grids, residents);
    println!(
        "county: {} grids, {households} households, {residents} residents with ID numbers and phones",
        grids.len()
    );

    let mut import = [Vec::new(), Vec::new()];
    let mut stores: [Option<Store>; 2] = [None, None];
    for round in 0..ROUNDS {
        for keyed in [false, true] {
            let path = dir.join(format!(
                "{}{round}.db",
                if keyed { "keyed" } else { "clear" }
            ));
            stores[usize::from(keyed)] = None;
            let store = open(&path, keyed)?;
            store.add_units(&units)?;
            let t = Instant::now();
            let result =
                store.import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)?;
            import[usize::from(keyed)].push(t.elapsed());
            assert!(result.errors.is_empty(), "{:?}", &result.errors[..1]);
            assert_eq!(result.inserted as usize, households + residents);
            stores[usize::from(keyed)] = Some(store);
        }
    }
    let [clear, keyed] = stores.map(|s| s.expect("a round ran"));
    let [import_clear, import_keyed] = import.map(median);

    // Reads, alternately on each store: the county's due list, and the residents of 2,000
    // households (every ID number and phone opened and masked).
    let on = chrono::NaiveDate::from_ymd_opt(2025, 5, 15);
    let sample: Vec<String> = (0..households)
        .step_by((households / 2000).max(1))
        .map(|h| format!("H{h:07}"))
        .collect();
    let (mut due, mut reads) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
    let mut due_len = [0, 0];
    for _ in 0..5 {
        for (i, store) in [&clear, &keyed].into_iter().enumerate() {
            let t = Instant::now();
            due_len[i] = store.due_visits("512021", on)?.len();
            due[i].push(t.elapsed());
            let t = Instant::now();
            let mut shown = 0;
            for h in &sample {
                shown += store.residents(h, None)?.len();
            }
            reads[i].push(t.elapsed());
            assert!(shown >= sample.len() * 2);
        }
    }
    assert_eq!(due_len[0], due_len[1]);
    let [due_clear, due_keyed] = due.map(median);
    let [reads_clear, reads_keyed] = reads.map(median);

    let t = Instant::now();
    clear.rekey(KEY)?;
    let rekey = t.elapsed().as_secs_f64();

    let ratio = |keyed: f64, clear: f64| keyed / clear;
    println!(
        "import (median of {ROUNDS}):  clear {import_clear:>7.2} s   keyed {import_keyed:>7.2} s   ratio {:.2}x",
        ratio(import_keyed, import_clear)
    );
    println!(
        "due list, whole county ({} households due; median of 5 warm):  clear {:>7.1} ms   keyed {:>7.1} ms   ratio {:.2}x",
        due_len[0],
        due_clear * 1e3,
        due_keyed * 1e3,
        ratio(due_keyed, due_clear)
    );
    println!(
        "residents of {} households, masked (median of 5):  clear {:>7.1} ms   keyed {:>7.1} ms   ratio {:.2}x",
        sample.len(),
        reads_clear * 1e3,
        reads_keyed * 1e3,
        ratio(reads_keyed, reads_clear)
    );
    println!("rekey of the clear store ({residents} residents, then VACUUM): {rekey:.2} s");
    drop((clear, keyed));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
