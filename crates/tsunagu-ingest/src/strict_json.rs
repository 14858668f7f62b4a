//! JSON into [`serde_json::Value`], refusing duplicate keys.
//!
//! `serde_json::Value` keeps the last of two equal keys, so `{"name": "A",
//! "name": "B"}` would pass unnoticed. This is the same deserialisation
//! through a visitor that stops at the first duplicate, at any depth, and
//! remembers its path (`organizer.name`, `schedule[0].start`). serde_json
//! still does all of the parsing, including its recursion limit.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

pub(crate) enum StrictError {
    /// The path of the first key that appears twice in one object.
    Duplicate(String),
    Json(serde_json::Error),
}

/// Parses one JSON text (trailing whitespace allowed, nothing else).
pub(crate) fn parse(text: &str) -> Result<Value, StrictError> {
    let state = RefCell::new(State::default());
    let mut de = serde_json::Deserializer::from_str(text);
    let result = ValueSeed { state: &state }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match result {
        Ok(v) => Ok(v),
        Err(e) => match state.into_inner().duplicate {
            Some(path) => Err(StrictError::Duplicate(path)),
            None => Err(StrictError::Json(e)),
        },
    }
}

enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Default)]
struct State {
    /// Where the value being read sits.
    path: Vec<Segment>,
    duplicate: Option<String>,
}

impl State {
    fn path_with(&self, key: &str) -> String {
        let mut out = String::new();
        for segment in &self.path {
            match segment {
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
        out
    }
}

#[derive(Clone, Copy)]
struct ValueSeed<'a> {
    state: &'a RefCell<State>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity; serde_json gives finite numbers only.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.state
                .borrow_mut()
                .path
                .push(Segment::Index(items.len()));
            let item = seq.next_element_seed(self)?;
            self.state.borrow_mut().path.pop();
            match item {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                let path = self.state.borrow().path_with(&key);
                self.state.borrow_mut().duplicate = Some(path);
                return Err(de::Error::custom("duplicate key"));
            }
            self.state.borrow_mut().path.push(Segment::Key(key));
            let value = map.next_value_seed(self)?;
            let key = match self.state.borrow_mut().path.pop() {
                Some(Segment::Key(key)) => key,
                // Pushed just above; nothing else pops it.
                _ => return Err(de::Error::custom("internal: key path out of step")),
            };
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dup(text: &str) -> Option<String> {
        match parse(text) {
            Err(StrictError::Duplicate(p)) => Some(p),
            _ => None,
        }
    }

    #[test]
    fn duplicates_are_found_at_any_depth_with_their_path() {
        let table = [
            (r#"{"id":"a","id":"b"}"#, Some("id")),
            (r#"{"o":{"name":"a","name":"b"}}"#, Some("o.name")),
            (
                r#"{"s":[{"start":"1"},{"start":"1","start":"2"}]}"#,
                Some("s[1].start"),
            ),
            (r#"{"a":{"x":1},"b":{"x":1}}"#, None),
            (r#"[{"a":1},{"a":1}]"#, None),
        ];
        for (text, want) in table {
            assert_eq!(dup(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn values_equal_serde_json() {
        for text in [
            r#"{"a":[1,-2,3.5,true,null,"x\u00e9"],"b":{"c":{}},"d":18446744073709551615}"#,
            "[]",
            "\"s\"",
            "12",
            " {\"a\" : 1 } ",
        ] {
            let ours = parse(text).ok();
            let theirs: Option<Value> = serde_json::from_str(text).ok();
            assert_eq!(ours, theirs, "{text}");
        }
        assert!(matches!(parse("{\"a\":1} x"), Err(StrictError::Json(_))));
        let deep = "[".repeat(10_000);
        assert!(matches!(parse(&deep), Err(StrictError::Json(_))));
    }
}
