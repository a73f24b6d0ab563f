//! The serde serializer that spreads one record over a frame's columns: a struct's or
//! map's fields become columns (a nested one's fields `parent_child`), a value its cell,
//! a sequence a list cell.

use serde::ser::{self, Impossible, Serialize};

use super::Table;
use super::column::Cell;

/// Why a record could not be spread over columns (a map key that is not text).
#[derive(Debug)]
pub(super) struct SerError(pub(super) String);

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

type Res = Result<(), SerError>;

/// Serializes a value at the columns' current path: a cell, or for a struct or map one
/// column per field under the path.
pub(super) struct At<'a> {
    pub(super) columns: &'a mut Table,
}

impl At<'_> {
    // The serializer's result, so that each `serialize_*` is this one call.
    #[allow(clippy::unnecessary_wraps)]
    fn put(self, cell: Cell<'_>) -> Res {
        self.columns.put(cell);
        Ok(())
    }
}

/// The fields of a struct or map, each at the path plus its key.
pub(super) struct Fields<'a> {
    columns: &'a mut Table,
    base: usize,
    key: Option<String>,
}

impl Fields<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Res {
        self.columns.enter(self.base, key);
        value.serialize(At {
            columns: self.columns,
        })?;
        self.columns.path.truncate(self.base);
        Ok(())
    }
}

/// The elements of a sequence, each as text, for one list cell.
pub(super) struct Items<'a> {
    columns: &'a mut Table,
    elements: Vec<String>,
    /// Whether an element was an object (a responsible worker): such a list is shown as
    /// one text.
    objects: bool,
}

impl<'a> ser::Serializer for At<'a> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Items<'a>;
    type SerializeTupleVariant = Impossible<(), SerError>;
    type SerializeMap = Fields<'a>;
    type SerializeStruct = Fields<'a>;
    type SerializeStructVariant = Impossible<(), SerError>;

    fn serialize_bool(self, v: bool) -> Res {
        self.put(Cell::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Res {
        self.put(Cell::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Res {
        self.put(Cell::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Res {
        self.put(Cell::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Res {
        self.put(Cell::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Res {
        self.put(Cell::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Res {
        self.put(Cell::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Res {
        self.put(Cell::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Res {
        self.put(i64::try_from(v).map_or(Cell::Float(v as f64), Cell::Int))
    }
    fn serialize_f32(self, v: f32) -> Res {
        self.put(Cell::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Res {
        self.put(Cell::Float(v))
    }
    fn serialize_char(self, v: char) -> Res {
        self.put(Cell::Shown(format_args!("{v}")))
    }
    fn serialize_str(self, v: &str) -> Res {
        self.put(Cell::Text(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Res {
        self.put(Cell::Text(&String::from_utf8_lossy(v)))
    }
    fn serialize_none(self) -> Res {
        self.put(Cell::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Res {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Res {
        self.put(Cell::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Res {
        self.put(Cell::Null)
    }
    fn serialize_unit_variant(self, _n: &'static str, _i: u32, variant: &'static str) -> Res {
        self.put(Cell::Text(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _n: &'static str, v: &T) -> Res {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _n: &'static str,
        _i: u32,
        variant: &'static str,
        value: &T,
    ) -> Res {
        let mut fields = self.serialize_struct(variant, 1)?;
        fields.field(variant, value)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Items<'a>, SerError> {
        Ok(Items {
            columns: self.columns,
            elements: Vec::with_capacity(len.unwrap_or(0)),
            objects: false,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Items<'a>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _n: &'static str, len: usize) -> Result<Items<'a>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _i: u32,
        _v: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(SerError(format!("{name}: a tuple variant is no column")))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Fields<'a>, SerError> {
        let base = self.columns.path.len();
        Ok(Fields {
            columns: self.columns,
            base,
            key: None,
        })
    }
    fn serialize_struct(self, _n: &'static str, len: usize) -> Result<Fields<'a>, SerError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _i: u32,
        _v: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(SerError(format!("{name}: a struct variant is no column")))
    }
    fn collect_str<T: std::fmt::Display + ?Sized>(self, value: &T) -> Res {
        self.put(Cell::Shown(format_args!("{value}")))
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Res {
        self.columns.enter_field(self.base, key);
        value.serialize(At {
            columns: self.columns,
        })?;
        self.columns.path.truncate(self.base);
        Ok(())
    }
    fn end(self) -> Res {
        Ok(())
    }
}

impl ser::SerializeMap for Fields<'_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Res {
        match serde_json::to_value(key) {
            Ok(serde_json::Value::String(key)) => {
                self.key = Some(key);
                Ok(())
            }
            _ => Err(SerError("a map key that is not text is no column".into())),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        let key = self.key.take().unwrap_or_default();
        self.field(&key, value)
    }
    fn end(self) -> Res {
        Ok(())
    }
}

impl Items<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        let text = match serde_json::to_value(value) {
            Ok(serde_json::Value::String(s)) => s,
            // An object in a list (a responsible worker) as its values, space-separated.
            Ok(serde_json::Value::Object(map)) => {
                self.objects = true;
                map.values()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            Ok(other) => other.to_string(),
            Err(e) => return Err(SerError(e.to_string())),
        };
        self.elements.push(text);
        Ok(())
    }
    // The serializer's result, so that each `end` is this one call.
    #[allow(clippy::unnecessary_wraps)]
    fn finish(self) -> Res {
        self.columns.put(Cell::List(self.elements, self.objects));
        Ok(())
    }
}

impl ser::SerializeSeq for Items<'_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        self.push(value)
    }
    fn end(self) -> Res {
        self.finish()
    }
}

impl ser::SerializeTuple for Items<'_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        self.push(value)
    }
    fn end(self) -> Res {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Items<'_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Res {
        self.push(value)
    }
    fn end(self) -> Res {
        self.finish()
    }
}
