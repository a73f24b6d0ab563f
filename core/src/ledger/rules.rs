//! Classification rules as data: categories with their books, triage and time limit and
//! the keywords that suggest them; household tags that add books; urgency keywords.
//! Versioned by the day they take effect, like the visit rules.

use serde_json::{Map, Value, json};

use super::Triage;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::levels::Levels;
use crate::store::Store;
use crate::visits::sets::{self, Fields, RuleTable};

/// One category: the books its entries go in, how they are triaged, how many working days
/// they have, and the keywords of a summary that suggest it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRule {
    /// The category, e.g. `市政设施`.
    pub name: String,
    /// The books its entries are kept in.
    pub books: Vec<String>,
    /// How its entries are triaged.
    pub triage: Triage,
    /// Working days to resolve one.
    pub days: u32,
    /// Substrings of a summary that suggest this category.
    pub keywords: Vec<String>,
    /// A named department that handles it instead of a unit, if any.
    pub department: Option<String>,
}

/// A whole set of classification rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRules {
    /// The ledger books (台账) an entry may be kept in.
    pub books: Vec<String>,
    /// The categories, in order: between equally specific keyword matches, the first
    /// listed wins (and the tie is reported).
    pub categories: Vec<CategoryRule>,
    /// Household tags that add books: an entry about a household with the tag also lands
    /// in them.
    pub tag_books: Vec<(String, Vec<String>)>,
    /// Substrings of a summary that make an entry urgent.
    pub urgent_keywords: Vec<String>,
    /// The category of an urgent entry whose summary suggests no other, if any.
    pub urgent_category: Option<String>,
    /// Hours an urgent entry has to be resolved.
    pub urgent_hours: u32,
    /// Hours an urgent entry's handler has to sign for it.
    pub urgent_sign_for_hours: u32,
    /// Working days a handler has to sign for an entry.
    pub sign_for_days: u32,
    /// The level of the unit that handles each triage: the nearest unit at or above the
    /// entry's unit whose level is this one or higher.
    pub handler_levels: [String; 3],
    /// How an entry of a category the rules do not list is kept, if such entries are
    /// allowed at all (`name` and `keywords` unused).
    pub free_categories: Option<CategoryRule>,
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn category(
    name: &str,
    books: &[&str],
    triage: Triage,
    days: u32,
    keywords: &[&str],
) -> CategoryRule {
    CategoryRule {
        name: name.to_owned(),
        books: texts(books),
        triage,
        days,
        keywords: texts(keywords),
        department: None,
    }
}

/// The default rules, drawn from the sources: the three books of 金科苑 (民生诉求, 困难群众,
/// 稳定工作), the categories a grid's records cover (信访隐患, 计生, 低保, 民政, 文明创建,
/// 安全生产, 综治维稳, 民政帮扶, 司法调解, and the facilities residents report), the
/// triage of the grid work report (on site by the grid, with the community, at once to the
/// street), one working day to sign for, two hours when urgent.
pub fn default_ledger_rules() -> LedgerRules {
    use Triage::{Coordinate, Escalate, OnSite};
    let livelihood = ["民生诉求"];
    let difficulty = ["困难群众"];
    let stability = ["稳定工作"];
    LedgerRules {
        books: texts(&["民生诉求", "困难群众", "稳定工作"]),
        categories: vec![
            category(
                "市政设施",
                &livelihood,
                OnSite,
                5,
                &[
                    "下水道",
                    "排水",
                    "堵塞",
                    "路灯",
                    "楼道灯",
                    "灯坏",
                    "井盖",
                    "枯死树",
                    "树木",
                    "道路破损",
                    "积水",
                    "停水",
                    "停电",
                ],
            ),
            category(
                "环境卫生",
                &livelihood,
                OnSite,
                3,
                &["垃圾", "野猫", "卫生", "异味", "小广告", "污水"],
            ),
            category(
                "低保",
                &difficulty,
                Coordinate,
                10,
                &["低保", "最低生活保障", "低收入"],
            ),
            category(
                "民政帮扶",
                &difficulty,
                Coordinate,
                10,
                &[
                    "帮扶",
                    "救助",
                    "困难补助",
                    "临时救助",
                    "残疾人补贴",
                    "慰问",
                    "生活困难",
                ],
            ),
            category(
                "民政",
                &livelihood,
                Coordinate,
                10,
                &["养老", "高龄补贴", "婚姻登记", "殡葬", "优抚"],
            ),
            category(
                "就业",
                &livelihood,
                Coordinate,
                10,
                &["找工作", "就业", "失业", "再就业", "技能培训", "公益性岗位"],
            ),
            category(
                "医保参保",
                &livelihood,
                Coordinate,
                10,
                &["医保", "医疗保险", "参保", "社保", "养老保险"],
            ),
            category(
                "户籍",
                &livelihood,
                Coordinate,
                10,
                &["户口", "户口迁移", "落户", "身份证"],
            ),
            category(
                "计生",
                &livelihood,
                OnSite,
                10,
                &["计生", "生育", "独生子女"],
            ),
            category(
                "文明创建",
                &livelihood,
                OnSite,
                10,
                &["文明", "乱停", "占道", "乱搭乱建", "违建"],
            ),
            category(
                "安全生产",
                &livelihood,
                Coordinate,
                3,
                &[
                    "安全隐患",
                    "消防通道",
                    "电动车充电",
                    "飞线",
                    "违章用电",
                    "灭火器",
                ],
            ),
            category(
                "矛盾纠纷",
                &stability,
                Coordinate,
                5,
                &["纠纷", "争吵", "邻里", "噪音", "漏水", "矛盾"],
            ),
            category(
                "司法调解",
                &stability,
                Coordinate,
                10,
                &["调解", "赔偿", "鉴定", "欠薪", "拖欠工资", "法律援助"],
            ),
            category(
                "信访隐患",
                &stability,
                Escalate,
                5,
                &["上访", "信访", "越级", "集体上访"],
            ),
            category(
                "综治维稳",
                &stability,
                Escalate,
                3,
                &["治安", "盗窃", "打架", "可疑人员", "斗殴"],
            ),
        ],
        tag_books: [
            ("低保", &difficulty),
            ("低收入", &difficulty),
            ("残疾", &difficulty),
            ("困难", &difficulty),
            ("帮扶对象", &difficulty),
            ("失独", &difficulty),
            ("空巢", &difficulty),
            ("上访", &stability),
            ("矫正对象", &stability),
        ]
        .into_iter()
        .map(|(tag, books)| (tag.to_owned(), texts(books)))
        .collect(),
        urgent_keywords: texts(&[
            "火灾",
            "着火",
            "起火",
            "燃气泄漏",
            "煤气",
            "漏气",
            "坍塌",
            "倒塌",
            "垮塌",
            "群体性",
            "聚集",
            "溺水",
            "触电",
            "爆炸",
        ]),
        urgent_category: Some("安全生产".to_owned()),
        urgent_hours: 24,
        urgent_sign_for_hours: 2,
        sign_for_days: 1,
        handler_levels: [
            "grid".to_owned(),
            "community".to_owned(),
            "township".to_owned(),
        ],
        free_categories: None,
    }
}

impl LedgerRules {
    /// The rule of the category called `name`.
    pub fn category(&self, name: &str) -> Option<&CategoryRule> {
        self.categories.iter().find(|c| c.name == name)
    }

    /// The level of the unit that handles entries triaged `triage`.
    pub fn handler_level(&self, triage: Triage) -> &str {
        &self.handler_levels[triage as usize]
    }

    /// Reads a rule set from JSON (the shape [`LedgerRules::to_json`] writes). Keys left
    /// out take the defaults' values, except `categories`. Handler levels must be levels of
    /// `levels`.
    pub fn from_json(value: &Value, levels: &Levels) -> Result<LedgerRules> {
        let defaults = default_ledger_rules();
        let f = Fields::of(
            value,
            "rules",
            &[
                "books",
                "categories",
                "tag_books",
                "urgent",
                "sign_for_days",
                "handlers",
                "free_categories",
            ],
        )?;
        let books = match f.object().get("books") {
            None => defaults.books.clone(),
            Some(v) => names(v, "books")?,
        };
        let categories = match f.object().get("categories") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|c| category_from_json(c, &books, false))
                .collect::<Result<Vec<_>>>()?,
            other => {
                return Err(Error::invalid(
                    "categories",
                    other.map_or(String::new(), ToString::to_string),
                    "a JSON array of categories is required",
                ));
            }
        };
        for (i, c) in categories.iter().enumerate() {
            if categories[..i].iter().any(|d| d.name == c.name) {
                return Err(Error::invalid(
                    "name",
                    &c.name,
                    "two categories have this name",
                ));
            }
        }
        let tag_books = match f.object().get("tag_books") {
            None => defaults.tag_books.clone(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(tag, v)| {
                    let list = names(v, "tag_books")?;
                    known_books(&list, &books)?;
                    Ok((tag.clone(), list))
                })
                .collect::<Result<Vec<_>>>()?,
            Some(other) => {
                return Err(Error::invalid(
                    "tag_books",
                    other.to_string(),
                    "an object of tag → books",
                ));
            }
        };
        let urgent = match f.object().get("urgent") {
            Some(v) => Some(Fields::of(
                v,
                "urgent",
                &["keywords", "category", "hours", "sign_for_hours"],
            )?),
            None => None,
        };
        let urgent_keywords = match urgent.as_ref().and_then(|u| u.object().get("keywords")) {
            None => defaults.urgent_keywords.clone(),
            Some(k) => names(k, "keywords")?,
        };
        let urgent_category = match &urgent {
            // The default applies only where the rules list its category.
            None => defaults
                .urgent_category
                .clone()
                .filter(|c| categories.iter().any(|k| k.name == *c)),
            Some(u) => u.text("category")?.map(str::to_owned),
        };
        if let Some(c) = &urgent_category
            && !categories.iter().any(|k| k.name == *c)
        {
            return Err(Error::invalid(
                "urgent",
                c,
                "the category of urgent entries is not one of the rules' categories",
            ));
        }
        let (urgent_hours, urgent_sign_for_hours) = match &urgent {
            None => (defaults.urgent_hours, defaults.urgent_sign_for_hours),
            Some(u) => (
                u.count("hours", 1..=720, Some(defaults.urgent_hours))?,
                u.count(
                    "sign_for_hours",
                    1..=720,
                    Some(defaults.urgent_sign_for_hours),
                )?,
            ),
        };
        let sign_for_days = f.count("sign_for_days", 1..=60, Some(defaults.sign_for_days))?;
        let mut handler_levels = defaults.handler_levels.clone();
        if let Some(v) = f.object().get("handlers") {
            let h = Fields::of(v, "handlers", &["on_site", "coordinate", "escalate"])?;
            for triage in Triage::ALL {
                if let Some(level) = h.text(field_of(triage))? {
                    level.clone_into(&mut handler_levels[triage as usize]);
                }
            }
        }
        for level in &handler_levels {
            levels
                .depth(level)
                .map_err(|_| Error::invalid("handlers", level, "not a level of this store"))?;
        }
        let free_categories = match f.object().get("free_categories") {
            None | Some(Value::Null) => None,
            Some(v) => Some(category_from_json(v, &books, true)?),
        };
        Ok(LedgerRules {
            books,
            categories,
            tag_books,
            urgent_keywords,
            urgent_category,
            urgent_hours,
            urgent_sign_for_hours,
            sign_for_days,
            handler_levels,
            free_categories,
        })
    }

    /// The rule set as JSON, which [`LedgerRules::from_json`] reads back.
    pub fn to_json(&self) -> Value {
        let category = |c: &CategoryRule, free: bool| {
            let mut o = Map::new();
            if !free {
                o.insert("name".into(), json!(c.name));
            }
            o.insert("books".into(), json!(c.books));
            o.insert("triage".into(), json!(c.triage.as_str()));
            o.insert("days".into(), json!(c.days));
            if !free {
                o.insert("keywords".into(), json!(c.keywords));
            }
            if let Some(d) = &c.department {
                o.insert("department".into(), json!(d));
            }
            Value::Object(o)
        };
        json!({
            "books": self.books,
            "categories": self.categories.iter().map(|c| category(c, false)).collect::<Vec<_>>(),
            "tag_books": self.tag_books.iter().map(|(t, b)| (t.clone(), json!(b))).collect::<Map<_, _>>(),
            "urgent": {
                "keywords": self.urgent_keywords,
                "category": self.urgent_category,
                "hours": self.urgent_hours,
                "sign_for_hours": self.urgent_sign_for_hours,
            },
            "sign_for_days": self.sign_for_days,
            "handlers": {
                "on_site": self.handler_levels[0],
                "coordinate": self.handler_levels[1],
                "escalate": self.handler_levels[2],
            },
            "free_categories": self.free_categories.as_ref().map(|c| category(c, true)),
        })
    }
}

fn field_of(triage: Triage) -> &'static str {
    triage.as_str()
}

/// A JSON array of distinct non-empty names of at most 64 characters.
fn names(value: &Value, field: &'static str) -> Result<Vec<String>> {
    let bad = |why: &str| Error::invalid(field, value.to_string(), why.to_owned());
    let items = value
        .as_array()
        .ok_or_else(|| bad("expected an array of text"))?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let text = item
            .as_str()
            .ok_or_else(|| bad("expected an array of text"))?;
        crate::text::check_len(field, text, 1, 64)?;
        if out.iter().any(|o| o == text) {
            return Err(Error::invalid(field, text, "listed twice"));
        }
        out.push(text.to_owned());
    }
    Ok(out)
}

fn known_books(list: &[String], books: &[String]) -> Result<()> {
    match list.iter().find(|b| !books.contains(b)) {
        Some(b) => Err(Error::invalid("books", b, "not one of the rules' books")),
        None => Ok(()),
    }
}

fn category_from_json(value: &Value, books: &[String], free: bool) -> Result<CategoryRule> {
    let keys: &[&str] = if free {
        &["books", "triage", "days", "department"]
    } else {
        &["name", "books", "triage", "days", "keywords", "department"]
    };
    let f = Fields::of(
        value,
        if free { "free_categories" } else { "category" },
        keys,
    )?;
    let name = if free {
        String::new()
    } else {
        let name = f.required("name")?;
        crate::text::check_len("name", name, 1, 64)?;
        name.to_owned()
    };
    let list = match f.object().get("books") {
        Some(v) => names(v, "books")?,
        None => {
            return Err(Error::invalid(
                "books",
                &name,
                "each category names its books",
            ));
        }
    };
    if list.is_empty() {
        return Err(Error::invalid(
            "books",
            &name,
            "a category is kept in at least one book",
        ));
    }
    known_books(&list, books)?;
    let triage = Triage::parse(f.text("triage")?.unwrap_or("on_site"))?;
    let days = f.count("days", 1..=365, Some(10))?;
    let keywords = match f.object().get("keywords") {
        Some(v) => names(v, "keywords")?,
        None => Vec::new(),
    };
    let department = f.text("department")?.map(str::to_owned);
    if let Some(d) = &department {
        crate::text::check_len("department", d, 1, 64)?;
    }
    Ok(CategoryRule {
        name,
        books: list,
        triage,
        days,
        keywords,
        department,
    })
}

impl Store {
    /// Sets the ledger's classification rules in force from `start` (default: always)
    /// from JSON in the shape of [`LedgerRules::to_json`], replacing a set that starts the
    /// same day. Entries already registered keep what they were given. Needs an
    /// unrestricted handle; audited.
    pub fn set_ledger_rules_json(&self, json: &str, start: Option<Date>) -> Result<()> {
        let levels = self.levels().clone();
        sets::set_json(
            self,
            RuleTable::Ledger,
            (json, start),
            |_, value| Ok(vec![LedgerRules::from_json(value, &levels)?]),
            LedgerRules::to_json,
        )
    }

    /// Sets the ledger's classification rules (see [`Store::set_ledger_rules_json`]).
    pub fn set_ledger_rules(&self, rules: &LedgerRules, start: Option<Date>) -> Result<()> {
        self.set_ledger_rules_json(&rules.to_json().to_string(), start)
    }

    /// The classification rules in force on `on` (default today).
    pub fn ledger_rules(&self, on: Option<Date>) -> Result<LedgerRules> {
        let day = crate::date::to_sql(on.unwrap_or_else(|| self.today()));
        let conn = self.read()?;
        let classifier = super::classify::classifier_on(self, &conn, day)?;
        Ok(classifier.rules.clone())
    }
}
