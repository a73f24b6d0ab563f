//! Batches of plain records read without JSON in between: each item a dict with text
//! keys or a tuple (or list) of values in the core's key order, every value text or
//! `None`, handed to a core reader of such fields (`NewUnit::from_texts`). Writing a
//! national tree's 665,276 units out as JSON text for the core to read back took about
//! a tenth of its load from Python.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

/// A plain record's fields, taken by the core's reader: each key (one of the core's),
/// and its text or `None`.
pub(crate) type Fields<'f, 'o> = std::vec::Drain<'f, (&'o str, Option<String>)>;

/// A value that is neither text nor `None`, or text that is not UTF-8.
struct NotPlain;

/// `batch`, a list or tuple, read item by item by `read`, from each item's fields, its
/// keys those of `keys` (a tuple's values taken in their order); `None` as soon as one
/// item is not plain or `read` does not take it (the batch is then read again as JSON,
/// whose reading names the item's problem), and for a batch of another type (an iterator
/// could not be read again).
pub(crate) fn plain_batch<'o, T>(
    batch: &Bound<'_, PyAny>,
    keys: &[&'o str],
    read: impl Fn(Fields<'_, 'o>) -> Option<T>,
) -> PyResult<Option<Vec<T>>> {
    if !(batch.is_exact_instance_of::<PyList>() || batch.is_exact_instance_of::<PyTuple>()) {
        return Ok(None);
    }
    let py = batch.py();
    // The keys as Python text once, their hashes kept: each dict is asked for them.
    let names: Vec<Bound<'_, PyString>> = keys.iter().map(|k| PyString::intern(py, k)).collect();
    let mut out = Vec::with_capacity(batch.len()?);
    let mut fields = Vec::with_capacity(keys.len());
    for item in batch.try_iter()? {
        let item = item?;
        fields.clear();
        let plain = match item.cast::<PyDict>() {
            Ok(dict) => dict_fields(dict, keys, &names, &mut fields),
            Err(_) => sequence_fields(&item, keys, &mut fields),
        };
        let Some(one) = plain.then(|| read(fields.drain(..))).flatten() else {
            return Ok(None);
        };
        out.push(one);
    }
    Ok(Some(out))
}

/// Text as the core takes it, or `None`.
fn text(value: &Bound<'_, PyAny>) -> Result<Option<String>, NotPlain> {
    if value.is_none() {
        return Ok(None);
    }
    let text = value.cast::<PyString>().map_err(|_| NotPlain)?;
    // Owned, as text already is under the stable ABI before Python 3.10.
    Ok(Some(text.to_cow().map_err(|_| NotPlain)?.into_owned()))
}

/// Puts a dict's fields in `fields`; false when it has a key that is not text or not one
/// of `keys`, or a value that is not plain.
fn dict_fields<'o>(
    dict: &Bound<'_, PyDict>,
    keys: &[&'o str],
    names: &[Bound<'_, PyString>],
    fields: &mut Vec<(&'o str, Option<String>)>,
) -> bool {
    dict.iter().all(|(key, value)| {
        let Ok(key) = key.cast_exact::<PyString>() else {
            return false;
        };
        // The same text object as the key's name (as literal keys are), or equal text.
        let at = names.iter().position(|name| key.is(name)).or_else(|| {
            let key = key.to_cow().ok()?;
            keys.iter().position(|k| *k == key)
        });
        match (at, text(&value)) {
            (Some(at), Ok(value)) => {
                fields.push((keys[at], value));
                true
            }
            _ => false,
        }
    })
}

/// Puts a tuple's or list's values in `fields` under `keys` in order; false for another
/// item, more values than keys or a value that is not plain.
fn sequence_fields<'o>(
    item: &Bound<'_, PyAny>,
    keys: &[&'o str],
    fields: &mut Vec<(&'o str, Option<String>)>,
) -> bool {
    let mut put = |values: &mut dyn ExactSizeIterator<Item = Bound<'_, PyAny>>| {
        values.len() <= keys.len()
            && keys
                .iter()
                .zip(values)
                .all(|(key, value)| match text(&value) {
                    Ok(value) => {
                        fields.push((key, value));
                        true
                    }
                    Err(NotPlain) => false,
                })
    };
    if let Ok(tuple) = item.cast::<PyTuple>() {
        put(&mut tuple.iter())
    } else if let Ok(list) = item.cast::<PyList>() {
        put(&mut list.iter())
    } else {
        false
    }
}
