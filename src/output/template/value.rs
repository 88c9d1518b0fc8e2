//! The data a template runs over: a small dynamic model of Go values.
//!
//! Go's templates see typed Go values; berth's commands hand over anything
//! that implements `serde::Serialize` (typed row structs or plain
//! `serde_json::Value`s) and it is turned into a [`Value`] here. The model
//! keeps the distinctions that change what a template prints: a struct
//! (declared field order, a missing field is an error) versus a map (keys
//! printed sorted, a missing key prints `<no value>`), signed versus unsigned
//! integers versus floats, and nil.
//!
//! Rules for callers, so that output matches podman's Go types:
//! - a Go slice or map field that may be nil is an `Option` marked
//!   `#[serde(serialize_with = "nil_list")]` / `"nil_map"` (Go prints `[]` /
//!   `map[]` for nil but encodes it as JSON `null`); a plain `None` is an
//!   untyped nil and prints `<no value>`;
//! - do not `#[serde(flatten)]` or skip fields of row structs: serde turns a
//!   flattened struct into a map, and a skipped field becomes "can't evaluate";
//! - name the struct like Go does with `#[serde(rename = "pkg.Type")]` if its
//!   name shows up in error messages (`can't evaluate field X in type ...`).

use std::collections::BTreeMap;
use std::fmt;

use serde::ser::{self, Serialize};

/// One Go value as a template sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Go's untyped nil (a JSON `null`, an `Option::None`, a missing map key).
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    String(String),
    /// A Go slice.
    List(Vec<Value>),
    /// A nil Go slice: prints as `[]` but encodes as JSON `null`.
    NilList,
    /// A nil Go map: prints as `map[]` but encodes as JSON `null`.
    NilMap,
    /// A Go map with string keys; iterated and printed in key order like Go.
    Map(BTreeMap<String, Value>),
    /// A Go struct: fields in declaration order.
    Struct(Struct),
}

/// A Go struct value: its type name (for error messages) and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub name: String,
    pub fields: Vec<(String, Value)>,
}

impl Struct {
    /// The field called `name`, if the struct has one.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value)
    }
}

/// Why a Rust value could not be turned into a [`Value`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("converting template data: {0}")]
pub struct ValueError(String);

impl ser::Error for ValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ValueError(msg.to_string())
    }
}

impl Value {
    /// Converts any serializable value: structs become [`Value::Struct`],
    /// maps (including `serde_json::Value` objects) [`Value::Map`].
    pub fn from_serialize<T: Serialize + ?Sized>(
        data: &T,
    ) -> std::result::Result<Value, ValueError> {
        data.serialize(ValueSerializer)
    }

    /// Turns a map into a struct named `name` (fields in key order), so that
    /// missing fields are errors as with podman's Go structs. Other values
    /// are returned unchanged.
    pub fn into_struct(self, name: &str) -> Value {
        match self {
            Value::Map(map) => Value::Struct(Struct {
                name: name.to_string(),
                fields: map.into_iter().collect(),
            }),
            other => other,
        }
    }

    /// The Go type name used in error messages.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Uint(_) => "uint64".to_string(),
            Value::Float(_) => "float64".to_string(),
            Value::String(_) => "string".to_string(),
            Value::List(items) => format!("[]{}", element_type(items.iter())),
            Value::NilList => "[]string".to_string(),
            Value::NilMap => "map[string]string".to_string(),
            Value::Map(map) => format!("map[string]{}", element_type(map.values())),
            Value::Struct(s) => s.name.clone(),
        }
    }

    /// Whether this is any kind of Go nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil | Value::NilList | Value::NilMap)
    }

    /// Go's notion of truth used by `if`, `with`, `and`, `or` and `not`.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil | Value::NilList | Value::NilMap => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Map(map) => !map.is_empty(),
            Value::Struct(_) => true,
        }
    }

    /// The zero value of the same Go type (what `index` yields for a
    /// missing map key).
    pub fn zero_like(&self) -> Value {
        match self {
            Value::Nil => Value::Nil,
            Value::NilList => Value::NilList,
            Value::NilMap => Value::NilMap,
            Value::Bool(_) => Value::Bool(false),
            Value::Int(_) => Value::Int(0),
            Value::Uint(_) => Value::Uint(0),
            Value::Float(_) => Value::Float(0.0),
            Value::String(_) => Value::String(String::new()),
            Value::List(_) => Value::NilList,
            Value::Map(_) => Value::NilMap,
            Value::Struct(s) => Value::Struct(Struct {
                name: s.name.clone(),
                fields: s
                    .fields
                    .iter()
                    .map(|(name, value)| (name.clone(), value.zero_like()))
                    .collect(),
            }),
        }
    }
}

/// The element type of a slice or map: the common type of its elements if
/// they all share one, else Go's `interface {}`.
fn element_type<'a>(mut items: impl Iterator<Item = &'a Value>) -> String {
    let Some(first) = items.next() else {
        return "string".to_string();
    };
    let name = first.type_name();
    if matches!(first, Value::Nil) || items.any(|item| item.type_name() != name) {
        "interface {}".to_string()
    } else {
        name
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<serde_json::Value> for Value {
    fn from(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => {
                // Like serde_json's own Serialize: non-negative integers are
                // unsigned.
                if let Some(u) = n.as_u64() {
                    Value::Uint(u)
                } else if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else {
                    Value::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.into_iter()
                    .map(|(key, value)| (key, Value::from(value)))
                    .collect(),
            ),
        }
    }
}

const NIL_LIST: &str = "$berth::template::NilList";
const NIL_MAP: &str = "$berth::template::NilMap";

/// For `#[serde(serialize_with = "nil_list")]` on an `Option<Vec<_>>`
/// field mirroring a Go slice: `None` is Go's nil slice (`{{.F}}` prints
/// `[]`, `{{json .F}}` prints `null`). serde_json writes it as `null`.
pub fn nil_list<T: Serialize, S: ser::Serializer>(
    value: &Option<T>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(v) => v.serialize(serializer),
        None => serializer.serialize_newtype_struct(NIL_LIST, &()),
    }
}

/// For `#[serde(serialize_with = "nil_map")]` on an `Option<map>` field
/// mirroring a Go map: `None` is Go's nil map (`{{.F}}` prints `map[]`,
/// `{{json .F}}` prints `null`). serde_json writes it as `null`.
pub fn nil_map<T: Serialize, S: ser::Serializer>(
    value: &Option<T>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(v) => v.serialize(serializer),
        None => serializer.serialize_newtype_struct(NIL_MAP, &()),
    }
}

/// serde serializer producing a [`Value`].
struct ValueSerializer;

type Result<T> = std::result::Result<T, ValueError>;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ValueError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = StructBuilder;
    type SerializeStructVariant = StructBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value> {
        Ok(Value::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value> {
        Ok(Value::Uint(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value> {
        Ok(Value::Uint(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value> {
        Ok(Value::Uint(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value> {
        Ok(Value::Uint(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        Ok(Value::List(
            v.iter().map(|b| Value::Uint((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Value> {
        Ok(Value::Nil)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::Nil)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::Nil)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        Ok(Value::String(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value> {
        match name {
            NIL_LIST => Ok(Value::NilList),
            NIL_MAP => Ok(Value::NilMap),
            _ => value.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        let mut map = BTreeMap::new();
        map.insert(variant.to_string(), value.serialize(ValueSerializer)?);
        Ok(Value::Map(map))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder> {
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder> {
        Ok(MapBuilder {
            map: BTreeMap::new(),
            key: None,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<StructBuilder> {
        Ok(StructBuilder(Struct {
            name: name.to_string(),
            fields: Vec::with_capacity(len),
        }))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<StructBuilder> {
        self.serialize_struct(variant, len)
    }
}

struct SeqBuilder(Vec<Value>);

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.0.push(value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value> {
        Ok(Value::List(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Value> {
        ser::SerializeSeq::end(self)
    }
}

struct MapBuilder {
    map: BTreeMap<String, Value>,
    key: Option<String>,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let key = match key.serialize(ValueSerializer)? {
            Value::String(s) => s,
            other => super::gofmt::sprint(&[other]),
        };
        self.key = Some(key);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ValueError("map value without a key".to_string()))?;
        self.map.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value> {
        Ok(Value::Map(self.map))
    }
}

struct StructBuilder(Struct);

impl ser::SerializeStruct for StructBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.0
            .fields
            .push((key.to_string(), value.serialize(ValueSerializer)?));
        Ok(())
    }
    fn end(self) -> Result<Value> {
        Ok(Value::Struct(self.0))
    }
}

impl ser::SerializeStructVariant for StructBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<Value> {
        ser::SerializeStruct::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    #[serde(rename = "containers.psReporter")]
    #[allow(non_snake_case)]
    struct Row {
        ID: String,
        Names: Vec<String>,
        Pid: i32,
        Size: Option<u64>,
    }

    #[test]
    fn structs_keep_their_name_and_field_order() {
        let row = Row {
            ID: "abc".into(),
            Names: vec!["x".into()],
            Pid: 3,
            Size: None,
        };
        let value = Value::from_serialize(&row).unwrap();
        let Value::Struct(s) = value else {
            panic!("not a struct")
        };
        assert_eq!(s.name, "containers.psReporter");
        let names: Vec<_> = s.fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ID", "Names", "Pid", "Size"]);
        assert_eq!(s.field("Pid"), Some(&Value::Int(3)));
        assert_eq!(s.field("Size"), Some(&Value::Nil));
    }

    #[test]
    fn json_objects_become_maps() {
        let json = serde_json::json!({"b": 1, "a": [true, null], "c": 1.5, "d": u64::MAX});
        let value = Value::from_serialize(&json).unwrap();
        assert_eq!(value, Value::from(json));
        let Value::Map(map) = value else {
            panic!("not a map")
        };
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        assert_eq!(map["d"], Value::Uint(u64::MAX));
        assert_eq!(map["c"], Value::Float(1.5));
    }

    #[test]
    fn type_names_follow_go() {
        assert_eq!(
            Value::from(serde_json::json!(["a"])).type_name(),
            "[]string"
        );
        assert_eq!(
            Value::from(serde_json::json!(["a", 1])).type_name(),
            "[]interface {}"
        );
        assert_eq!(
            Value::from(serde_json::json!({"a": "b"})).type_name(),
            "map[string]string"
        );
    }
}
