//! Component values in jco's JavaScript terms, as JSON, and back, read
//! against the WIT type so a jco result becomes the same `Val` a wasmtime
//! result would be. jco's mapping (its `.d.ts` output): records and flags
//! are objects with camelCase keys, variants `{tag, val}` with the case's
//! own name, enums that name, `option<T>` the value or nothing (a nested
//! option is `{tag: "some"|"none"}`), tuples arrays, 64-bit integers
//! BigInts (tagged `{"$big": "..."}` across the pipe) and `list<u8>` a
//! `Uint8Array` (tagged `{"$bytes": [...]}` on the way in).

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};
use wasmtime::component::{Type, Val};

/// kebab-case to camelCase, as jco names functions, fields and flags.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match c {
            '-' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// A value to pass to jco.
pub fn to_js(v: &Val) -> Result<Value> {
    Ok(match v {
        Val::Bool(b) => json!(b),
        Val::S8(n) => json!(n),
        Val::U8(n) => json!(n),
        Val::S16(n) => json!(n),
        Val::U16(n) => json!(n),
        Val::S32(n) => json!(n),
        Val::U32(n) => json!(n),
        Val::S64(n) => json!({ "$big": n.to_string() }),
        Val::U64(n) => json!({ "$big": n.to_string() }),
        Val::Float32(f) => json!(f),
        Val::Float64(f) => json!(f),
        Val::Char(c) => json!(c.to_string()),
        Val::String(s) => json!(s),
        Val::List(items) if !items.is_empty() && items.iter().all(|i| matches!(i, Val::U8(_))) => {
            let bytes: Vec<u8> = items.iter().map(|i| if let Val::U8(b) = i { *b } else { 0 }).collect();
            json!({ "$bytes": bytes })
        }
        Val::List(items) | Val::Tuple(items) | Val::FixedLengthList(items) => {
            Value::Array(items.iter().map(to_js).collect::<Result<_>>()?)
        }
        Val::Record(fields) => Value::Object(
            fields.iter().map(|(k, v)| Ok((camel(k), to_js(v)?))).collect::<Result<Map<String, Value>>>()?,
        ),
        Val::Variant(tag, val) => variant(tag, val.as_deref())?,
        Val::Enum(tag) => json!(tag),
        Val::Option(None) => Value::Null,
        Val::Option(Some(v)) if matches!(**v, Val::Option(_)) => variant("some", Some(v))?,
        Val::Option(Some(v)) => to_js(v)?,
        Val::Result(Ok(v)) => variant("ok", v.as_deref())?,
        Val::Result(Err(v)) => variant("err", v.as_deref())?,
        Val::Flags(names) => Value::Object(names.iter().map(|n| (camel(n), json!(true))).collect()),
        other => bail!("the jco host cannot pass {other:?} as a value"),
    })
}

fn variant(tag: &str, val: Option<&Val>) -> Result<Value> {
    Ok(match val {
        Some(v) => json!({ "tag": tag, "val": to_js(v)? }),
        None => json!({ "tag": tag }),
    })
}

/// A value jco returned, read as `ty`.
pub fn from_js(v: &Value, ty: &Type) -> Result<Val> {
    let shown = || super::super::tables::type_name(ty);
    let int = |v: &Value| -> Result<i128> {
        match v {
            Value::Number(n) => n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from)),
            Value::Object(o) => o.get("$big").and_then(Value::as_str).and_then(|s| s.parse().ok()),
            _ => None,
        }
        .with_context(|| format!("jco gave {v} for a {}", shown()))
    };
    let num = |v: &Value| v.as_f64().with_context(|| format!("jco gave {v} for a {}", shown()));
    Ok(match ty {
        Type::Bool => Val::Bool(v.as_bool().with_context(|| format!("jco gave {v} for a bool"))?),
        Type::S8 => Val::S8(int(v)?.try_into()?),
        Type::U8 => Val::U8(int(v)?.try_into()?),
        Type::S16 => Val::S16(int(v)?.try_into()?),
        Type::U16 => Val::U16(int(v)?.try_into()?),
        Type::S32 => Val::S32(int(v)?.try_into()?),
        Type::U32 => Val::U32(int(v)?.try_into()?),
        Type::S64 => Val::S64(int(v)?.try_into()?),
        Type::U64 => Val::U64(int(v)?.try_into()?),
        Type::Float32 => Val::Float32(num(v)? as f32),
        Type::Float64 => Val::Float64(num(v)?),
        Type::Char => Val::Char(v.as_str().and_then(|s| s.chars().next()).context("jco gave no char")?),
        Type::String => Val::String(v.as_str().with_context(|| format!("jco gave {v} for a string"))?.to_string()),
        Type::List(l) => Val::List(array(v)?.iter().map(|i| from_js(i, &l.ty())).collect::<Result<_>>()?),
        Type::Tuple(t) => {
            Val::Tuple(array(v)?.iter().zip(t.types()).map(|(i, t)| from_js(i, &t)).collect::<Result<_>>()?)
        }
        Type::Record(r) => {
            let o = v.as_object().with_context(|| format!("jco gave {v} for a {}", shown()))?;
            let field = |name: &str| o.get(&camel(name)).unwrap_or(&Value::Null);
            Val::Record(
                r.fields().map(|f| Ok((f.name.to_string(), from_js(field(f.name), &f.ty)?))).collect::<Result<_>>()?,
            )
        }
        Type::Variant(t) => {
            let (tag, val) = tagged(v)?;
            let case =
                t.cases().find(|c| c.name == tag).with_context(|| format!("jco gave case `{tag}` of {}", shown()))?;
            let payload = match case.ty {
                Some(ty) => Some(Box::new(from_js(val, &ty)?)),
                None => None,
            };
            Val::Variant(tag, payload)
        }
        Type::Enum(_) => Val::Enum(v.as_str().with_context(|| format!("jco gave {v} for an enum"))?.to_string()),
        Type::Option(o) => {
            let inner = o.ty();
            match (v, &inner) {
                (Value::Null, _) => Val::Option(None),
                (_, Type::Option(_)) => match tagged(v)? {
                    (tag, _) if tag == "none" => Val::Option(None),
                    (_, val) => Val::Option(Some(Box::new(from_js(val, &inner)?))),
                },
                _ => Val::Option(Some(Box::new(from_js(v, &inner)?))),
            }
        }
        Type::Result(r) => {
            let (tag, val) = tagged(v)?;
            let side = |t: Option<Type>| t.map(|t| from_js(val, &t).map(Box::new)).transpose();
            match tag.as_str() {
                "ok" => Val::Result(Ok(side(r.ok())?)),
                _ => Val::Result(Err(side(r.err())?)),
            }
        }
        Type::Flags(f) => {
            let o = v.as_object().with_context(|| format!("jco gave {v} for flags"))?;
            let set = |n: &str| o.get(&camel(n)).and_then(Value::as_bool).unwrap_or(false);
            Val::Flags(f.names().filter(|n| set(n)).map(String::from).collect())
        }
        other => bail!("the jco host cannot read a {} back", super::super::tables::type_name(other)),
    })
}

fn array(v: &Value) -> Result<&Vec<Value>> {
    v.as_array().with_context(|| format!("jco gave {v} where a list or tuple was expected"))
}

fn tagged(v: &Value) -> Result<(String, &Value)> {
    let tag = v.get("tag").and_then(Value::as_str).with_context(|| format!("jco gave {v} for a variant"))?;
    Ok((tag.to_string(), v.get("val").unwrap_or(&Value::Null)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_camel_case() {
        assert_eq!(camel("work-after-return"), "workAfterReturn");
        assert_eq!(camel("foo"), "foo");
    }

    #[test]
    fn values_cross_as_jco_shapes_them() {
        let v = Val::Record(vec![("big-one".into(), Val::U64(u64::MAX)), ("b".into(), Val::Option(None))]);
        assert_eq!(to_js(&v).unwrap(), json!({ "bigOne": { "$big": "18446744073709551615" }, "b": null }));
        let bytes = Val::List(vec![Val::U8(1), Val::U8(2)]);
        assert_eq!(to_js(&bytes).unwrap(), json!({ "$bytes": [1, 2] }));
        let ok = Val::Result(Ok(Some(Box::new(Val::String("x".into())))));
        assert_eq!(to_js(&ok).unwrap(), json!({ "tag": "ok", "val": "x" }));
    }

    /// Types come from a component, as they do for a case: one exporting a
    /// function per shape, read back the way jco hands values over.
    #[test]
    fn values_come_back_as_their_wit_type() {
        // Records and variants would need exported type names; their
        // field and case names go the same way as the tuple's parts below.
        let wat = r#"(component
            (type $t (tuple u8 (list u8) (result string (error u32)) (option (option u32)) u64))
            (core module $m (func (export "f") (result i32) unreachable) (memory (export "mem") 1)
              (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
            (core instance $i (instantiate $m))
            (func (export "f") (result $t)
              (canon lift (core func $i "f") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))"#;
        let engine = wasmtime::Engine::default();
        let component = wasmtime::component::Component::new(&engine, wat).unwrap();
        let ty = component.component_type();
        let Some(wasmtime::component::types::ComponentItem::ComponentFunc(f)) =
            ty.get_export(&engine, "f").map(|e| e.ty)
        else {
            panic!("no export f");
        };
        let result = f.results().next().unwrap();
        let js = json!([7, [1, 2], { "tag": "err", "val": 5 }, { "tag": "some", "val": 3 }, { "$big": "18446744073709551615" }]);
        let val = from_js(&js, &result).unwrap();
        let shown = wasm_wave::to_string(&val).unwrap();
        assert_eq!(shown, "(7, [1, 2], err(5), some(some(3)), 18446744073709551615)");
        let none = json!([0, [], { "tag": "ok", "val": "x" }, { "tag": "none" }, 0]);
        assert_eq!(wasm_wave::to_string(&from_js(&none, &result).unwrap()).unwrap(), r#"(0, [], ok("x"), none, 0)"#);
        assert!(from_js(&json!("seven"), &Type::U8).is_err());
        assert!(from_js(&json!(256), &Type::U8).is_err());
    }
}
