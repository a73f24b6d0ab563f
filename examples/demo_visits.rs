//! The visits part of `make demo`: a year of visits (走访) by the county's grid staff,
//! a community's due list and each township's compliance.

use std::collections::BTreeMap;

use chrono::{Datelike, Days};
use wangge::{
    Channel, Date, DueVisit, HouseholdClass, HouseholdFilter, NewVisit, Period, PeriodKind, Rate,
    Role, Store,
};

use super::{date, pad};

/// The year of visits (走访) the grid staff record.
pub(crate) const VISIT_YEAR: i32 = 2025;
/// The day the due list is taken, and the community (北坝社区) it is taken in.
const DUE_DAY: &str = "2025-12-15";
const DUE_COMMUNITY: &str = "512021100001";
/// The quarters whose compliance is shown by township.
const COMPLIANCE_QUARTERS: [&str; 1] = ["2025-Q4"];

/// A fixed pseudo-random number in `0..n` for `key` (a well-mixed hash of it), so every
/// run records the same visits.
pub(crate) fn pick(key: u64, n: u64) -> u64 {
    let mut x = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) % n
}

/// How closely a grid's staff keep to the visit rules (走访制度) over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Diligence {
    /// Nearly every rule period met.
    Diligent,
    /// One contact in five missed.
    Middling,
    /// More than half missed.
    Lax,
}

impl Diligence {
    /// The diligence of the county's `grid`-th grid (in code order): about six grids in ten
    /// diligent, three middling and one lax.
    fn of(grid: usize) -> Diligence {
        match pick(grid as u64, 10) {
            0 => Diligence::Lax,
            1..=3 => Diligence::Middling,
            _ => Diligence::Diligent,
        }
    }

    /// The chance, in percent, that a household gets a rule period's contact.
    fn percent(self) -> u64 {
        match self {
            Diligence::Diligent => 98,
            Diligence::Middling => 80,
            Diligence::Lax => 40,
        }
    }

    /// The word the demo prints for it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Diligence::Diligent => "diligent",
            Diligence::Middling => "middling",
            Diligence::Lax => "lax",
        }
    }
}

/// The periods of `kind` in [`VISIT_YEAR`], in order.
fn periods_of_year(kind: PeriodKind) -> Vec<Period> {
    let first = Period::containing(kind, date(&format!("{VISIT_YEAR}-01-01")))
        .expect("the demo year's periods lie in the years 0001 to 9999");
    std::iter::successors(Some(first), |p| p.next().ok())
        .take_while(|p| p.first().year() == VISIT_YEAR)
        .collect()
}

/// A year's contacts with household number `key` under the default rules, each made with
/// the grid's chance on a day of its period: an ordinary household gets one contact a
/// quarter, a home visit in one quarter of each half year and a call in the other; a
/// special household one a month, a home visit in one month of each quarter and calls in
/// the other two (a home visit also counts as the period's call).
fn year_of_contacts(
    key: u64,
    class: HouseholdClass,
    diligence: Diligence,
    months: &[Period],
    quarters: &[Period],
) -> Vec<(Channel, Date)> {
    let (periods, per_home_visit) = match class {
        HouseholdClass::Special => (months, 3u64),
        HouseholdClass::Ordinary => (quarters, 2u64),
    };
    let mut contacts = Vec::new();
    for (i, period) in (0u64..).zip(periods) {
        let this = (key << 8) | i;
        if pick(this, 100) >= diligence.percent() {
            continue;
        }
        let home_slot = pick((key << 8) | 0x80 | (i / per_home_visit), per_home_visit);
        let channel = if i % per_home_visit == home_slot {
            Channel::Home
        } else {
            Channel::Phone
        };
        let days = (period.last() - period.first()).num_days() as u64 + 1;
        contacts.push((channel, period.first() + Days::new(pick(!this, days))));
    }
    contacts
}

/// The visits of [`VISIT_YEAR`], as [`record_year_of_visits`] recorded them.
#[derive(Debug)]
pub(crate) struct VisitYear {
    /// The visits recorded.
    pub(crate) visits: usize,
    /// The batches they were recorded in, one a week.
    pub(crate) batches: usize,
    /// How many grids were of each diligence.
    pub(crate) grids: BTreeMap<Diligence, usize>,
}

/// One contact to record: its day, its household and staff member (their places in the
/// lists [`record_year_of_visits`] keeps) and its channel.
#[derive(Debug, Clone, Copy)]
struct Contact {
    on: Date,
    household: u32,
    staff: u32,
    channel: Channel,
}

/// Records [`VISIT_YEAR`]'s visits of every grid's staff as the terminals upload them:
/// one [`Store::record_visits`] batch a week (Monday to Sunday), in the order of their
/// days. The grid worker (网格员) makes the calls and the ordinary home visits, the grid
/// chief (网格长) the home visits of special households.
pub(crate) fn record_year_of_visits(store: &Store) -> wangge::Result<VisitYear> {
    let first_day = date(&format!("{VISIT_YEAR}-01-01"));
    let months = periods_of_year(PeriodKind::Month);
    let quarters = periods_of_year(PeriodKind::Quarter);
    let mut grids_by_diligence = BTreeMap::new();
    let mut households: Vec<String> = Vec::new();
    let mut staff: Vec<String> = Vec::new();
    let mut contacts = Vec::new();
    let filter = HouseholdFilter {
        as_of: Some(first_day),
        ..HouseholdFilter::default()
    };
    for (g, grid) in store
        .descendants("512021", Some("grid"), Some(first_day))?
        .iter()
        .enumerate()
    {
        let diligence = Diligence::of(g);
        *grids_by_diligence.entry(diligence).or_insert(0) += 1;
        let assignments = store.assignments(&grid.code, Some(first_day))?;
        let staff_in = |role| {
            assignments
                .iter()
                .find(|a| a.role == role)
                .map(|a| a.staff_id.clone())
                .expect("every grid has a chief and a worker")
        };
        let chief = staff.len() as u32;
        staff.extend([staff_in(Role::GridChief), staff_in(Role::GridWorker)]);
        for (h, household) in store
            .households(&grid.code, &filter)?
            .into_iter()
            .enumerate()
        {
            let key = (g * 1000 + h) as u64;
            let class = household.household_class;
            let place = households.len() as u32;
            households.push(household.household_id);
            for (channel, on) in year_of_contacts(key, class, diligence, &months, &quarters) {
                let by_chief = channel == Channel::Home && class == HouseholdClass::Special;
                contacts.push(Contact {
                    on,
                    household: place,
                    staff: chief + u32::from(!by_chief),
                    channel,
                });
            }
        }
    }
    contacts.sort_unstable_by_key(|c| (c.on, c.household));
    let monday = Period::containing(PeriodKind::Week, first_day)
        .expect("the demo's weeks lie in the years 0001 to 9999")
        .first();
    let week = |c: &Contact| (c.on - monday).num_days() / 7;
    let mut batches = 0;
    for batch in contacts.chunk_by(|a, b| week(a) == week(b)) {
        let visits: Vec<NewVisit> = batch
            .iter()
            .map(|c| NewVisit {
                household_id: households[c.household as usize].clone(),
                staff_id: staff[c.staff as usize].clone(),
                channel: c.channel,
                on: c.on,
                note: match c.channel {
                    Channel::Home => "入户走访",
                    Channel::Phone => "电话回访",
                }
                .to_owned(),
            })
            .collect();
        store.record_visits(&visits)?;
        batches += 1;
    }
    Ok(VisitYear {
        visits: contacts.len(),
        batches,
        grids: grids_by_diligence,
    })
}

/// A rate as a percentage, or `—` when nobody was held to it.
fn percent(rate: Option<&Rate>) -> String {
    rate.and_then(|r| r.value)
        .map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A grid staff role as a grid's residents know it.
fn role_title(role: Role) -> &'static str {
    match role {
        Role::GridChief => "网格长",
        Role::GridWorker => "网格员",
        other => other.as_str(),
    }
}

/// Prints the due list of [`DUE_COMMUNITY`] on [`DUE_DAY`]: its totals, each grid's items
/// with the grid's staff, the first overdue items, and the list of the grid worker with
/// the most overdue items.
pub(crate) fn print_due(store: &Store) -> wangge::Result<()> {
    let day = date(DUE_DAY);
    let community = store.unit(DUE_COMMUNITY, Some(day))?;
    let grids = store.children(DUE_COMMUNITY, Some(day))?;
    let grid_names: BTreeMap<&str, &str> = grids
        .iter()
        .map(|g| (g.code.as_str(), g.name.as_str()))
        .collect();
    let due = store.due_visits(DUE_COMMUNITY, Some(day))?;
    let overdue: Vec<&DueVisit> = due.iter().filter(|item| item.overdue).collect();
    println!("\n== 走访 due list of {} on {DUE_DAY} ==", community.name);
    println!(
        "  {} items due by the end of their period, {} overdue (the previous period was missed too)",
        due.len(),
        overdue.len()
    );
    println!("  {} {:>4} {:>8}  staff", pad("grid", 16), "due", "overdue");
    let mut laxest: Option<(usize, String)> = None;
    for grid in &grids {
        let items = due.iter().filter(|item| item.unit == grid.code).count();
        let late = overdue.iter().filter(|item| item.unit == grid.code).count();
        let staff = store.assignments(&grid.code, Some(day))?;
        let names: Vec<String> = staff
            .iter()
            .map(|a| format!("{} {}", role_title(a.role), a.name))
            .collect();
        println!(
            "  {} {items:>4} {late:>8}  {}",
            pad(&grid.name, 16),
            names.join(", ")
        );
        if let Some(worker) = staff.iter().find(|a| a.role == Role::GridWorker)
            && laxest.as_ref().is_none_or(|(most, _)| late > *most)
        {
            laxest = Some((late, worker.staff_id.clone()));
        }
    }

    println!("\n  the first 5 overdue items:");
    println!(
        "  {} {} {} {:<10}  last visit",
        pad("household", 20),
        pad("grid", 16),
        pad("rule", 10),
        "due"
    );
    for item in overdue.iter().take(5) {
        println!(
            "  {} {} {} {}  {}",
            pad(&item.household_id, 20),
            pad(grid_names.get(item.unit.as_str()).unwrap_or(&""), 16),
            pad(&item.rule, 10),
            item.due,
            item.last_visit
                .map_or_else(|| "—".into(), |d| d.to_string())
        );
    }

    if let Some((_, worker)) = laxest {
        let staff = store.staff(&worker)?;
        let list = store.due_visits_for_staff(&worker, Some(day))?;
        let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for item in &list {
            let counts = by_rule.entry(item.rule.as_str()).or_default();
            counts.0 += 1;
            counts.1 += usize::from(item.overdue);
        }
        let rules: Vec<String> = by_rule
            .iter()
            .map(|(rule, (items, late))| format!("{rule} {items} ({late} overdue)"))
            .collect();
        println!(
            "\n  网格员 {} ({worker}), the worker with the most overdue: {} items on their own list\n    {}",
            staff.name,
            list.len(),
            rules.join(", ")
        );
    }
    Ok(())
}

/// Prints, for each of [`COMPLIANCE_QUARTERS`], each township's compliance with the visit
/// rules (requirements whose rule period ends in the quarter, and how many were met), in
/// all and per rule, and the county's.
pub(crate) fn print_compliance(store: &Store) -> wangge::Result<()> {
    let rules: Vec<String> = store
        .visit_rules(Some(date(DUE_DAY)))?
        .into_iter()
        .map(|rule| rule.name)
        .collect();
    println!("\n== 走访 compliance by township (rule periods ending in the quarter) ==");
    println!("  (普通户入户 is half-yearly: it counts in the quarter its half year ends)");
    for quarter in COMPLIANCE_QUARTERS {
        let period = Period::parse(quarter)?;
        let mut units = store.children("512021", Some(period.last()))?;
        units.push(store.unit("512021", Some(period.last()))?);
        print!(
            "  {} {:>8} {:>6} {:>7}",
            pad(quarter, 10),
            "required",
            "met",
            "rate"
        );
        for rule in &rules {
            print!("  {}", pad(rule, 10));
        }
        println!();
        for unit in &units {
            let c = store.visit_compliance(&unit.code, &period, false)?;
            print!(
                "  {} {:>8} {:>6} {:>7}",
                pad(&unit.name, 10),
                c.total.required,
                c.total.met,
                percent(Some(&c.total.rate))
            );
            for rule in &rules {
                let rate = c.rules.iter().find(|r| &r.rule == rule).map(|r| &r.rate);
                print!("  {:>10}", percent(rate));
            }
            println!();
        }
    }
    Ok(())
}
