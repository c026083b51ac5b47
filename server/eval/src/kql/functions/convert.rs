//! Conversions and dynamic values: `tolong`, `todatetime`, `parse_json`, `array_length`,
//! `pack_array`, `bag_pack`, IP address tests.

use serde_json::Value as Json;

use super::{Call, R};
use crate::kql::compare::{equals, scalarize};
use crate::kql::scope::err_at;
use crate::value::{Value, parse_datetime, parse_timespan};

/// The conversion function of the call, if it is one.
pub(super) fn builtin(c: &Call) -> Option<R> {
    Some(match c.name {
        "tolong" | "toint" => one(c, to_long),
        "toreal" | "todouble" | "todecimal" => one(c, to_real),
        "tobool" | "toboolean" => one(c, to_bool),
        "todatetime" => one(c, to_datetime),
        "totimespan" | "totime" => one(c, to_timespan),
        "toguid" => one(c, |v| Value::String(v.to_text())),
        "parse_json" | "todynamic" | "toobject" | "parsejson" => one(c, parse_json),
        "tohex" => one(c, |v| match v {
            Value::Long(i) => Value::String(format!("{i:x}")),
            _ => Value::Null,
        }),
        "array_slice" => array_slice(c),
        "array_concat" => array_concat(c),
        "set_union" => set_op(c, SetOp::Union),
        "set_difference" => set_op(c, SetOp::Difference),
        "set_intersect" => set_op(c, SetOp::Intersect),
        "array_length" | "arraylength" => one(c, |v| match v {
            Value::Dynamic(Json::Array(a)) => Value::Long(a.len() as i64),
            _ => Value::Null,
        }),
        "pack_array" => pack_array(c),
        "bag_pack" | "pack" | "pack_dictionary" => bag_pack(c),
        "set_has_element" => set_has_element(c),
        "array_index_of" => array_index_of(c),
        "ipv4_is_private" => {
            one(c, |v| ipv4(&v.to_text()).map_or(Value::Null, |ip| Value::Bool(is_private(ip))))
        }
        "ipv4_is_in_range" => ipv4_in_range(c),
        _ => return None,
    })
}

fn one(c: &Call, f: impl Fn(Value) -> Value) -> R {
    c.arity(1, 1)?;
    Ok(f(scalarize(c.get(0)?)))
}

fn to_long(v: Value) -> Value {
    match v {
        Value::Long(i) => Value::Long(i),
        Value::Real(r) if r.is_finite() => Value::Long(r as i64),
        Value::Bool(b) => Value::Long(i64::from(b)),
        Value::String(s) => s.trim().parse::<i64>().map(Value::Long).unwrap_or_else(|_| {
            s.trim().parse::<f64>().map_or(Value::Null, |r| Value::Long(r as i64))
        }),
        Value::DateTime(t) | Value::Timespan(t) => Value::Long(t),
        _ => Value::Null,
    }
}

fn to_real(v: Value) -> Value {
    match v {
        Value::Long(i) => Value::Real(i as f64),
        Value::Real(r) => Value::Real(r),
        Value::Bool(b) => Value::Real(f64::from(u8::from(b))),
        Value::String(s) => s.trim().parse().map_or(Value::Null, Value::Real),
        _ => Value::Null,
    }
}

fn to_bool(v: Value) -> Value {
    match v {
        Value::Bool(b) => Value::Bool(b),
        Value::Long(i) => Value::Bool(i != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

fn to_datetime(v: Value) -> Value {
    match v {
        Value::DateTime(t) => Value::DateTime(t),
        Value::String(s) => parse_datetime(&s).map_or(Value::Null, Value::DateTime),
        _ => Value::Null,
    }
}

fn to_timespan(v: Value) -> Value {
    match v {
        Value::Timespan(t) => Value::Timespan(t),
        Value::Long(t) => Value::Timespan(t),
        Value::String(s) => parse_timespan(&s).map_or(Value::Null, Value::Timespan),
        _ => Value::Null,
    }
}

/// `parse_json`: JSON text becomes its value; other text stays a dynamic string; a dynamic
/// value passes through.
fn parse_json(v: Value) -> Value {
    match v {
        Value::String(s) => Value::Dynamic(serde_json::from_str(&s).unwrap_or(Json::String(s))),
        Value::Dynamic(j) => Value::Dynamic(j),
        Value::Null => Value::Dynamic(Json::Null),
        other => Value::Dynamic(other.to_json()),
    }
}

fn pack_array(c: &Call) -> R {
    let items = (0..c.len()).map(|i| c.get(i).map(|v| v.to_json())).collect::<Result<_, _>>()?;
    Ok(Value::Dynamic(Json::Array(items)))
}

fn bag_pack(c: &Call) -> R {
    if !c.len().is_multiple_of(2) {
        return err_at(c.span, format!("`{}` takes key/value pairs", c.name));
    }
    let mut map = serde_json::Map::new();
    for i in (0..c.len()).step_by(2) {
        map.insert(c.text(i)?, c.get(i + 1)?.to_json());
    }
    Ok(Value::Dynamic(Json::Object(map)))
}

fn array_items(v: Value) -> Vec<Value> {
    match v {
        Value::Dynamic(Json::Array(items)) => {
            items.into_iter().map(|j| scalarize(Value::Dynamic(j))).collect()
        }
        _ => Vec::new(),
    }
}

fn array_slice(c: &Call) -> R {
    c.arity(3, 3)?;
    let Value::Dynamic(Json::Array(items)) = c.get(0)? else { return Ok(Value::Null) };
    let len = items.len() as i64;
    let at = |i: Option<i64>| i.map(|i| if i < 0 { len + i } else { i });
    let (Some(start), Some(end)) = (at(c.long(1)?), at(c.long(2)?)) else { return Ok(Value::Null) };
    let (start, end) = (start.max(0), end.min(len - 1));
    let slice =
        if start > end { Vec::new() } else { items[start as usize..=end as usize].to_vec() };
    Ok(Value::Dynamic(Json::Array(slice)))
}

fn array_concat(c: &Call) -> R {
    let mut out = Vec::new();
    for i in 0..c.len() {
        match c.get(i)? {
            Value::Dynamic(Json::Array(items)) => out.extend(items),
            _ => return Ok(Value::Null),
        }
    }
    Ok(Value::Dynamic(Json::Array(out)))
}

#[derive(PartialEq)]
enum SetOp {
    Union,
    Difference,
    Intersect,
}

/// `set_union`, `set_difference`, `set_intersect`: distinct items, first-seen order.
fn set_op(c: &Call, op: SetOp) -> R {
    if c.len() < 2 {
        return err_at(c.span, format!("`{}` takes at least two arrays", c.name));
    }
    let arrays = (0..c.len()).map(|i| c.get(i)).collect::<Result<Vec<_>, _>>()?;
    let arrays: Vec<Vec<Json>> = arrays
        .into_iter()
        .map(|v| match v {
            Value::Dynamic(Json::Array(items)) => items,
            _ => Vec::new(),
        })
        .collect();
    let mut out: Vec<Json> = Vec::new();
    let candidates: Vec<&Json> = match op {
        SetOp::Union => arrays.iter().flatten().collect(),
        _ => arrays[0].iter().collect(),
    };
    for item in candidates {
        let elsewhere = |a: &Vec<Json>| a.contains(item);
        let keep = match op {
            SetOp::Union => true,
            SetOp::Difference => !arrays[1..].iter().any(elsewhere),
            SetOp::Intersect => arrays[1..].iter().all(elsewhere),
        };
        if keep && !out.contains(item) {
            out.push(item.clone());
        }
    }
    Ok(Value::Dynamic(Json::Array(out)))
}

fn set_has_element(c: &Call) -> R {
    c.arity(2, 2)?;
    let needle = c.get(1)?;
    Ok(Value::Bool(array_items(c.get(0)?).iter().any(|v| equals(v, &needle) == Some(true))))
}

fn array_index_of(c: &Call) -> R {
    c.arity(2, 2)?;
    let needle = c.get(1)?;
    let items = array_items(c.get(0)?);
    Ok(Value::Long(
        items.iter().position(|v| equals(v, &needle) == Some(true)).map_or(-1, |i| i as i64),
    ))
}

/// An IPv4 address as a number (a `/prefix` suffix, which Kusto accepts, is ignored).
fn ipv4(text: &str) -> Option<u32> {
    let address = text.split_once('/').map_or(text, |(a, _)| a);
    address.trim().parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// The private ranges of RFC 1918 (what Kusto's `ipv4_is_private` tests).
fn is_private(ip: u32) -> bool {
    let within = |base: u32, bits: u32| ip >> (32 - bits) == base >> (32 - bits);
    within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16)
}

fn ipv4_in_range(c: &Call) -> R {
    c.arity(2, 2)?;
    let Some(ip) = ipv4(&c.text(0)?) else { return Ok(Value::Null) };
    let range = c.text(1)?;
    let (base, bits) = range.split_once('/').unwrap_or((range.as_str(), "32"));
    let (Some(base), Ok(bits)) = (ipv4(base), bits.trim().parse::<u32>()) else {
        return Ok(Value::Null);
    };
    if bits == 0 {
        return Ok(Value::Bool(true));
    }
    let bits = bits.min(32);
    Ok(Value::Bool(ip >> (32 - bits) == base >> (32 - bits)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_rfc_1918() {
        let private = |s: &str| is_private(ipv4(s).unwrap());
        assert!(private("10.1.2.3"));
        assert!(private("172.16.0.1"));
        assert!(private("172.31.255.255"));
        assert!(!private("172.32.0.1"));
        assert!(private("192.168.1.1"));
        assert!(!private("8.8.8.8"));
        assert!(!private("127.0.0.1"));
        assert!(private("192.168.1.1/24"));
        assert!(!private("202.1.2.3"));
    }
}
