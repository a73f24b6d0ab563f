use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use arrow_schema::{DataType, TimeUnit};
use serde_json::json;

use super::*;

fn names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

#[derive(Serialize)]
struct Item {
    household_id: String,
    unit: String,
    channel: &'static str,
    due: String,
    overdue: bool,
    last_visit: Option<String>,
    visits: u32,
}

fn due(id: &str, last: Option<&str>) -> Item {
    Item {
        household_id: id.into(),
        unit: "G1".into(),
        channel: "home",
        due: "2024-03-31".into(),
        overdue: last.is_none(),
        last_visit: last.map(str::to_owned),
        visits: 2,
    }
}

#[test]
fn fields_become_typed_columns_in_their_order() {
    let rows = [due("H1", Some("2024-01-05")), due("H2", None)];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert_eq!(
        names(&batch),
        [
            "household_id",
            "unit",
            "channel",
            "due",
            "overdue",
            "last_visit",
            "visits"
        ]
    );
    let schema = batch.schema();
    let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
    assert_eq!(types[0], &DataType::Utf8);
    assert_eq!(types[3], &DataType::Date32);
    assert_eq!(types[4], &DataType::Boolean);
    assert_eq!(types[5], &DataType::Date32);
    assert_eq!(types[6], &DataType::Int64);
    let due = batch.column(3).as_primitive::<Date32Type>();
    assert_eq!(due.value(0), 19813, "2024-03-31 is day 19813 of the epoch");
    let last = batch.column(5).as_primitive::<Date32Type>();
    assert!(last.is_valid(0) && last.is_null(1));
    assert_eq!(batch.num_rows(), 2);
}

#[test]
fn a_rate_takes_three_columns_value_num_den() {
    let rows = [
        json!({"unit": "A", "closure_rate": {"num": 1, "den": 4, "value": 0.25}}),
        json!({"unit": "B", "closure_rate": {"num": 0, "den": 0, "value": null}}),
    ];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert_eq!(
        names(&batch),
        [
            "closure_rate",
            "closure_rate_num",
            "closure_rate_den",
            "unit"
        ]
    );
    let value = batch.column(0).as_primitive::<Float64Type>();
    assert!((value.value(0) - 0.25).abs() < 1e-12);
    assert!(value.is_null(1));
    assert_eq!(batch.column(2).as_primitive::<Int64Type>().value(0), 4);
}

#[test]
fn moments_are_timestamps_in_their_offset() {
    let rows = [
        json!({"at": "2024-03-01T08:30:00+08:00"}),
        json!({"at": null}),
    ];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert_eq!(
        batch.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("+08:00".into()))
    );
    let at = batch.column(0).as_primitive::<TimestampMicrosecondType>();
    assert_eq!(at.value(0), 1_709_253_000_000_000);
}

#[test]
fn text_that_is_not_all_dates_stays_text() {
    let rows = [json!({"note": "2024-03-01"}), json!({"note": "next week"})];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Utf8);
}

#[test]
fn zh_labels_name_the_columns_and_the_stored_values_in_chinese() {
    let rows = [
        json!({"level": "township", "status": "registered", "channel": "phone", "note": "home"}),
        json!({"level": "grid", "status": "closed", "channel": "home", "note": "x"}),
    ];
    let batch = record_batch(&rows, Labels::Zh).unwrap();
    assert_eq!(names(&batch), ["走访方式", "层级", "备注", "状态"]);
    let text = |i: usize| -> Vec<String> {
        batch
            .column(i)
            .as_string::<i32>()
            .iter()
            .map(|v| v.unwrap().to_owned())
            .collect()
    };
    assert_eq!(text(0), ["电话", "入户"]);
    assert_eq!(text(1), ["乡镇", "网格"]);
    assert_eq!(text(2), ["home", "x"], "free text is not translated");
    assert_eq!(text(3), ["已登记", "已注销"]);
}

#[test]
fn lists_are_list_columns_and_lists_of_objects_one_text_a_row() {
    let rows = [
        json!({"tags": ["低保", "独居"], "responsible": [{"staff_id": "S1", "name": "王芳"}, {"staff_id": "S2", "name": "李强"}]}),
        json!({"tags": [], "responsible": []}),
    ];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert!(matches!(
        batch.schema().field(1).data_type(),
        DataType::List(_)
    ));
    let tags = batch.column(1).as_list::<i32>().value(0);
    assert_eq!(tags.as_string::<i32>().value(1), "独居");
    // Workers as one readable text, none as null.
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Utf8);
    let responsible = batch.column(0).as_string::<i32>();
    assert_eq!(responsible.value(0), "王芳 S1、李强 S2");
    assert!(responsible.is_null(1));
    // The same when the first rows have no worker.
    let reversed = [rows[1].clone(), rows[0].clone()];
    let batch = record_batch(&reversed, Labels::En).unwrap();
    assert_eq!(
        batch.column(0).as_string::<i32>().value(1),
        "王芳 S1、李强 S2"
    );
}

#[test]
fn a_field_missing_from_some_rows_is_null_there() {
    let rows = [json!({"a": 1}), json!({"b": 2}), json!({"a": 3, "b": 4})];
    let batch = record_batch(&rows, Labels::En).unwrap();
    let a = batch.column(0).as_primitive::<Int64Type>();
    assert_eq!((a.value(0), a.is_null(1), a.value(2)), (1, true, 3));
    let b = batch.column(1).as_primitive::<Int64Type>();
    assert_eq!((b.is_null(0), b.value(1), b.value(2)), (true, 2, 4));
}

#[test]
fn an_empty_list_is_a_batch_without_rows() {
    let rows: [Item; 0] = [];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert_eq!((batch.num_rows(), batch.num_columns()), (0, 0));
}

#[test]
fn a_date_or_moment_column_without_values_keeps_its_type() {
    let rows = [due("H1", None)];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert_eq!(batch.schema().field(5).data_type(), &DataType::Date32);
    let rows = [json!({"closed_at": null, "note": null})];
    let batch = record_batch(&rows, Labels::En).unwrap();
    assert!(matches!(
        batch.schema().field(0).data_type(),
        DataType::Timestamp(_, None)
    ));
    assert_eq!(batch.schema().field(1).data_type(), &DataType::Utf8);
}

#[test]
fn whole_numbers_and_fractions_make_a_float_column_and_other_mixes_text() {
    let rows = [json!({"a": 1, "b": 1}), json!({"a": 2.5, "b": "x"})];
    let batch = record_batch(&rows, Labels::En).unwrap();
    let a = batch.column(0).as_primitive::<Float64Type>();
    assert_eq!((a.value(0), a.value(1)), (1.0, 2.5));
    let b = batch.column(1).as_string::<i32>();
    assert_eq!((b.value(0), b.value(1)), ("1", "x"));
}

/// The batch of `rows` made in one run, and made in runs of `run` rows joined.
fn whole_and_joined<T: Serialize>(rows: &[T], run: usize) -> (RecordBatch, RecordBatch) {
    let refs: Vec<&T> = rows.iter().collect();
    let whole = frame_of(&refs).unwrap().finish(Labels::En).unwrap();
    let mut joined = Frame::new();
    for part in refs.chunks(run) {
        joined.append(frame_of(part).unwrap());
    }
    (whole, joined.finish(Labels::En).unwrap())
}

#[test]
fn runs_joined_make_the_batch_one_run_makes() {
    // Columns that are null in the first runs, numbers that turn fractional, a value of
    // another kind late, a column seen only late, rates and lists.
    let rows: Vec<serde_json::Value> = (0..40)
        .map(|i| {
            let mut row = json!({
                "id": format!("H{i}"),
                "due": "2024-03-31",
                "score": if i < 25 { json!(i) } else { json!(f64::from(i) + 0.5) },
                "note": if i < 30 { json!(null) } else { json!(format!("第{i}条")) },
                "mixed": if i == 33 { json!(7) } else { json!("text") },
                "rate": {"num": i, "den": 40, "value": f64::from(i) / 40.0},
                "tags": (0..i % 3).map(|t| format!("t{t}")).collect::<Vec<_>>(),
            });
            if i >= 37 {
                row["late"] = json!(true);
            }
            row
        })
        .collect();
    for run in [1, 7, 13, 20, 39] {
        let (whole, joined) = whole_and_joined(&rows, run);
        assert_eq!(whole, joined, "runs of {run}");
    }
    let items: Vec<Item> = (0..50)
        .map(|i| due(&format!("H{i}"), (i % 4 == 0).then_some("2024-01-05")))
        .collect();
    for run in [3, 25, 49] {
        let (whole, joined) = whole_and_joined(&items, run);
        assert_eq!(whole, joined, "runs of {run}");
    }
    // A list long enough to be made on several threads is the same batch.
    let many: Vec<Item> = (0..PARALLEL_ROWS + 17)
        .map(|i| due(&format!("H{i}"), (i % 3 == 0).then_some("2024-02-29")))
        .collect();
    let refs: Vec<&Item> = many.iter().collect();
    assert_eq!(
        record_batch(&many, Labels::Zh).unwrap(),
        frame_of(&refs).unwrap().finish(Labels::Zh).unwrap()
    );
}
