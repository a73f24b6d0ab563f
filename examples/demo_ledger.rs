//! The ledger part of `make demo`: a year of entries (台账) raised in the county — drains,
//! street lights, subsistence allowance, disputes, a fire hazard — worked by the staff
//! through sign-for, escalation, suspension, extension and the resident's verification to
//! closure, some left hard or overdue, while a weekly tick escalates what nobody signed
//! for. Prints the year's totals, one community's three piles (已解决/待解决/难解决) for
//! the last week, each township's closure and one entry's whole history.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::time::Instant;

use chrono::{Datelike, Days};
use wangge::{
    Channel, Entry, EntryQuery, Handler, HouseholdFilter, Moment, NewEntry, Period, Source, Status,
    Store,
};

use super::visits::pick;
use super::{date, pad};

#[path = "demo_ledger_clock.rs"]
mod clock;
#[path = "demo_ledger_work.rs"]
mod work;

use clock::{Clock, DAY};
use work::{Case, Ledger, Raise, STEP_NAMES};

/// The year the ledger covers.
const LEDGER_YEAR: i32 = 2025;
/// The community (北坝社区) whose three piles are shown, and the week.
const PILES_COMMUNITY: &str = "512021100001";
const PILES_WEEK: &str = "2025-W52";
const COUNTY: &str = "512021";

/// What residents raise, one a line: how often (a weight), how it comes in, whom it
/// concerns (a place of the grid, a household, or a household with the tag where the
/// grid has one), its category when the caller gives one (`-`: the summary's keywords
/// decide), the months it clusters in (`-`: all year), and the summary.
const MATTERS: &str = "\
8 patrol,hotline,online,visit place     -        -   路灯不亮，晚上出行不便
6 visit,hotline,online        place     -        -   楼道灯坏了，老人上下楼不方便
7 hotline,patrol,online,visit place     -        5-9 下水道堵塞，污水外溢
3 patrol,hotline              place     -        5-9 院坝积水，排水不畅
2 patrol,hotline              place     -        -   井盖松动，夜间行人易绊倒
7 hotline,online,patrol       place     -        -   垃圾清运不及时，有异味
3 patrol,online               place     -        -   楼道小广告贴满墙面
4 patrol,visit,hotline        place     -        -   楼道内电动车充电，存在安全隐患
3 patrol,hotline              place     -        -   楼道堆放杂物堵塞消防通道
3 online,patrol               place     -        -   小区门口乱停车占道
1 hotline,patrol              place     -        -   夜间有可疑人员在小区徘徊
1 hotline,patrol              place     市政设施 6-9 门前大树倾斜，担心砸到行人
1 walk_in,online              place     矛盾纠纷 -   老旧小区加装电梯，住户意见不一
3 visit,walk_in,letter        household -        -   申请低保，家中收入微薄
4 walk_in,visit               低保      -        -   低保续办，需要准备收入证明
2 walk_in,visit               残疾      -        -   申请残疾人补贴
2 visit,walk_in,letter        household -        -   生活困难，申请临时救助
5 hotline,visit,walk_in       household -        -   邻里纠纷，楼上噪音扰民
3 visit,hotline,walk_in       household -        -   楼上漏水，邻里发生争吵
2 walk_in,visit,letter        household -        -   宅基地边界纠纷，双方互不相让
3 walk_in,hotline,letter      household -        -   工地拖欠工资，请求帮助讨薪
4 walk_in,online              household -        -   办理户口迁移
2 online,walk_in              household -        -   新生儿落户咨询
5 online,hotline,walk_in,visit household -       -   咨询城乡居民医保参保缴费
2 walk_in,visit               household -        -   下岗后想找工作，希望推荐公益性岗位
2 hotline,visit,walk_in       空巢      -        -   老人高龄补贴未到账
1 letter,visit,walk_in        上访      -        -   反映征地补偿问题，扬言要去上访
1 visit                       空巢      民政帮扶 -   独居老人行动不便，需要照料
1 walk_in                     残疾      民政帮扶 -   残疾证到期换证
1 visit,hotline               household 矛盾纠纷 -   下水道漏水引发邻里争吵
";

/// Urgent reports (紧急): local time, the grid (by its place in code order), what happened.
const URGENT: [(&str, usize, &str); 5] = [
    ("2025-02-11T19:40", 3, "三单元燃气泄漏，居民闻到刺鼻气味"),
    ("2025-05-23T14:05", 17, "村口废品仓库起火，已拨打119"),
    ("2025-07-08T06:30", 30, "连续暴雨后老房子围墙有倒塌危险"),
    ("2025-09-16T21:10", 44, "商铺后厨煤气罐漏气"),
    (
        "2025-12-27T10:20",
        2,
        "楼道电动车充电起火，已扑灭，需排查隐患",
    ),
];

/// What the grid staff found on their last home visit of the year to a household
/// (走访发现), and whether it is urgent.
const FINDINGS: [(&str, &str, bool); 6] = [
    (
        "512021100001001-004",
        "入户发现老人独居，生活困难，需要救助",
        false,
    ),
    ("512021100001002-011", "入户发现厨房燃气软管老化漏气", true),
    ("512021100001003-020", "入户发现电动车充电飞线", false),
    (
        "512021100001005-031",
        "入户发现楼上漏水，两家发生争吵",
        false,
    ),
    (
        "512021101001001-007",
        "入户了解到孩子户口迁移一直未办",
        false,
    ),
    ("512021103001002-015", "入户发现残疾人补贴未申领", false),
];

/// One line of [`MATTERS`].
#[derive(Debug)]
struct Matter {
    weight: u64,
    sources: Vec<Source>,
    /// `place`, `household` or a tag.
    about: &'static str,
    category: Option<&'static str>,
    months: Option<(u32, u32)>,
    summary: &'static str,
}

fn matters() -> wangge::Result<Vec<Matter>> {
    let mut out = Vec::new();
    for line in MATTERS.lines() {
        let f: Vec<&'static str> = line.split_whitespace().collect();
        let month = |m: &str| m.parse::<u32>().expect("a month");
        let months = f[4].split_once('-').filter(|_| f[4] != "-");
        out.push(Matter {
            weight: f[0].parse().expect("a weight"),
            sources: f[1]
                .split(',')
                .map(Source::parse)
                .collect::<Result<_, _>>()?,
            about: f[2],
            category: Some(f[3]).filter(|c| *c != "-"),
            months: months.map(|(a, b)| (month(a), month(b))),
            summary: f[5],
        });
    }
    Ok(out)
}

/// The year's entries, in time order: every grid's residents raise 70 to 110 matters
/// (walk-ins and letters at the community's office), plus the urgent reports and the
/// findings of a few home visits.
fn raise_year(store: &Store, clock: &Clock) -> wangge::Result<Vec<(i64, Raise)>> {
    let first = date(&format!("{LEDGER_YEAR}-01-01"));
    let grids = store.descendants(COUNTY, Some("grid"), Some(first))?;
    let matters = matters()?;
    let total: u64 = matters.iter().map(|m| m.weight).sum();
    let filter = HouseholdFilter {
        as_of: Some(first),
        ..HouseholdFilter::default()
    };
    let mut raises = Vec::new();
    for (g, grid) in grids.iter().enumerate() {
        let households = store.households(&grid.code, &filter)?;
        let community = grid.parent.clone().expect("a grid has a community");
        for k in 0..70 + pick(g as u64, 41) {
            let key = ((g as u64) << 20) | k;
            let mut roll = pick(key, total);
            let matter = matters
                .iter()
                .find(|m| {
                    let hit = roll < m.weight;
                    roll = roll.saturating_sub(m.weight);
                    hit
                })
                .expect("the weights cover the roll");
            let (from, days) = match matter.months {
                Some((a, b)) if pick(key ^ 1, 10) < 7 => {
                    let from = date(&format!("{LEDGER_YEAR}-{a:02}-01"));
                    let to = date(&format!("{LEDGER_YEAR}-{:02}-01", b + 1));
                    (from, (to - from).num_days() as u64)
                }
                _ => (first, 365),
            };
            let day = from + Days::new(pick(key ^ 2, days));
            let source = matter.sources[pick(key ^ 3, matter.sources.len() as u64) as usize];
            let hour = if source == Source::Hotline {
                pick(key ^ 4, 24)
            } else {
                7 + pick(key ^ 4, 13)
            };
            let at = clock.at_local(day, (hour * 3600 + pick(key ^ 5, 60) * 60) as i64);
            let mut household = &households[pick(key ^ 6, households.len() as u64) as usize];
            let tagged: Vec<_> = households
                .iter()
                .filter(|h| h.tags.iter().any(|t| t == matter.about))
                .collect();
            if !tagged.is_empty() {
                household = tagged[pick(key ^ 7, tagged.len() as u64) as usize];
            }
            let summary = if matter.about == "place" {
                format!("{}附近{}", household.address, matter.summary)
            } else {
                matter.summary.to_owned()
            };
            let unit = if matches!(source, Source::WalkIn | Source::Letter) {
                &community
            } else {
                &grid.code
            };
            let mut entry = NewEntry::new(unit, matter.category, &summary, clock.moment(at));
            entry.source = source;
            entry.household_id =
                Some(household.household_id.clone()).filter(|_| matter.about != "place");
            raises.push((at, Raise::Entry(entry)));
        }
    }
    for (at, g, summary) in URGENT {
        let at = store.parse_moment(at)?;
        let mut entry = NewEntry::new(&grids[g].code, None, summary, at);
        entry.source = Source::Hotline;
        raises.push((at.timestamp(), Raise::Entry(entry)));
    }
    for (household, summary, urgent) in FINDINGS {
        let visits = store.visits(household)?;
        let last_home_visit = visits
            .iter()
            .rev()
            .find(|v| v.on.year() == LEDGER_YEAR && v.channel == Channel::Home);
        if let Some(visit) = last_home_visit {
            let finding = store.record_finding(visit.id, summary, None, urgent)?;
            let at = clock.at_local(visit.on, 17 * 3600 + 40 * 60);
            raises.push((at, Raise::Finding(finding.id)));
        }
    }
    raises.sort_by_key(|(at, _)| *at);
    Ok(raises)
}

/// Raises and works the year's ledger, then prints its totals, the three piles of
/// [`PILES_COMMUNITY`] in [`PILES_WEEK`] and one entry's history.
pub(crate) fn run(store: &Store) -> wangge::Result<()> {
    let started = Instant::now();
    let clock = Clock::new(store)?;
    let raises = raise_year(store, &clock)?;
    let ledger = work::work_year(store, clock, raises)?;
    let seconds = started.elapsed().as_secs_f64();
    let year_end = date(&format!("{LEDGER_YEAR}-12-31"));
    let end = ledger
        .clock
        .moment(ledger.clock.at_local(year_end, DAY - 1));
    let mut names: HashMap<String, String> = store
        .descendants(COUNTY, None, Some(year_end))?
        .into_iter()
        .map(|u| (u.code, u.name))
        .collect();
    names.insert(COUNTY.into(), store.unit(COUNTY, None)?.name);

    print_totals(store, &ledger, seconds, end)?;
    print_piles(store, &names)?;
    print_history(store, &ledger, &names)
}

fn print_totals(
    store: &Store,
    ledger: &Ledger<'_>,
    seconds: f64,
    end: Moment,
) -> wangge::Result<()> {
    let tally = &ledger.tally;
    let all = store.entries(&EntryQuery {
        at: Some(end),
        ..EntryQuery::new(COUNTY)
    })?;
    let count = |f: &dyn Fn(&Entry) -> bool| all.iter().filter(|e| f(e)).count();
    println!("\n== 台账 (ledger) in {LEDGER_YEAR} ==");
    println!(
        "  {} entries raised in {} weekly batches, {} more from visit findings; worked step by step in {seconds:.1} s",
        tally.registered - tally.from_findings,
        tally.batches,
        tally.from_findings
    );
    let by_source: Vec<String> = Source::ALL
        .iter()
        .map(|s| format!("{} {}", s.as_str(), count(&|e| e.source == *s)))
        .collect();
    println!("  by source: {}", by_source.join(", "));
    let by_book: Vec<String> = store
        .ledger_rules(Some(end.date_naive()))?
        .books
        .iter()
        .map(|b| format!("{b} {}", count(&|e| e.books.contains(b))))
        .collect();
    println!(
        "  by book: {}; urgent: {}",
        by_book.join(", "),
        count(&|e| e.urgent)
    );
    let steps: Vec<String> = STEP_NAMES
        .iter()
        .map(|s| format!("{s} {}", tally.steps.get(s).copied().unwrap_or(0)))
        .collect();
    println!("  steps taken: {}", steps.join(", "));
    println!(
        "  escalations: {} by hand ({} to a department); {} by the {} weekly ticks, of {} entries not signed for in time",
        tally.steps.get("escalate").copied().unwrap_or(0),
        tally.to_department,
        tally.auto_events,
        tally.ticks,
        tally.auto_entries
    );
    println!(
        "  at {} end: {} closed, {} resolved awaiting closing, {} pending, {} hard, {} overdue",
        end.date_naive(),
        count(&|e| e.status == Status::Closed),
        count(&|e| e.status == Status::Resolved),
        count(&|e| e.status.is_open() && !e.hard),
        count(&|e| e.status.is_open() && e.hard),
        count(&|e| e.overdue_at(&end)),
    );
    Ok(())
}

/// The name of a handler: its unit's name, or the department's.
fn handler_name(names: &HashMap<String, String>, handler: &Handler) -> String {
    names
        .get(handler.name())
        .cloned()
        .unwrap_or_else(|| handler.name().to_owned())
}

/// The three piles of [`PILES_COMMUNITY`] for [`PILES_WEEK`]: their counts, and the first
/// entries of each.
fn print_piles(store: &Store, names: &HashMap<String, String>) -> wangge::Result<()> {
    let period = Period::parse(PILES_WEEK)?;
    let piles = store.piles(PILES_COMMUNITY, period)?;
    let overdue = |list: &[Entry]| list.iter().filter(|e| e.overdue_at(&piles.at)).count();
    println!(
        "\n== {} three piles, {PILES_WEEK} ({} to {}) ==",
        names[PILES_COMMUNITY],
        period.first(),
        period.last()
    );
    println!(
        "  已解决 resolved {}, 待解决 pending {} ({} overdue), 难解决 hard {} ({} overdue)",
        piles.resolved.len(),
        piles.pending.len(),
        overdue(&piles.pending),
        piles.hard.len(),
        overdue(&piles.hard)
    );
    for (title, list) in [
        ("已解决 resolved", &piles.resolved),
        ("待解决 pending", &piles.pending),
        ("难解决 hard", &piles.hard),
    ] {
        println!("  {title}, the first {}:", list.len().min(3));
        for e in list.iter().take(3) {
            let late = if e.overdue_at(&piles.at) {
                "overdue"
            } else {
                ""
            };
            println!(
                "    #{:<5} {} {} due {} {late:<7} {}",
                e.id,
                pad(&e.category, 8),
                pad(&handler_name(names, &e.handler), 16),
                e.deadline.format("%m-%d %H:%M"),
                e.summary
            );
        }
    }
    Ok(())
}

/// The history of an entry the tick escalated, the resident sent back and the community
/// closed: in [`PILES_COMMUNITY`] if one is, the one that went through the most.
fn print_history(
    store: &Store,
    ledger: &Ledger<'_>,
    names: &HashMap<String, String>,
) -> wangge::Result<()> {
    let richness = |c: &&Case| {
        let steps = [c.escalated, c.suspended, c.extended, c.marked_hard];
        (
            c.community == PILES_COMMUNITY,
            steps.iter().filter(|s| **s).count(),
            Reverse(c.id),
        )
    };
    let Some(case) = ledger
        .cases
        .iter()
        .filter(|c| c.auto_escalations > 0 && c.reworks > 0 && c.status == Status::Closed)
        .max_by_key(richness)
    else {
        return Ok(());
    };
    let entry = store.entry(case.id)?;
    println!(
        "\n== history of entry #{} ({}, by {} about {}, raised at {}) ==\n  {}",
        entry.id,
        entry.category,
        entry.source.as_str(),
        entry.household_id.as_deref().unwrap_or("a place"),
        names[&entry.unit],
        entry.summary
    );
    for event in store.history(case.id)? {
        let actor = if event.auto { "(tick)" } else { &event.actor };
        let note = if event.note.is_empty() { "" } else { ": " };
        println!(
            "  {:>2} {} {} {} → {} at {}{note}{}",
            event.seq,
            event.at.format("%Y-%m-%d %H:%M"),
            pad(event.action.as_str(), 9),
            pad(actor, 8),
            pad(event.status.as_str(), 11),
            handler_name(names, &event.handler),
            event.note
        );
    }
    Ok(())
}
