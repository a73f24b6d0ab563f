//! The demo ledger's clock: Unix seconds in the deployment's offset, office hours and the
//! official working days of the ledger year and the next.

use chrono::{FixedOffset, TimeZone};
use wangge::{Moment, Store};

use super::super::date;
use super::super::visits::pick;
use super::LEDGER_YEAR;

/// Office hours, in seconds after midnight: staff act from 8:30 to 17:30 on working days.
const OPEN: i64 = 8 * HOUR + 1800;
const CLOSE: i64 = 17 * HOUR + 1800;
pub(super) const DAY: i64 = 86_400;
pub(super) const HOUR: i64 = 3600;

/// Time as the simulation counts it: Unix seconds, the deployment's offset and the
/// official working days of the ledger year and the next.
#[derive(Debug)]
pub(super) struct Clock {
    offset: FixedOffset,
    first_day: i64,
    working: Vec<bool>,
}

impl Clock {
    pub(super) fn new(store: &Store) -> wangge::Result<Clock> {
        let first = date(&format!("{LEDGER_YEAR}-01-01"));
        let offset = *store.parse_moment(&format!("{first}T00:00"))?.offset();
        let calendar = store.calendar()?;
        let working = (0..730)
            .map(|n| calendar.is_working_day(first + chrono::Days::new(n)))
            .collect::<wangge::Result<_>>()?;
        Ok(Clock {
            offset,
            first_day: (first - date("1970-01-01")).num_days(),
            working,
        })
    }

    pub(super) fn day(&self, t: i64) -> i64 {
        (t + i64::from(self.offset.local_minus_utc())).div_euclid(DAY)
    }

    pub(super) fn at(&self, day: i64, seconds: i64) -> i64 {
        day * DAY + seconds - i64::from(self.offset.local_minus_utc())
    }

    /// The moment `seconds` after the local midnight that starts `day` (days are counted
    /// from 1970-01-01 in local time, as [`Clock::day`] does).
    pub(super) fn at_local(&self, day: wangge::Date, seconds: i64) -> i64 {
        self.at((day - date("1970-01-01")).num_days(), seconds)
    }

    pub(super) fn moment(&self, t: i64) -> Moment {
        self.offset.timestamp_opt(t, 0).single().expect("in range")
    }

    pub(super) fn is_working(&self, day: i64) -> bool {
        usize::try_from(day - self.first_day)
            .ok()
            .and_then(|i| self.working.get(i))
            .copied()
            .unwrap_or(true)
    }

    /// The first moment at or after `t` in office hours (a little after opening when it
    /// has to wait for the next working day).
    pub(super) fn office(&self, t: i64, key: u64) -> i64 {
        let (day, seconds) = (self.day(t), t - self.at(self.day(t), 0));
        if self.is_working(day) && (OPEN..CLOSE).contains(&seconds) {
            return t;
        }
        let mut next = if self.is_working(day) && seconds < OPEN {
            day
        } else {
            day + 1
        };
        while !self.is_working(next) {
            next += 1;
        }
        self.at(next, OPEN + pick(key, 90) as i64 * 60)
    }

    /// `t` moved `n` working days later, keeping its time of day.
    pub(super) fn working_days_later(&self, t: i64, n: u64) -> i64 {
        let mut day = self.day(t);
        for _ in 0..n {
            day += 1;
            while !self.is_working(day) {
                day += 1;
            }
        }
        t + (day - self.day(t)) * DAY
    }
}
