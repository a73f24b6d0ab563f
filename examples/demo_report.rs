//! The report part of `make demo`: the quarterly circular (通报) of the townships by
//! closure rate (办结率) and home-visit coverage (入户率), the county's report (报告) for
//! the year, checked against the ledger's entries, and the county's reports for the last
//! quarter and the year written as JSON, CSV, XLSX and HTML next to the database, with the
//! last quarter's circulars as HTML pages. Prints what each report call costs.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use wangge::{Circular, EntryQuery, Period, Rate, Report, Standing, Store};

use super::visits::VISIT_YEAR;
use super::{COUNTY, pad};

/// The indicators the townships are ranked on, with what their fraction counts.
const RANKED: [(&str, &str); 2] = [
    ("closure_rate", "resolved/received"),
    ("home_coverage", "visited/households"),
];
/// The community (北坝社区) whose grids are ranked for a month, where some samples are small.
const SMALL_SAMPLES: &str = "512021100001";

/// The wall time of each report call, in order.
#[derive(Debug, Default)]
struct Costs(Vec<(String, f64)>);

impl Costs {
    fn time<T>(
        &mut self,
        what: String,
        f: impl FnOnce() -> wangge::Result<T>,
    ) -> wangge::Result<T> {
        let started = Instant::now();
        let out = f();
        self.0.push((what, started.elapsed().as_secs_f64()));
        out
    }
}

/// Prints the circulars and the year's totals, checks the year's report against the
/// entries, writes the report files in `dir` and prints what the calls cost.
pub(crate) fn run(store: &Store, dir: &Path) -> wangge::Result<()> {
    let mut costs = Costs::default();
    let quarters: Vec<Period> = (1..=4)
        .map(|q| Period::parse(&format!("{VISIT_YEAR}-Q{q}")))
        .collect::<wangge::Result<_>>()?;
    let last = quarters[3];

    let mut circulars: BTreeMap<(Period, &str), Circular> = BTreeMap::new();
    for &quarter in &quarters {
        for (indicator, _) in RANKED {
            let circular = costs
                .time(format!("circular {COUNTY} {quarter} {indicator}"), || {
                    store.circular(COUNTY, quarter, indicator, None)
                })?;
            circulars.insert((quarter, indicator), circular);
        }
    }
    print_circular(
        &circulars[&(last, RANKED[0].0)],
        &circulars[&(last, RANKED[1].0)],
    );
    print_quarters(&quarters, &circulars);
    let month = Period::parse(&format!("{VISIT_YEAR}-12"))?;
    let grids = costs.time(
        format!("circular {SMALL_SAMPLES} {month} closure_rate"),
        || store.circular(SMALL_SAMPLES, month, "closure_rate", None),
    )?;
    print_small_samples(&grids);

    let monthly = costs.time(format!("report {COUNTY} {month} (month)"), || {
        store.report(COUNTY, month)
    })?;
    let quarterly = costs.time(format!("report {COUNTY} {last} (quarter)"), || {
        store.report(COUNTY, last)
    })?;
    let year = Period::parse(&VISIT_YEAR.to_string())?;
    let yearly = costs.time(format!("report {COUNTY} {year} (year)"), || {
        store.report(COUNTY, year)
    })?;
    print_totals(&yearly);
    println!(
        "  (December alone: 受理 {} received, 办结率 {}; 入户 {} home visits)",
        monthly.totals.ledger.received,
        rate(&monthly.totals.ledger.closure_rate),
        monthly.totals.visits_home
    );
    check_against_entries(store, &yearly)?;

    println!("\n== report files ==");
    for report in [&quarterly, &yearly] {
        write_files(dir, report, &mut costs)?;
    }
    for (indicator, _) in RANKED {
        write_circular(dir, &circulars[&(last, indicator)], &mut costs)?;
    }

    println!("\n== cost of the report calls (wall clock) ==");
    for (what, seconds) in &costs.0 {
        println!("  {} {seconds:>7.3} s", pad(what, 48));
    }
    Ok(())
}

/// A rate as a percentage with its fraction, or `—` when its denominator is 0.
fn rate(r: &Rate) -> String {
    let value = r
        .value
        .map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0));
    format!("{value} ({}/{})", r.num, r.den)
}

/// The circulars on closure rate and home coverage, side by side.
fn print_circular(closure: &Circular, coverage: &Circular) {
    println!(
        "\n== 通报 (circular) of {}'s townships, {}: {} and {} ==",
        closure.name, closure.period, closure.indicator_name, coverage.indicator_name
    );
    let head = |c: &Circular, fraction: &str| {
        format!(
            "{:>4}  {} {}",
            "rank",
            pad("township", 10),
            pad(&format!("{} ({fraction})", c.indicator_name), 30)
        )
    };
    let header = format!(
        "  {}   {}",
        head(closure, RANKED[0].1),
        head(coverage, RANKED[1].1)
    );
    println!("{}", header.trim_end());
    let line = |c: &Circular, i: usize| {
        c.ranked.get(i).map_or_else(
            || " ".repeat(48),
            |row| {
                let value = format!("{:.1}% ({}/{})", row.value * 100.0, row.num, row.den);
                format!(
                    "{:>4}  {} {}",
                    row.rank,
                    pad(&row.name, 10),
                    pad(&value, 30)
                )
            },
        )
    };
    for i in 0..closure.ranked.len().max(coverage.ranked.len()) {
        let both = format!("  {}   {}", line(closure, i), line(coverage, i));
        println!("{}", both.trim_end());
    }
    for c in [closure, coverage] {
        let left_out: Vec<String> = c
            .left_out
            .iter()
            .map(|l| format!("{} ({})", l.name, l.reason))
            .collect();
        println!(
            "  {} left out (a sample under {}): {}",
            c.indicator_name,
            c.min_sample,
            if left_out.is_empty() {
                "none".to_owned()
            } else {
                left_out.join(", ")
            }
        );
    }
}

/// The first and last township of each quarter on each ranked indicator.
fn print_quarters(quarters: &[Period], circulars: &BTreeMap<(Period, &str), Circular>) {
    println!("\n  each quarter, first and last:");
    for quarter in quarters {
        let ends: Vec<String> = RANKED
            .iter()
            .map(|(indicator, _)| {
                let c = &circulars[&(*quarter, *indicator)];
                let show = |row: Option<&wangge::CircularRow>| {
                    row.map_or_else(
                        || "—".to_owned(),
                        |r| format!("{} {:.1}%", r.name, r.value * 100.0),
                    )
                };
                format!(
                    "{} {} … {}",
                    c.indicator_name,
                    pad(&show(c.ranked.first()), 16),
                    pad(&show(c.ranked.last()), 16)
                )
            })
            .collect();
        println!("  {quarter}  {}", ends.join("   ").trim_end());
    }
}

/// A community's grids ranked for a month, where some have too few entries to be ranked.
fn print_small_samples(c: &Circular) {
    let ranked: Vec<String> = c
        .ranked
        .iter()
        .map(|r| {
            let grid = r.name.trim_start_matches(&c.name);
            format!(
                "{} {grid} {:.0}% ({}/{})",
                r.rank,
                r.value * 100.0,
                r.num,
                r.den
            )
        })
        .collect();
    let left_out: Vec<String> = c
        .left_out
        .iter()
        .map(|l| format!("{} ({})", l.name.trim_start_matches(&c.name), l.reason))
        .collect();
    println!(
        "\n== 通报 of {}'s grids, {}, {} ==\n  ranked: {}\n  left out: {}",
        c.name,
        c.period,
        c.indicator_name,
        ranked.join(", "),
        if left_out.is_empty() {
            "none".to_owned()
        } else {
            left_out.join(", ")
        }
    );
}

/// The year's report totals, with the indicators' Chinese names.
fn print_totals(report: &Report) {
    let t = &report.totals;
    let l = &t.ledger;
    println!(
        "\n== 报告 (report) of {} for {} ({} to {}): totals ==",
        report.name,
        report.period,
        report.period.first(),
        report.period.last()
    );
    let lines = [
        ("受理 received", l.received.to_string()),
        ("办结 resolved", l.resolved.to_string()),
        ("注销 closed", l.closed.to_string()),
        ("办结率 closure rate", rate(&l.closure_rate)),
        ("按期结案率 due closure rate", rate(&l.due_closure_rate)),
        ("按期办结率 timely resolution", rate(&l.timely_rate)),
        ("签收率 sign-for rate", rate(&l.sign_for_rate)),
        (
            "按时签收率 timely sign-for rate",
            rate(&l.timely_sign_for_rate),
        ),
        (
            "待解决/难解决/超期 at the end",
            format!(
                "pending {}, hard {}, overdue {}",
                l.pending, l.hard, l.overdue
            ),
        ),
        (
            "走访人次 visits",
            format!("入户 home {}, 电话 phone {}", t.visits_home, t.visits_phone),
        ),
        ("入户率 home coverage", rate(&t.home_coverage)),
        ("走访制度落实率 rule compliance", rate(&t.rule_compliance)),
        (
            "户数/特殊户/人数/流动户",
            format!(
                "households {}, special {}, residents {}, floating {}",
                t.households, t.special_households, t.residents, t.floating
            ),
        ),
        (
            "报告完整率 report completeness",
            format!(
                "{} (the demo submits no reports)",
                rate(&t.report_completeness)
            ),
        ),
    ];
    for (label, value) in lines {
        println!("  {} {value}", pad(label, 32));
    }
}

/// Checks the year's report: its rows add up to its totals, and each township's
/// received, resolved-by-the-end, pending, hard and overdue counts are those of the
/// ledger's entries as [`Store::entries`] lists them at the year's last second.
fn check_against_entries(store: &Store, report: &Report) -> wangge::Result<()> {
    let mut problems = Vec::new();
    let sum = |f: &dyn Fn(&wangge::Indicators) -> u64| {
        report.rows.iter().map(|r| f(&r.indicators)).sum::<u64>()
    };
    let totals = &report.totals;
    let adds_up = [
        sum(&|i| i.ledger.received) == totals.ledger.received,
        sum(&|i| i.ledger.closure_rate.num) == totals.ledger.closure_rate.num,
        sum(&|i| i.visits_home) == totals.visits_home,
        sum(&|i| i.home_coverage.num) == totals.home_coverage.num,
        sum(&|i| i.households) == totals.households,
    ];
    if adds_up.contains(&false) {
        problems.push("the rows do not add up to the totals".to_owned());
    }
    let end = store.parse_moment(&format!("{}T23:59:59", report.period.last()))?;
    let townships = report.rows.iter().filter(|r| !r.own);
    for row in townships.clone() {
        let entries = store.entries(&EntryQuery {
            at: Some(end),
            ..EntryQuery::new(&row.unit)
        })?;
        let count = |f: &dyn Fn(&wangge::Entry) -> bool| entries.iter().filter(|e| f(e)).count();
        let first = report.period.first();
        let received = |e: &wangge::Entry| e.reported_at.date_naive() >= first;
        let l = &row.indicators.ledger;
        let pairs = [
            ("received", l.received, count(&received)),
            (
                "resolved by the end",
                l.closure_rate.num,
                count(&|e| received(e) && e.first_resolved_at.is_some()),
            ),
            (
                "pending",
                l.pending,
                count(&|e| e.standing() == Standing::Pending),
            ),
            ("hard", l.hard, count(&|e| e.standing() == Standing::Hard)),
            ("overdue", l.overdue, count(&|e| e.overdue_at(&end))),
        ];
        for (what, in_report, in_entries) in pairs {
            if in_report != in_entries as u64 {
                problems.push(format!(
                    "{} {what}: report {in_report}, entries {in_entries}",
                    row.name
                ));
            }
        }
    }
    if problems.is_empty() {
        println!(
            "  checked: the rows add up to the totals, and for each of the {} townships the \
             received, resolved, pending, hard and overdue counts are those of its entries",
            townships.count()
        );
    } else {
        println!("  CHECK FAILED: {}", problems.join("; "));
    }
    Ok(())
}

/// Writes `report` as `report-<unit>-<period>.json` (pretty), `.csv`, `.xlsx` and `.html`
/// in `dir` and prints each file's path and size.
fn write_files(dir: &Path, report: &Report, costs: &mut Costs) -> wangge::Result<()> {
    let stem = format!("report-{}-{}", report.unit, report.period);
    let json = costs.time(format!("to_json {} {}", report.unit, report.period), || {
        serde_json::to_string_pretty(&report.to_json())
            .map_err(|e| wangge::Error::Storage(e.to_string()))
    })?;
    let csv = costs.time(format!("to_csv {} {}", report.unit, report.period), || {
        Ok(report.to_csv())
    })?;
    let xlsx = costs.time(format!("to_xlsx {} {}", report.unit, report.period), || {
        Ok(report.to_xlsx())
    })?;
    let html = costs.time(format!("to_html {} {}", report.unit, report.period), || {
        Ok(report.to_html())
    })?;
    for (ext, bytes) in [
        ("json", json.into_bytes()),
        ("csv", csv.into_bytes()),
        ("xlsx", xlsx),
        ("html", html.into_bytes()),
    ] {
        write_file(&dir.join(format!("{stem}.{ext}")), &bytes)?;
    }
    Ok(())
}

/// Writes `circular` as the page `circular-<unit>-<period>-<indicator>.html` in `dir`
/// (its chart and table, to open in a browser) and prints its path and size.
fn write_circular(dir: &Path, circular: &Circular, costs: &mut Costs) -> wangge::Result<()> {
    let (unit, period, indicator) = (&circular.unit, &circular.period, &circular.indicator);
    let html = costs.time(
        format!("to_html circular {unit} {period} {indicator}"),
        || Ok(circular.to_html()),
    )?;
    write_file(
        &dir.join(format!("circular-{unit}-{period}-{indicator}.html")),
        html.as_bytes(),
    )
}

/// Writes `bytes` to `path` and prints the path and the size.
fn write_file(path: &Path, bytes: &[u8]) -> wangge::Result<()> {
    std::fs::write(path, bytes).map_err(|e| wangge::Error::Storage(e.to_string()))?;
    println!(
        "  {} {:>9} bytes",
        pad(&path.display().to_string(), 48),
        bytes.len()
    );
    Ok(())
}
