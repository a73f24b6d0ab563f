//! The report-like results as frames: a report's rows, a circular's ranked and left-out
//! children, an assessment's scores.

use arrow_array::RecordBatch;
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Value, json};

use super::Frame;
use crate::error::Result;
use crate::labels::Labels;
use crate::report::{Assessment, Circular, Report};

/// A row made here, its fields in the order given.
struct Ordered(Vec<(String, Value)>);

impl Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl Report {
    /// The rows as a frame, one line per row (the own row last): `unit`, `name`, `level`,
    /// `own`, then every indicator, a count as one column and a rate as three (`X`, its
    /// value, `X_num`, `X_den`).
    pub fn frame(&self, labels: Labels) -> Result<RecordBatch> {
        super::record_batch(&self.rows, labels)
    }
}

impl Circular {
    /// The children as a frame: the ranked ones best first (`unit`, `name`, `value`,
    /// `num`, `den`, `rank`), then those left out with their `den` and `reason` (their
    /// `value` and `rank` null).
    pub fn frame(&self, labels: Labels) -> Result<RecordBatch> {
        let mut frame = Frame::new();
        for row in &self.ranked {
            frame.push(&Ordered(vec![
                ("unit".into(), json!(row.unit)),
                ("name".into(), json!(row.name)),
                ("value".into(), json!(row.value)),
                ("num".into(), json!(row.num)),
                ("den".into(), json!(row.den)),
                ("rank".into(), json!(row.rank)),
                ("reason".into(), Value::Null),
            ]))?;
        }
        for row in &self.left_out {
            frame.push(&Ordered(vec![
                ("unit".into(), json!(row.unit)),
                ("name".into(), json!(row.name)),
                ("value".into(), Value::Null),
                ("num".into(), Value::Null),
                ("den".into(), json!(row.den)),
                ("rank".into(), Value::Null),
                ("reason".into(), json!(row.reason)),
            ]))?;
        }
        frame.finish(labels)
    }
}

impl Assessment {
    /// The scores as a frame, best first: `unit`, `name`, `score` and `rank` (null when
    /// not scored).
    pub fn frame(&self, labels: Labels) -> Result<RecordBatch> {
        let mut frame = Frame::new();
        for row in &self.rows {
            frame.push(&Ordered(vec![
                ("unit".into(), json!(row.unit)),
                ("name".into(), json!(row.name)),
                ("score".into(), json!(row.score)),
                ("rank".into(), json!(row.rank)),
            ]))?;
        }
        frame.finish(labels)
    }
}
