//! Classification: what the rules in force make of an entry, and why.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use aho_corasick::{AhoCorasick, MatchKind};
use chrono::FixedOffset;
use rusqlite::Connection;
use serde_json::{Value, json};

use super::rules::{CategoryRule, LedgerRules, default_ledger_rules};
use super::{Handler, TimeLimit, Triage};
use crate::date::{self, BEGINNING, Date, Moment};
use crate::error::{Error, Result};
use crate::store::{Derived, Store, lock};

/// One step of a classification: which rule matched what, and what it decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The kind of rule: `keyword`, `tie`, `category`, `given_category`, `free_category`,
    /// `urgent_category`, `tag`, `urgent_keyword`, `urgent_flag` or `handler`.
    pub rule: String,
    /// What it matched: a keyword, a category, a tag, a triage level.
    pub matched: String,
    /// What it decided, in words.
    pub effect: String,
}

impl Reason {
    fn new(rule: &str, matched: impl Into<String>, effect: impl Into<String>) -> Reason {
        Reason {
            rule: rule.to_owned(),
            matched: matched.into(),
            effect: effect.into(),
        }
    }

    /// The reason as JSON.
    pub fn to_json(&self) -> Value {
        json!({"rule": self.rule, "matched": self.matched, "effect": self.effect})
    }
}

/// What the rules make of an entry: the decision and the reasons for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// The category: the one given, or the one the summary's keywords suggest.
    pub category: String,
    /// The category the summary's most specific keyword suggests, if any matched.
    pub suggested_category: Option<String>,
    /// Categories suggested by equally specific keywords, when more than one was (the
    /// first listed in the rules is suggested).
    pub ties: Vec<String>,
    /// The books the entry goes in: the category's, then those its household's tags add.
    pub books: Vec<String>,
    /// How it is triaged.
    pub triage: Triage,
    /// Whether it is urgent (flagged so, or an urgency keyword matched).
    pub urgent: bool,
    /// Its time limit to resolution.
    pub time_limit: TimeLimit,
    /// Its handler's time limit to sign for it.
    pub sign_for_limit: TimeLimit,
    /// Who handles it, when the unit it is raised at is known.
    pub handler: Option<Handler>,
    /// The day the rule set used took effect; `None` for the defaults.
    pub rules_from: Option<Date>,
    /// Which rule decided what, in order.
    pub reasons: Vec<Reason>,
}

impl Classification {
    /// The classification as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "category": self.category,
            "suggested_category": self.suggested_category,
            "ties": self.ties,
            "books": self.books,
            "triage": self.triage.as_str(),
            "urgent": self.urgent,
            "time_limit": self.time_limit.to_json(),
            "sign_for_limit": self.sign_for_limit.to_json(),
            "handler": self.handler.as_ref().map(Handler::to_json),
            "rules_from": self.rules_from.map(|d| d.to_string()),
            "reasons": self.reasons.iter().map(Reason::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Adds a reason when the caller wants them (registering in bulk does not).
fn note(reasons: &mut Vec<Reason>, explain: bool, reason: impl FnOnce() -> Reason) {
    if explain {
        reasons.push(reason());
    }
}

/// What a keyword pattern stands for.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    Category(usize, usize),
    Urgent,
}

/// A rule set ready to classify: its keywords in one automaton.
#[derive(Debug)]
pub(crate) struct Classifier {
    pub(crate) rules: LedgerRules,
    /// The day the set took effect (`BEGINNING` for the defaults).
    start: i64,
    matcher: AhoCorasick,
    patterns: Vec<(Pattern, usize, String)>,
}

/// Classifiers already built, by the start day of their set and its stored text.
#[derive(Debug, Default)]
pub(crate) struct ClassifierCache {
    built: Mutex<HashMap<i64, (String, Arc<Classifier>)>>,
}

/// Kept by the store for good: a classifier is found by its set's start day and text,
/// so a changed set is built again whoever changed it.
impl Derived for ClassifierCache {
    type Input<'a> = ();
    type Pending = ();
    const STAMPED_BY_CHAIN: bool = false;

    fn stamp(_conn: &Connection) -> Result<i64> {
        Ok(0)
    }

    fn build(_conn: &Connection, (): ()) -> Result<Self> {
        Ok(ClassifierCache::default())
    }
}

impl Classifier {
    fn new(rules: LedgerRules, start: i64) -> Result<Classifier> {
        let mut patterns = Vec::new();
        for (i, c) in rules.categories.iter().enumerate() {
            for (k, word) in c.keywords.iter().enumerate() {
                patterns.push((Pattern::Category(i, k), word.chars().count(), word.clone()));
            }
        }
        for word in &rules.urgent_keywords {
            patterns.push((Pattern::Urgent, word.chars().count(), word.clone()));
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns.iter().map(|(_, _, w)| w))
            .map_err(|e| Error::invalid("keywords", "", e.to_string()))?;
        Ok(Classifier {
            rules,
            start,
            matcher,
            patterns,
        })
    }

    /// Classifies a summary, with an optional given category, the household's tags and
    /// the caller's urgency flag. The handler is left for the caller to find.
    pub(crate) fn classify(
        &self,
        given: Option<&str>,
        summary: &str,
        tags: &BTreeSet<String>,
        flagged_urgent: bool,
        explain: bool,
    ) -> Result<Classification> {
        let rules = &self.rules;
        let mut reasons = Vec::new();
        // The longest keyword each category matched, and the urgency keywords matched.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; rules.categories.len()];
        let mut urgent_words: Vec<&str> = Vec::new();
        for m in self.matcher.find_overlapping_iter(summary) {
            let (pattern, len, word) = &self.patterns[m.pattern().as_usize()];
            match *pattern {
                Pattern::Category(c, k) => {
                    if best[c].is_none_or(|(l, _)| *len > l) {
                        best[c] = Some((*len, k));
                    }
                }
                Pattern::Urgent => {
                    if !urgent_words.contains(&word.as_str()) {
                        urgent_words.push(word);
                    }
                }
            }
        }
        let longest = best.iter().flatten().map(|(l, _)| *l).max();
        let mut ties: Vec<String> = Vec::new();
        let mut suggested = None;
        for (c, found) in best.iter().enumerate() {
            let Some((len, k)) = *found else { continue };
            let rule = &rules.categories[c];
            note(&mut reasons, explain, || {
                Reason::new(
                    "keyword",
                    rule.keywords[k].clone(),
                    format!("suggests {} ({len} characters)", rule.name),
                )
            });
            if Some(len) == longest {
                suggested.get_or_insert(c);
                ties.push(rule.name.clone());
            }
        }
        if ties.len() < 2 {
            ties.clear();
        } else {
            note(&mut reasons, explain, || {
                Reason::new(
                    "tie",
                    ties.join(", "),
                    format!(
                        "equally specific keywords; {} suggested, as listed first",
                        ties[0]
                    ),
                )
            });
        }
        let suggested_category = suggested.map(|c| rules.categories[c].name.clone());
        let (name, rule): (String, &CategoryRule) = match given {
            Some(name) => {
                if let Some(rule) = rules.category(name) {
                    let effect = match &suggested_category {
                        Some(s) if s != name => {
                            format!("given by the caller (keywords suggest {s})")
                        }
                        _ => "given by the caller".to_owned(),
                    };
                    note(&mut reasons, explain, || {
                        Reason::new("given_category", name, effect)
                    });
                    (name.to_owned(), rule)
                } else if let Some(free) = &rules.free_categories {
                    note(&mut reasons, explain, || {
                        Reason::new(
                            "free_category",
                            name,
                            "not listed; kept as the rules keep free categories",
                        )
                    });
                    (name.to_owned(), free)
                } else {
                    return Err(Error::invalid(
                        "category",
                        name,
                        format!(
                            "not a category of the ledger rules in force (they list {})",
                            rules
                                .categories
                                .iter()
                                .map(|c| c.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
            None => match suggested {
                Some(c) => (rules.categories[c].name.clone(), &rules.categories[c]),
                None if !urgent_words.is_empty() && rules.urgent_category.is_some() => {
                    let name = rules.urgent_category.clone().unwrap_or_default();
                    let Some(rule) = rules.category(&name) else {
                        return Err(Error::Storage(format!(
                            "urgent category {name} not in its rules"
                        )));
                    };
                    note(&mut reasons, explain, || {
                        Reason::new(
                            "urgent_category",
                            urgent_words[0],
                            format!("no other category suggested; urgent entries are {name}"),
                        )
                    });
                    (name, rule)
                }
                None => {
                    return Err(Error::invalid(
                        "category",
                        summary,
                        "none given, and no keyword of the summary suggests one",
                    ));
                }
            },
        };
        let mut books = rule.books.clone();
        let urgent = flagged_urgent || !urgent_words.is_empty();
        note(&mut reasons, explain, || {
            Reason::new(
                "category",
                name.clone(),
                if urgent {
                    format!(
                        "books {}; being urgent, its triage and limits are the urgent ones",
                        rule.books.join(", ")
                    )
                } else {
                    format!(
                        "books {}; triage {}; {} working days",
                        rule.books.join(", "),
                        rule.triage.as_str(),
                        rule.days
                    )
                },
            )
        });
        for (tag, extra) in &rules.tag_books {
            if tags.contains(tag) {
                let added: Vec<&String> = extra.iter().filter(|b| !books.contains(b)).collect();
                note(&mut reasons, explain, || {
                    Reason::new(
                        "tag",
                        tag.clone(),
                        if added.is_empty() {
                            format!("books {} (already in)", extra.join(", "))
                        } else {
                            format!(
                                "adds books {}",
                                added
                                    .iter()
                                    .map(|b| b.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        },
                    )
                });
                for b in extra {
                    if !books.contains(b) {
                        books.push(b.clone());
                    }
                }
            }
        }
        let urgent_effect = format!(
            "urgent: triage escalate, {} hours, sign for within {} hours",
            rules.urgent_hours, rules.urgent_sign_for_hours
        );
        if flagged_urgent {
            note(&mut reasons, explain, || {
                Reason::new("urgent_flag", "urgent", urgent_effect.clone())
            });
        }
        for word in &urgent_words {
            note(&mut reasons, explain, || {
                Reason::new("urgent_keyword", *word, urgent_effect.clone())
            });
        }
        let (triage, time_limit, sign_for_limit) = if urgent {
            (
                Triage::Escalate,
                TimeLimit::Hours(rules.urgent_hours),
                TimeLimit::Hours(rules.urgent_sign_for_hours),
            )
        } else {
            (
                rule.triage,
                TimeLimit::WorkingDays(rule.days),
                TimeLimit::WorkingDays(rules.sign_for_days),
            )
        };
        Ok(Classification {
            category: name,
            suggested_category,
            ties,
            books,
            triage,
            urgent,
            time_limit,
            sign_for_limit,
            handler: None,
            rules_from: (self.start != BEGINNING).then(|| date::from_sql(self.start)),
            reasons,
        })
    }

    /// The department that handles entries of `category`, when not urgent.
    pub(crate) fn department(&self, category: &str) -> Option<&str> {
        self.rules
            .category(category)
            .or(self.rules.free_categories.as_ref())
            .and_then(|c| c.department.as_deref())
    }
}

/// The classifier of the rule set in force on `day`, built once per set and kept.
pub(crate) fn classifier_on(store: &Store, conn: &Connection, day: i64) -> Result<Arc<Classifier>> {
    let row: Option<(i64, String)> = rusqlite::OptionalExtension::optional(
        conn.prepare_cached(
            "SELECT start, rules FROM ledger_rule_set WHERE start <= ?1 ORDER BY start DESC LIMIT 1",
        )?
        .query_row([day], |r| Ok((r.get(0)?, r.get(1)?))),
    )?;
    let (start, text) = row.unwrap_or((BEGINNING, String::new()));
    let cache = store.derived::<ClassifierCache>(conn, ())?;
    let mut built = lock(&cache.built);
    if let Some((seen, classifier)) = built.get(&start)
        && *seen == text
    {
        return Ok(Arc::clone(classifier));
    }
    let rules = if text.is_empty() {
        default_ledger_rules()
    } else {
        let value: Value =
            serde_json::from_str(&text).map_err(|e| Error::Storage(e.to_string()))?;
        let one = value.get(0).unwrap_or(&value);
        LedgerRules::from_json(one, store.levels())?
    };
    let classifier = Arc::new(Classifier::new(rules, start)?);
    built.insert(start, (text, Arc::clone(&classifier)));
    Ok(classifier)
}

/// Finds the unit (or department) that handles an entry raised at a unit: the nearest
/// unit at or above it whose level is the triage's handler level or higher. Keeps the
/// units' levels it has read.
#[derive(Debug, Default)]
pub(crate) struct Places {
    levels: HashMap<String, usize>,
}

impl Places {
    /// The handler for `triage` of an entry raised at the unit whose path (on the day) is
    /// `path`, under `classifier`'s rules.
    pub(crate) fn handler(
        &mut self,
        store: &Store,
        conn: &Connection,
        classifier: &Classifier,
        path: &str,
        triage: Triage,
        department: Option<&str>,
    ) -> Result<Handler> {
        if let (Some(d), false) = (department, triage == Triage::Escalate) {
            return Ok(Handler::Department(d.to_owned()));
        }
        let levels = store.levels();
        let target = levels.depth(classifier.rules.handler_level(triage))?;
        let codes: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
        for code in codes.iter().rev() {
            if !self.levels.contains_key(*code) {
                let level: String = conn
                    .prepare_cached("SELECT level FROM unit WHERE code = ?1")?
                    .query_row([code], |r| r.get(0))?;
                let depth = levels.depth(&level).unwrap_or(usize::MAX);
                self.levels.insert((*code).to_owned(), depth);
            }
            if self.levels[*code] <= target {
                return Ok(Handler::Unit((*code).to_owned()));
            }
        }
        Ok(Handler::Unit(
            codes.first().copied().unwrap_or_default().to_owned(),
        ))
    }
}

/// The reason saying who handles an entry.
pub(crate) fn handler_reason(triage: Triage, handler: &Handler) -> Reason {
    Reason::new(
        "handler",
        triage.as_str(),
        format!("handled by {} {}", handler.kind(), handler.name()),
    )
}

impl Store {
    /// Classifies an entry without registering it: the rules in force on `at` (default
    /// now) applied to the given category (or the one the summary suggests), the summary,
    /// the household's tags that day, and the urgency flag. With a unit (or a household,
    /// whose unit that day is taken), the handler is found too. Unknown categories are
    /// `InvalidInput` unless the rules keep free categories.
    pub fn classify(
        &self,
        category: Option<&str>,
        summary: &str,
        household_id: Option<&str>,
        unit: Option<&str>,
        urgent: bool,
        at: Option<&Moment>,
    ) -> Result<Classification> {
        let offset: FixedOffset = self.offset();
        let day = at.map_or_else(
            || date::to_sql(self.today()),
            |m| date::to_sql(date::local_date(m, offset)),
        );
        let conn = self.conn()?;
        let classifier = classifier_on(self, &conn, day)?;
        let (tags, household_unit) = match household_id {
            Some(id) => {
                let unit =
                    crate::visits::household_unit(self, &conn, id, day, &mut HashMap::new())?;
                (crate::registry::household_tags(&conn, id, day)?, Some(unit))
            }
            None => (BTreeSet::new(), None),
        };
        let mut decision = classifier.classify(category, summary, &tags, urgent, true)?;
        if let Some(code) = unit.map(str::to_owned).or(household_unit) {
            let span = crate::units::span_on(&conn, &code, date::from_sql(day))?
                .ok_or_else(|| Error::not_found("unit", format!("{code} on {}", date::iso(day))))?;
            self.check_path_in_scope(&code, &span.path)?;
            let handler = Places::default().handler(
                self,
                &conn,
                &classifier,
                &span.path,
                decision.triage,
                classifier.department(&decision.category),
            )?;
            decision
                .reasons
                .push(handler_reason(decision.triage, &handler));
            decision.handler = Some(handler);
        }
        Ok(decision)
    }
}
