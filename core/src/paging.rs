//! Paging (分页) of long lists: due lists, households, findings and entries.
//!
//! A page is asked for with a [`Paging`]: at most `limit` items, after the cursor
//! `after` that the previous page gave as its `next`. Each paged list has a page order by
//! a key that later writes cannot change (a household's id, a finding's or an entry's
//! id, a due item's household and rule), and a page holds the items whose key comes after
//! the cursor's. Walking from the first page to the one whose `next` is `None` therefore
//! gives every item that was on the list throughout exactly once, even while other rows
//! are written between pages; an item added or removed meanwhile may or may not appear.
//!
//! The cursor is opaque text. It holds the key of the last item given, the list's day
//! (or moment) fixed by the first page, so later pages answer for the same day even
//! across midnight, and a fingerprint of the list and query it belongs to. A cursor that
//! does not parse, or belongs to another list or query, is `InvalidInput` naming
//! `after`. A cursor gives no access: every page is checked against the handle's scope as
//! the whole list is.

use serde::Serialize;
use serde_json::Value;
use sm3::{Digest, Sm3};

use crate::error::{Error, Result};
use crate::store::keys::{from_hex, to_hex};

/// The largest `limit` a page may ask for.
pub const PAGE_LIMIT_MAX: usize = 100_000;

/// What the cursors of this version start with.
const CURSOR_PREFIX: &str = "v1.";

/// The longest cursor text read; anything longer is not a cursor of this library.
const CURSOR_MAX: usize = 4096;

/// Which page of a list to give: at most `limit` items (1 to [`PAGE_LIMIT_MAX`];
/// `None`: all the rest) after the cursor `after` (`None`: from the start). The default
/// asks for the whole list as one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paging {
    /// At most this many items; `None`: all the rest.
    pub limit: Option<usize>,
    /// The `next` of the previous page; `None` for the first page.
    pub after: Option<String>,
}

impl Paging {
    /// The first page of at most `limit` items.
    pub fn first(limit: usize) -> Paging {
        Paging {
            limit: Some(limit),
            after: None,
        }
    }

    /// The page of at most `limit` items after the cursor `after`.
    pub fn after(limit: usize, after: &str) -> Paging {
        Paging {
            limit: Some(limit),
            after: Some(after.to_owned()),
        }
    }

    /// A paging from a limit given as a signed number (as Python gives one): a limit below
    /// 1 or above [`PAGE_LIMIT_MAX`] is `InvalidInput` naming `limit`.
    pub fn from_signed(limit: Option<i64>, after: Option<&str>) -> Result<Paging> {
        let limit = limit
            .map(|n| usize::try_from(n).map_err(|_| limit_error(n)))
            .transpose()?;
        let paging = Paging {
            limit,
            after: after.map(str::to_owned),
        };
        paging.check_limit()?;
        Ok(paging)
    }

    /// Checks the limit: 1 to [`PAGE_LIMIT_MAX`], or none.
    fn check_limit(&self) -> Result<()> {
        match self.limit {
            Some(n) if n == 0 || n > PAGE_LIMIT_MAX => Err(limit_error(n)),
            _ => Ok(()),
        }
    }

    /// Starts a page of the list `list` for the query described by `query`: checks the
    /// limit, reads the cursor, and fixes the list's day (or moment): the cursor's, else
    /// `given`, else `default()`. A `given` day other than the cursor's is `InvalidInput`
    /// naming `after`, as is a cursor of another list or query.
    pub(crate) fn start(
        &self,
        list: &'static str,
        query: &str,
        given: Option<i64>,
        default: impl FnOnce() -> i64,
    ) -> Result<PageWalk> {
        self.check_limit()?;
        let want = self.limit.map_or(usize::MAX, |n| n + 1);
        let Some(text) = &self.after else {
            let fixed = given.unwrap_or_else(default);
            return Ok(PageWalk {
                fingerprint: fingerprint(list, query, fixed),
                list,
                want,
                fixed,
                after: None,
            });
        };
        let bad = |reason: &str| Error::invalid("after", text, reason);
        let payload = text
            .strip_prefix(CURSOR_PREFIX)
            .filter(|_| text.len() <= CURSOR_MAX)
            .and_then(from_hex)
            .and_then(|bytes| serde_json::from_slice::<Vec<Value>>(&bytes).ok())
            .ok_or_else(|| bad("not a page cursor (the `next` of a page)"))?;
        let (cursor_list, mark, fixed, key) = match payload.as_slice() {
            [
                Value::String(l),
                Value::String(m),
                Value::Number(f),
                key @ ..,
            ] if !key.is_empty() => {
                let key: Option<Vec<String>> =
                    key.iter().map(|k| k.as_str().map(str::to_owned)).collect();
                match (f.as_i64(), key) {
                    (Some(f), Some(key)) => (l, m, f, key),
                    _ => return Err(bad("not a page cursor (the `next` of a page)")),
                }
            }
            _ => return Err(bad("not a page cursor (the `next` of a page)")),
        };
        if cursor_list != list {
            return Err(bad(&format!(
                "a cursor of another list ({cursor_list}, not {list})"
            )));
        }
        if *mark != fingerprint(list, query, fixed) {
            return Err(bad("a cursor of another query of this list"));
        }
        if given.is_some_and(|g| g != fixed) {
            return Err(bad("a cursor of this list for another day or moment"));
        }
        Ok(PageWalk {
            fingerprint: mark.clone(),
            list,
            want,
            fixed,
            after: Some(key),
        })
    }
}

fn limit_error(n: impl std::fmt::Display) -> Error {
    Error::invalid(
        "limit",
        n,
        format!("a page holds 1 to {PAGE_LIMIT_MAX} items"),
    )
}

/// A short fingerprint of a list, its query and its fixed day or moment.
fn fingerprint(list: &str, query: &str, fixed: i64) -> String {
    let digest = Sm3::new()
        .chain_update(list.as_bytes())
        .chain_update([0])
        .chain_update(query.as_bytes())
        .chain_update([0])
        .chain_update(fixed.to_le_bytes())
        .finalize();
    to_hex(&digest[..8])
}

/// One page being made: what the list's code needs to read it.
#[derive(Debug, Clone)]
pub(crate) struct PageWalk {
    list: &'static str,
    fingerprint: String,
    /// How many items to read: the limit plus one, to know whether more follow.
    pub(crate) want: usize,
    /// The list's day (or moment), fixed by the first page.
    pub(crate) fixed: i64,
    /// The key of the previous page's last item.
    pub(crate) after: Option<Vec<String>>,
}

impl PageWalk {
    /// The cursor's key part `i`, as text.
    pub(crate) fn key(&self, i: usize) -> Option<&str> {
        self.after.as_ref()?.get(i).map(String::as_str)
    }

    /// The cursor's key part `i` as a number (an id); a cursor whose part is not one is
    /// `InvalidInput` naming `after`.
    pub(crate) fn id_key(&self, i: usize) -> Result<Option<i64>> {
        self.key(i)
            .map(|k| {
                k.parse().map_err(|_| {
                    Error::invalid("after", k, "not a page cursor (the `next` of a page)")
                })
            })
            .transpose()
    }

    /// The page of `items` (read up to [`PageWalk::want`] of them, in page order): the
    /// first `limit`, and a cursor after the last of them when more were read.
    pub(crate) fn finish<T>(&self, mut items: Vec<T>, key: impl Fn(&T) -> Vec<String>) -> Page<T> {
        let limit = self.want.saturating_sub(1);
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| self.cursor(&key(last)))
        } else {
            None
        };
        Page { items, next }
    }

    fn cursor(&self, key: &[String]) -> String {
        let mut payload = vec![
            Value::from(self.list),
            Value::from(self.fingerprint.as_str()),
            Value::from(self.fixed),
        ];
        payload.extend(key.iter().map(|k| Value::from(k.as_str())));
        format!(
            "{CURSOR_PREFIX}{}",
            to_hex(Value::Array(payload).to_string().as_bytes())
        )
    }
}

/// One page of a list: its items in the list's page order, and the cursor to ask for the
/// next page with (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The cursor for the next page (its [`Paging::after`]); `None` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The page with each item changed by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Reads a page of a SQL-backed list in batches of keys after the last one read: `batch`
/// gets the last key read (the cursor's at first) and how many rows to read, and gives
/// them in key order, each with its key and its item, `None` for a row a filter outside
/// SQL left out. Stops at [`PageWalk::want`] items or when a batch comes short.
pub(crate) fn read_batches<K: Clone, T>(
    walk: &PageWalk,
    first: K,
    mut batch: impl FnMut(&K, usize) -> Result<Vec<(K, Option<T>)>>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    let mut last = first;
    let mut size = walk.want.clamp(1, PAGE_LIMIT_MAX + 1);
    loop {
        let rows = batch(&last, size)?;
        let short = rows.len() < size;
        for (key, item) in rows {
            last = key;
            if let Some(item) = item {
                out.push(item);
                if out.len() >= walk.want {
                    return Ok(out);
                }
            }
        }
        if short {
            return Ok(out);
        }
        size = size.saturating_mul(2).min(PAGE_LIMIT_MAX + 1);
    }
}
