//! Time in SPL: epoch seconds, relative time specifiers (`-24h@h`) and `strftime` formats.
//!
//! All times are UTC (a test has no user time zone).

use crate::value::{civil_from_days, days_from_civil};

const DAY: i64 = 86_400;
/// Times beyond this many seconds from 1970 (some 30 million years) are left alone by the
/// calendar arithmetic, which would overflow.
const LIMIT: f64 = 1e15;

/// Resolves a time modifier (`-24h@h`, `@d`, `now`, `0`, `+1d`, or epoch seconds) against
/// `now` (epoch seconds). `None` when the text is not one.
pub fn relative_time(now: f64, spec: &str) -> Option<f64> {
    let spec = spec.trim();
    if spec.eq_ignore_ascii_case("now") || spec.is_empty() {
        return Some(now);
    }
    if let Ok(epoch) = spec.parse::<f64>() {
        return Some(epoch);
    }
    let (offset, snap) = match spec.split_once('@') {
        Some((o, s)) => (o, Some(s)),
        None => (spec, None),
    };
    let mut t = now;
    if !offset.is_empty() {
        t = apply_offset(t, offset)?;
    }
    if let Some(snap) = snap {
        t = snap_to(t, snap)?;
    }
    Some(t)
}

/// `-7d`, `+1h`, `-30m` (several in a row are added: `-1d+2h`).
fn apply_offset(mut t: f64, text: &str) -> Option<f64> {
    let mut rest = text;
    while !rest.is_empty() {
        let sign = match rest.as_bytes()[0] {
            b'-' => -1.0,
            b'+' => 1.0,
            _ => return None,
        };
        rest = &rest[1..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let amount: f64 = if digits == 0 { 1.0 } else { rest[..digits].parse().ok()? };
        rest = &rest[digits..];
        let unit_len = rest.find(['+', '-']).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        t = match unit_kind(unit)? {
            Unit::Seconds(s) => t + sign * amount * s as f64,
            Unit::Months(m) => add_months(t, ((sign * amount) as i64).clamp(-120_000, 120_000) * m),
        };
    }
    Some(t)
}

enum Unit {
    Seconds(i64),
    Months(i64),
}

fn unit_kind(unit: &str) -> Option<Unit> {
    let u = unit.to_ascii_lowercase();
    Some(match u.as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => Unit::Seconds(1),
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Seconds(60),
        "h" | "hr" | "hrs" | "hour" | "hours" => Unit::Seconds(3600),
        "d" | "day" | "days" => Unit::Seconds(DAY),
        "w" | "week" | "weeks" => Unit::Seconds(7 * DAY),
        "mon" | "month" | "months" => Unit::Months(1),
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => Unit::Months(3),
        "y" | "yr" | "yrs" | "year" | "years" => Unit::Months(12),
        _ => return None,
    })
}

fn add_months(t: f64, months: i64) -> f64 {
    if t.abs() >= LIMIT {
        return t;
    }
    let days = (t as i64).div_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m) - 1 + months;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let in_day = t - (days * DAY) as f64;
    (days_from_civil(ny, nm, d.min(28)) * DAY) as f64 + in_day
}

/// Rounds `t` down to the start of the unit (`@h`, `@d`, `@w0`, `@mon`, `@y`).
fn snap_to(t: f64, snap: &str) -> Option<f64> {
    if t.is_nan() || t.abs() >= LIMIT {
        return None;
    }
    let secs = t.floor() as i64;
    let days = secs.div_euclid(DAY);
    let (y, m, _) = civil_from_days(days);
    let lower = snap.to_ascii_lowercase();
    if let Some(day) = lower.strip_prefix('w') {
        let want: i64 = if day.is_empty() { 0 } else { day.parse().ok()? };
        let weekday = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday (4).
        return Some(((days - (weekday - want).rem_euclid(7)) * DAY) as f64);
    }
    Some(match unit_kind(&lower)? {
        Unit::Seconds(s) => secs.div_euclid(s) as f64 * s as f64,
        Unit::Months(1) => (days_from_civil(y, m, 1) * DAY) as f64,
        Unit::Months(3) => (days_from_civil(y, (m - 1) / 3 * 3 + 1, 1) * DAY) as f64,
        Unit::Months(_) => (days_from_civil(y, 1, 1) * DAY) as f64,
    })
}

/// Formats epoch seconds with `strftime` directives (`%Y %m %d %H %M %S %y %b %B %a %A %j
/// %e %p %I %Z %z %s %F %T %%`, and `%3N`/`%6N` fractions).
pub fn strftime(t: f64, format: &str) -> String {
    let secs = t.floor() as i64;
    let days = secs.div_euclid(DAY);
    let in_day = secs.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    let parts =
        Parts { t, y, m, d, h: in_day / 3600, mi: in_day % 3600 / 60, s: in_day % 60, days };
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            chars.next();
            spec.push(n);
            if !n.is_ascii_digit() {
                break;
            }
        }
        out.push_str(&parts.directive(&spec));
    }
    out
}

struct Parts {
    t: f64,
    y: i64,
    m: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
    days: i64,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] =
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

impl Parts {
    fn directive(&self, spec: &str) -> String {
        let month = MONTHS[(self.m - 1) as usize];
        let weekday = WEEKDAYS[(self.days + 4).rem_euclid(7) as usize];
        match spec {
            "Y" => format!("{:04}", self.y),
            "y" => format!("{:02}", self.y.rem_euclid(100)),
            "m" => format!("{:02}", self.m),
            "d" => format!("{:02}", self.d),
            "e" => format!("{:2}", self.d),
            "H" => format!("{:02}", self.h),
            "I" => format!("{:02}", (self.h + 11) % 12 + 1),
            "p" => (if self.h < 12 { "AM" } else { "PM" }).to_owned(),
            "M" => format!("{:02}", self.mi),
            "S" => format!("{:02}", self.s),
            "b" | "h" => month[..3].to_owned(),
            "B" => month.to_owned(),
            "a" => weekday[..3].to_owned(),
            "A" => weekday.to_owned(),
            "j" => format!("{:03}", self.days - days_from_civil(self.y, 1, 1) + 1),
            "s" => format!("{}", self.t.floor() as i64),
            "F" => format!("{:04}-{:02}-{:02}", self.y, self.m, self.d),
            "T" => format!("{:02}:{:02}:{:02}", self.h, self.mi, self.s),
            "Z" => "UTC".to_owned(),
            "z" => "+0000".to_owned(),
            "%" => "%".to_owned(),
            n if n.ends_with('N') || n.ends_with('Q') => self.fraction(n),
            other => format!("%{other}"),
        }
    }

    /// `%3N` milliseconds, `%6N` microseconds (default 3 digits).
    fn fraction(&self, spec: &str) -> String {
        let digits: usize = spec[..spec.len() - 1].parse().unwrap_or(3).clamp(1, 9);
        let frac = self.t - self.t.floor();
        let scaled = (frac * 10f64.powi(digits as i32)).floor() as u64;
        format!("{scaled:0digits$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-07-15T11:34:56Z, a Monday.
    const NOW: f64 = 1_721_043_296.0;

    #[test]
    fn relative_offsets_and_snaps() {
        assert_eq!(relative_time(NOW, "-24h"), Some(NOW - 86_400.0));
        assert_eq!(relative_time(NOW, "-1h@h"), Some(1_721_037_600.0));
        assert_eq!(relative_time(NOW, "@d"), Some(1_721_001_600.0));
        assert_eq!(relative_time(NOW, "now"), Some(NOW));
        assert_eq!(relative_time(NOW, "0"), Some(0.0));
        assert_eq!(relative_time(NOW, "@w1"), Some(1_721_001_600.0));
        assert_eq!(strftime(relative_time(NOW, "-1mon@mon").unwrap(), "%F"), "2024-06-01");
        assert_eq!(relative_time(NOW, "yesterday"), None);
        assert!(relative_time(NOW, "-99999999999999999999y").is_some());
        assert_eq!(relative_time(1e300, "@mon"), None);
        assert_eq!(relative_time(1e300, "+1mon"), Some(1e300));
    }

    #[test]
    fn strftime_directives() {
        assert_eq!(strftime(NOW, "%m/%d/%Y %H:%M:%S"), "07/15/2024 11:34:56");
        assert_eq!(strftime(NOW, "%a %b %e %I%p %j"), "Mon Jul 15 11AM 197");
        assert_eq!(strftime(NOW + 0.25, "%S.%3N"), "56.250");
    }
}
