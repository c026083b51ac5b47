//! Scalar values of the evaluators, with the datetime/timespan text forms.
//!
//! Times are `i64` counts of 100-nanosecond ticks (Kusto's resolution): a [`Value::DateTime`]
//! counts ticks since 1970-01-01T00:00:00Z (UTC, no time zones), a [`Value::Timespan`] is a
//! signed duration in ticks. No date crate: the civil-calendar conversions are below.

use std::fmt;

use qlint_knowledge::ScalarType;
use serde_json::Value as Json;

/// Ticks (100 ns) in one second.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
/// Ticks in one millisecond.
pub const TICKS_PER_MILLI: i64 = 10_000;
/// Ticks in one minute.
pub const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
/// Ticks in one hour.
pub const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
/// Ticks in one day.
pub const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;

/// One scalar value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value (KQL `null` of any type; an SPL field that is not set).
    Null,
    /// `bool`.
    Bool(bool),
    /// `long` (and `int`).
    Long(i64),
    /// `real` (and `decimal`).
    Real(f64),
    /// `string` (and `guid`, kept as text).
    String(String),
    /// `datetime`: 100-ns ticks since the Unix epoch, UTC.
    DateTime(i64),
    /// `timespan`: 100-ns ticks.
    Timespan(i64),
    /// `dynamic`: any JSON value (arrays, property bags, scalars).
    Dynamic(Json),
}

impl Value {
    /// Shorthand for a string value.
    pub fn str(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// True for [`Value::Null`] and for a dynamic `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null | Value::Dynamic(Json::Null))
    }

    /// The KQL name of the value's type (`string`, `long`, ...; `null` for [`Value::Null`]).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Long(_) => "long",
            Value::Real(_) => "real",
            Value::String(_) => "string",
            Value::DateTime(_) => "datetime",
            Value::Timespan(_) => "timespan",
            Value::Dynamic(_) => "dynamic",
        }
    }

    /// The value as KQL's `tostring` writes it (null gives the empty string).
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Dynamic(Json::String(s)) => s.clone(),
            Value::Dynamic(Json::Null) => String::new(),
            Value::Dynamic(j) => j.to_string(),
            other => other.to_string(),
        }
    }

    /// A JSON value without type conversion: numbers stay numbers, text stays text,
    /// arrays and objects become [`Value::Dynamic`].
    pub fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Long(i),
                None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::String(s.clone()),
            Json::Array(_) | Json::Object(_) => Value::Dynamic(json.clone()),
        }
    }

    /// A JSON (or YAML) test value converted to a column of type `ty`: ISO-8601 text becomes a
    /// datetime, JSON text in a dynamic column is parsed, `1h`/`01:00:00` become timespans.
    pub fn from_json_typed(json: &Json, ty: ScalarType) -> Result<Value, String> {
        if json.is_null() {
            return Ok(null_of(ty));
        }
        match ty {
            ScalarType::String | ScalarType::Guid => Ok(Value::String(json_text(json))),
            ScalarType::Long | ScalarType::Int => json_long(json).map(Value::Long),
            ScalarType::Real | ScalarType::Decimal => json_real(json).map(Value::Real),
            ScalarType::Bool => json_bool(json).map(Value::Bool),
            ScalarType::Datetime => json_datetime(json).map(Value::DateTime),
            ScalarType::Timespan => json_timespan(json).map(Value::Timespan),
            ScalarType::Dynamic => Ok(Value::Dynamic(json_dynamic(json))),
        }
    }

    /// The value as JSON (datetimes and timespans as their text forms).
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Long(i) => Json::from(*i),
            Value::Real(r) => serde_json::Number::from_f64(*r).map_or(Json::Null, Json::Number),
            Value::String(s) => Json::String(s.clone()),
            Value::DateTime(_) | Value::Timespan(_) => Json::String(self.to_string()),
            Value::Dynamic(j) => j.clone(),
        }
    }
}

/// The value a missing cell of a `ty` column holds: Kusto strings are never null, they are
/// empty; every other type has a null.
pub fn null_of(ty: ScalarType) -> Value {
    match ty {
        ScalarType::String | ScalarType::Guid => Value::String(String::new()),
        ScalarType::Dynamic => Value::Dynamic(Json::Null),
        _ => Value::Null,
    }
}

fn json_text(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_long(json: &Json) -> Result<i64, String> {
    match json {
        Json::Number(n) => n.as_i64().ok_or_else(|| format!("`{n}` is not a whole number")),
        Json::Bool(b) => Ok(i64::from(*b)),
        Json::String(s) => s.trim().parse().map_err(|_| format!("`{s}` is not a number")),
        other => Err(format!("`{other}` is not a number")),
    }
}

fn json_real(json: &Json) -> Result<f64, String> {
    match json {
        Json::Number(n) => Ok(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => s.trim().parse().map_err(|_| format!("`{s}` is not a number")),
        other => Err(format!("`{other}` is not a number")),
    }
}

fn json_bool(json: &Json) -> Result<bool, String> {
    match json {
        Json::Bool(b) => Ok(*b),
        Json::Number(n) => Ok(n.as_f64() != Some(0.0)),
        Json::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Json::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("`{other}` is not a bool")),
    }
}

fn json_datetime(json: &Json) -> Result<i64, String> {
    match json {
        Json::String(s) => {
            parse_datetime(s).ok_or_else(|| format!("`{s}` is not an ISO-8601 datetime"))
        }
        other => Err(format!("`{other}` is not a datetime (write ISO-8601 text)")),
    }
}

fn json_timespan(json: &Json) -> Result<i64, String> {
    match json {
        Json::String(s) => parse_timespan(s).ok_or_else(|| format!("`{s}` is not a timespan")),
        Json::Number(n) => n.as_i64().ok_or_else(|| format!("`{n}` is not a tick count")),
        other => Err(format!("`{other}` is not a timespan")),
    }
}

fn json_dynamic(json: &Json) -> Json {
    match json {
        Json::String(s) => serde_json::from_str(s).unwrap_or_else(|_| json.clone()),
        other => other.clone(),
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Long(i) => write!(f, "{i}"),
            Value::Real(r) => write!(f, "{}", format_real(*r)),
            Value::String(s) => f.write_str(s),
            Value::DateTime(t) => f.write_str(&format_datetime(*t)),
            Value::Timespan(t) => f.write_str(&format_timespan(*t)),
            Value::Dynamic(Json::String(s)) => f.write_str(s),
            Value::Dynamic(j) => write!(f, "{j}"),
        }
    }
}

/// A real as Kusto prints it: `NaN`, `Infinity`, `-Infinity`, otherwise the shortest form.
pub fn format_real(r: f64) -> String {
    if r.is_nan() {
        "NaN".into()
    } else if r.is_infinite() {
        if r > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else {
        format!("{r}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Parses ISO-8601 text (`2024-07-15`, `2024-07-15T11:00:00Z`, `2024-07-15 11:00:00.123`,
/// `...+02:00`) into ticks; text without an offset is UTC.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_at(text.find(['T', ' ', 't']).unwrap_or(text.len()));
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let rest = rest.get(1..).unwrap_or("");
    let (time, offset) = split_offset(rest)?;
    let ticks = if time.is_empty() { 0 } else { parse_clock(time)? };
    Some(days * TICKS_PER_DAY + ticks - offset)
}

/// Splits `11:00:00+02:00` into the clock and the offset in ticks (`Z` and none are 0).
fn split_offset(text: &str) -> Option<(&str, i64)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(at) = text.rfind(['+', '-']) else { return Some((text, 0)) };
    let (clock, offset) = text.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let mut hm = offset[1..].splitn(2, ':');
    let hours: i64 = hm.next()?.parse().ok().filter(|h| *h <= 14)?;
    let minutes: i64 = hm.next().map_or(Some(0), |m| m.parse().ok().filter(|m| *m < 60))?;
    Some((clock, sign * (hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE)))
}

/// `hh:mm[:ss[.fffffff]]` into ticks.
fn parse_clock(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds = parts.next().map_or(Some(0), parse_seconds)?;
    if !(0..=23).contains(&hours) || !(0..=59).contains(&minutes) {
        return None;
    }
    Some(hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE + seconds)
}

/// `ss[.fffffff]` into ticks (digits after the seventh are dropped).
fn parse_seconds(text: &str) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let seconds: i64 = whole.parse().ok().filter(|s| (0..=1_000_000_000).contains(s))?;
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(7).collect();
    Some(seconds * TICKS_PER_SECOND + digits.parse::<i64>().ok()?)
}

/// Ticks as Kusto writes a datetime: `2024-07-15T11:00:00Z`, with `.fffffff` (trailing zeros
/// dropped) when there is a fraction.
pub fn format_datetime(ticks: i64) -> String {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let in_day = ticks.rem_euclid(TICKS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let clock = format_clock(in_day);
    format!("{y:04}-{m:02}-{d:02}T{clock}Z")
}

/// `hh:mm:ss[.fffffff]` of a non-negative tick count below one day.
fn format_clock(ticks: i64) -> String {
    let h = ticks / TICKS_PER_HOUR;
    let mi = ticks % TICKS_PER_HOUR / TICKS_PER_MINUTE;
    let s = ticks % TICKS_PER_MINUTE / TICKS_PER_SECOND;
    let frac = ticks % TICKS_PER_SECOND;
    if frac == 0 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        let digits = format!("{frac:07}");
        format!("{h:02}:{mi:02}:{s:02}.{}", digits.trim_end_matches('0'))
    }
}

/// Ticks as Kusto writes a timespan: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(ticks: i64) -> String {
    let sign = if ticks < 0 { "-" } else { "" };
    let abs = ticks.unsigned_abs() as i64;
    let days = abs / TICKS_PER_DAY;
    let clock = format_clock(abs % TICKS_PER_DAY);
    if days > 0 { format!("{sign}{days}.{clock}") } else { format!("{sign}{clock}") }
}

/// Parses a timespan: a KQL literal (`1d`, `30m`, `1.5h`, `100ms`, `10tick`) or the clock
/// form (`01:30:00`, `2.01:30:00.5`), optionally negative.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('-') {
        return parse_timespan(rest).map(|t| -t);
    }
    if text.contains(':') {
        return parse_clock_span(text);
    }
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok().filter(|n: &f64| n.abs() < 1e9)?;
    let per = unit_ticks(unit)?;
    Some((number * per as f64).round() as i64)
}

/// Ticks in one `unit` of a KQL timespan literal.
fn unit_ticks(unit: &str) -> Option<i64> {
    Some(match unit {
        "d" | "day" | "days" => TICKS_PER_DAY,
        "h" | "hr" | "hrs" | "hour" | "hours" => TICKS_PER_HOUR,
        "m" | "min" | "minute" | "minutes" => TICKS_PER_MINUTE,
        "s" | "sec" | "second" | "seconds" => TICKS_PER_SECOND,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => TICKS_PER_MILLI,
        "microsecond" | "microseconds" => 10,
        "tick" | "ticks" => 1,
        _ => return None,
    })
}

/// `[d.]hh:mm[:ss[.f]]`.
fn parse_clock_span(text: &str) -> Option<i64> {
    let (days, clock) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (d, rest) = text.split_once('.')?;
            (d.parse::<i64>().ok().filter(|d| *d < 10_000_000)?, rest)
        }
        _ => (0, text),
    };
    let mut parts = clock.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok().filter(|h| (0..1_000_000).contains(h))?;
    let minutes: i64 = parts.next()?.parse().ok().filter(|m| (0..1_000_000).contains(m))?;
    let seconds = parts.next().map_or(Some(0), parse_seconds)?;
    Some(days * TICKS_PER_DAY + hours * TICKS_PER_HOUR + minutes * TICKS_PER_MINUTE + seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_round_trip_through_their_text() {
        let t = parse_datetime("2024-07-15T11:00:00Z").unwrap();
        assert_eq!(format_datetime(t), "2024-07-15T11:00:00Z");
        assert_eq!(parse_datetime("2024-07-15 11:00:00").unwrap(), t);
        assert_eq!(parse_datetime("2024-07-15T13:00:00+02:00").unwrap(), t);
        let frac = parse_datetime("2024-02-29T00:00:00.25Z").unwrap();
        assert_eq!(format_datetime(frac), "2024-02-29T00:00:00.25Z");
        assert_eq!(parse_datetime("1970-01-01").unwrap(), 0);
        assert_eq!(format_datetime(-1), "1969-12-31T23:59:59.9999999Z");
        assert!(parse_datetime("2024-13-01").is_none());
        assert!(parse_datetime("evil.exe").is_none());
    }

    #[test]
    fn timespans_parse_literals_and_clock_forms() {
        assert_eq!(parse_timespan("1d"), Some(TICKS_PER_DAY));
        assert_eq!(parse_timespan("1.5h"), Some(90 * TICKS_PER_MINUTE));
        assert_eq!(parse_timespan("100ms"), Some(100 * TICKS_PER_MILLI));
        assert_eq!(parse_timespan("01:30:00"), Some(90 * TICKS_PER_MINUTE));
        assert_eq!(parse_timespan("2.01:00:00"), Some(2 * TICKS_PER_DAY + TICKS_PER_HOUR));
        assert_eq!(parse_timespan("-5m"), Some(-5 * TICKS_PER_MINUTE));
        assert_eq!(format_timespan(2 * TICKS_PER_DAY + TICKS_PER_HOUR), "2.01:00:00");
        assert_eq!(format_timespan(-5 * TICKS_PER_MINUTE), "-00:05:00");
        assert!(parse_timespan("soon").is_none());
    }

    #[test]
    fn typed_conversion_follows_the_column_type() {
        let iso = Json::String("2024-07-15T11:00:00Z".into());
        assert!(matches!(
            Value::from_json_typed(&iso, ScalarType::Datetime),
            Ok(Value::DateTime(_))
        ));
        assert_eq!(
            Value::from_json_typed(&iso, ScalarType::String),
            Ok(Value::str(iso.as_str().unwrap()))
        );
        let bag = Json::String(r#"{"a": [1, 2]}"#.into());
        assert_eq!(
            Value::from_json_typed(&bag, ScalarType::Dynamic),
            Ok(Value::Dynamic(serde_json::json!({"a": [1, 2]})))
        );
        assert_eq!(Value::from_json_typed(&Json::from(4), ScalarType::String), Ok(Value::str("4")));
        assert!(Value::from_json_typed(&Json::from("x"), ScalarType::Long).is_err());
        assert_eq!(Value::from_json_typed(&Json::Null, ScalarType::String), Ok(Value::str("")));
    }
}
