//! Time functions: `ago`, `now`, `bin`, `startofday`, parts of a datetime.
//!
//! `bin` on a datetime rounds down relative to 0001-01-01 as Kusto does (that matters for
//! bins of 7 days: the Unix epoch is a Thursday, 0001-01-01 a Monday).

use super::{Call, R};
use crate::kql::compare::{as_f64, scalarize};
use crate::kql::scope::err_at;
use crate::value::{
    TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_SECOND, Value, civil_from_days, days_from_civil,
};

/// Ticks from 0001-01-01 to 1970-01-01.
const EPOCH_FROM_YEAR_ONE: i64 = 719_162 * TICKS_PER_DAY;

/// The time function of the call, if it is one.
pub(super) fn builtin(c: &Call) -> Option<R> {
    Some(match c.name {
        "now" => now(c),
        "ago" => ago(c),
        "startofday" => day_based(c, |days| days),
        "startofweek" => day_based(c, |days| days - (days + 4).rem_euclid(7)),
        "startofmonth" => day_based(c, |days| {
            let (y, m, _) = civil_from_days(days);
            days_from_civil(y, m, 1)
        }),
        "startofyear" => day_based(c, |days| days_from_civil(civil_from_days(days).0, 1, 1)),
        "endofday" => one_time(c, |t| {
            Value::DateTime(t.div_euclid(TICKS_PER_DAY) * TICKS_PER_DAY + TICKS_PER_DAY - 1)
        }),
        "hourofday" => one_time(c, |t| Value::Long(t.rem_euclid(TICKS_PER_DAY) / TICKS_PER_HOUR)),
        "dayofweek" => one_time(c, |t| {
            Value::Timespan((t.div_euclid(TICKS_PER_DAY) + 4).rem_euclid(7) * TICKS_PER_DAY)
        }),
        "dayofmonth" => {
            one_time(c, |t| Value::Long(i64::from(civil_from_days(t.div_euclid(TICKS_PER_DAY)).2)))
        }
        "getmonth" | "monthofyear" => {
            one_time(c, |t| Value::Long(i64::from(civil_from_days(t.div_euclid(TICKS_PER_DAY)).1)))
        }
        "getyear" => one_time(c, |t| Value::Long(civil_from_days(t.div_euclid(TICKS_PER_DAY)).0)),
        "datetime_diff" => datetime_diff(c),
        "unixtime_seconds_todatetime" => epoch(c, TICKS_PER_SECOND as f64),
        "unixtime_milliseconds_todatetime" => epoch(c, 10_000.0),
        _ => return None,
    })
}

/// `datetime_diff(period, a, b)`: how many period boundaries lie between `b` and `a`.
fn datetime_diff(c: &Call) -> R {
    c.arity(3, 3)?;
    let period = c.text(0)?.to_ascii_lowercase();
    let (Value::DateTime(a), Value::DateTime(b)) = (scalarize(c.get(1)?), scalarize(c.get(2)?))
    else {
        return Ok(Value::Null);
    };
    let ymd = |t: i64| civil_from_days(t.div_euclid(TICKS_PER_DAY));
    let months = |t: i64| {
        let (y, m, _) = ymd(t);
        y * 12 + i64::from(m) - 1
    };
    let units = |t: i64, per: i64| t.div_euclid(per);
    let weeks = |t: i64| (t.div_euclid(TICKS_PER_DAY) + 4).div_euclid(7);
    let value = match period.as_str() {
        "year" => ymd(a).0 - ymd(b).0,
        "quarter" => months(a).div_euclid(3) - months(b).div_euclid(3),
        "month" => months(a) - months(b),
        "week" => weeks(a) - weeks(b),
        "day" => units(a, TICKS_PER_DAY) - units(b, TICKS_PER_DAY),
        "hour" => units(a, TICKS_PER_HOUR) - units(b, TICKS_PER_HOUR),
        "minute" => units(a, TICKS_PER_SECOND * 60) - units(b, TICKS_PER_SECOND * 60),
        "second" => units(a, TICKS_PER_SECOND) - units(b, TICKS_PER_SECOND),
        "millisecond" => units(a, 10_000) - units(b, 10_000),
        "microsecond" => units(a, 10) - units(b, 10),
        "nanosecond" => (a - b).saturating_mul(100),
        _ => return err_at(c.expr(0).span(), format!("unknown period `{period}`")),
    };
    Ok(Value::Long(value))
}

fn now(c: &Call) -> R {
    c.arity(0, 1)?;
    let offset = match c.len() {
        1 => match scalarize(c.get(0)?) {
            Value::Timespan(t) => t,
            _ => return err_at(c.span, "`now` takes a timespan offset"),
        },
        _ => 0,
    };
    Ok(Value::DateTime(c.eval.ctx.now + offset))
}

fn ago(c: &Call) -> R {
    c.arity(1, 1)?;
    match scalarize(c.get(0)?) {
        Value::Timespan(t) => Ok(Value::DateTime(c.eval.ctx.now - t)),
        Value::Null => Ok(Value::Null),
        other => err_at(c.span, format!("`ago` takes a timespan, not a `{}`", other.type_name())),
    }
}

fn one_time(c: &Call, f: impl Fn(i64) -> Value) -> R {
    c.arity(1, 1)?;
    Ok(match scalarize(c.get(0)?) {
        Value::DateTime(t) => f(t),
        _ => Value::Null,
    })
}

fn day_based(c: &Call, f: impl Fn(i64) -> i64) -> R {
    c.arity(1, 2)?;
    if c.len() == 2 {
        return err_at(c.span, format!("the offset argument of `{}` is not supported", c.name));
    }
    one_time(c, |t| Value::DateTime(f(t.div_euclid(TICKS_PER_DAY)) * TICKS_PER_DAY))
}

fn epoch(c: &Call, ticks_per_unit: f64) -> R {
    c.arity(1, 1)?;
    Ok(as_f64(&scalarize(c.get(0)?))
        .map_or(Value::Null, |n| Value::DateTime((n * ticks_per_unit) as i64)))
}

/// `bin(value, size)` / `floor`: rounds numbers, datetimes and timespans down to a multiple
/// of `size`.
pub(in crate::kql) fn bin(c: &Call) -> R {
    c.arity(2, 2)?;
    bin_value(scalarize(c.get(0)?), scalarize(c.get(1)?)).ok_or(()).or_else(|_| {
        err_at(
            c.span,
            format!("`{}` needs a number, datetime or timespan and a positive size", c.name),
        )
    })
}

/// The bin of `value` for `size`; `None` when the types do not fit.
pub(in crate::kql) fn bin_value(value: Value, size: Value) -> Option<Value> {
    let floor = |x: i64, s: i64| x.div_euclid(s) * s;
    Some(match (value, size) {
        (Value::Null, _) => Value::Null,
        (Value::DateTime(t), Value::Timespan(s)) if s > 0 => {
            Value::DateTime(floor(t + EPOCH_FROM_YEAR_ONE, s) - EPOCH_FROM_YEAR_ONE)
        }
        (Value::Timespan(t), Value::Timespan(s)) if s > 0 => Value::Timespan(floor(t, s)),
        (Value::Long(x), Value::Long(s)) if s > 0 => Value::Long(floor(x, s)),
        (x @ (Value::Long(_) | Value::Real(_)), s @ (Value::Long(_) | Value::Real(_))) => {
            let (x, s) = (as_f64(&x)?, as_f64(&s)?);
            if s <= 0.0 {
                return None;
            }
            Value::Real((x / s).floor() * s)
        }
        _ => return None,
    })
}
