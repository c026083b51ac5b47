//! KQL scalar typing rules: which operand types each operator accepts, what it yields, and
//! which overload of a built-in function a call fits.
//!
//! The tables follow what Kusto's own semantic analyzer (`Kusto.Language`) reports, learnt by
//! running it on every operator with every pair of scalar types (see
//! `tests/oracle/README.md`). Where Kusto's behaviour was not probed, the rules accept: a
//! type check that is not sure stays silent.

use qlint_grammar::kql::ast::BinaryOp;

use qlint_knowledge::{Function, ScalarType, Signature, TypeSpec};

use ScalarType as T;

/// What an operator makes of its operand types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted; the result type when it is known.
    Accepted(Option<ScalarType>),
    /// Kusto rejects these operand types.
    Rejected,
}

/// Integers, reals and decimals.
fn numeric(t: ScalarType) -> bool {
    t.is_numeric()
}

/// Operands that `<`, `>`, ... compare as numbers: numerics and `bool`.
fn number_like(t: ScalarType) -> bool {
    numeric(t) || t == T::Bool
}

fn string_like(t: ScalarType) -> bool {
    matches!(t, T::String | T::Dynamic)
}

fn time(t: ScalarType) -> bool {
    matches!(t, T::Datetime | T::Timespan)
}

/// The type of `a op b` for two numeric operands.
fn widen(a: ScalarType, b: ScalarType) -> Option<ScalarType> {
    match (a, b) {
        _ if a == b => Some(a),
        (T::Int | T::Long, T::Int | T::Long) => Some(T::Long),
        (T::Real, T::Int | T::Long) | (T::Int | T::Long, T::Real) => Some(T::Real),
        _ => None,
    }
}

/// Checks `left op right` where both operand types are known.
pub fn binary(op: BinaryOp, left: ScalarType, right: ScalarType) -> Verdict {
    use BinaryOp as B;
    let accept = |ok: bool, ty: Option<ScalarType>| {
        if ok { Verdict::Accepted(ty) } else { Verdict::Rejected }
    };
    let (l, r) = (left, right);
    let dynamic = l == T::Dynamic || r == T::Dynamic;
    match op {
        // Equality compares anything with anything.
        B::Eq | B::EqSingle | B::NotEq | B::NotEqAlt | B::In | B::NotIn => {
            Verdict::Accepted(Some(T::Bool))
        }
        B::EqCi | B::NotEqCi => accept(string_like(l) && string_like(r), Some(T::Bool)),
        B::Lt | B::Le | B::Gt | B::Ge => {
            let ok = (number_like(l) && number_like(r))
                || (l == r && matches!(l, T::Datetime | T::Timespan | T::Dynamic))
                || (l == T::Dynamic && numeric(r))
                || (r == T::Dynamic && numeric(l));
            accept(ok, Some(T::Bool))
        }
        B::And | B::Or => accept(
            matches!(l, T::Bool | T::Dynamic) && matches!(r, T::Bool | T::Dynamic),
            Some(T::Bool),
        ),
        // The term operators want a string term on the right.
        B::Has
        | B::NotHas
        | B::HasCs
        | B::NotHasCs
        | B::HasPrefix
        | B::NotHasPrefix
        | B::HasPrefixCs
        | B::NotHasPrefixCs
        | B::HasSuffix
        | B::NotHasSuffix
        | B::HasSuffixCs
        | B::NotHasSuffixCs => accept(string_like(l) && r == T::String, Some(T::Bool)),
        B::Contains
        | B::NotContains
        | B::ContainsCs
        | B::NotContainsCs
        | B::StartsWith
        | B::NotStartsWith
        | B::StartsWithCs
        | B::NotStartsWithCs
        | B::EndsWith
        | B::NotEndsWith
        | B::EndsWithCs
        | B::NotEndsWithCs
        | B::MatchesRegex => accept(string_like(l) && string_like(r), Some(T::Bool)),
        B::InCi | B::NotInCi | B::HasAny | B::HasAll => accept(string_like(l), Some(T::Bool)),
        B::Add | B::Sub => {
            if numeric(l) && numeric(r) {
                Verdict::Accepted(widen(l, r))
            } else if dynamic {
                let other = if l == T::Dynamic { r } else { l };
                accept(other == T::Dynamic || numeric(other) || time(other), None)
            } else if time(l) && time(r) {
                Verdict::Accepted(match (op, l, r) {
                    (B::Sub, T::Datetime, T::Datetime) => Some(T::Timespan),
                    (_, T::Datetime, T::Timespan) | (B::Add, T::Timespan, T::Datetime) => {
                        Some(T::Datetime)
                    }
                    (_, T::Timespan, T::Timespan) => Some(T::Timespan),
                    _ => None,
                })
            } else {
                Verdict::Rejected
            }
        }
        B::Mul => {
            if numeric(l) && numeric(r) {
                Verdict::Accepted(widen(l, r))
            } else if dynamic {
                let other = if l == T::Dynamic { r } else { l };
                accept(other == T::Dynamic || numeric(other), None)
            } else if (l == T::Timespan && numeric(r)) || (numeric(l) && r == T::Timespan) {
                Verdict::Accepted(Some(T::Timespan))
            } else {
                // Kusto also accepts `datetime * number` and `timespan * timespan`; their
                // result is not worth modelling.
                accept(
                    (l == T::Datetime && numeric(r))
                        || (numeric(l) && r == T::Datetime)
                        || (l == T::Timespan && r == T::Timespan),
                    None,
                )
            }
        }
        B::Div | B::Mod => {
            if numeric(l) && numeric(r) {
                Verdict::Accepted(widen(l, r))
            } else if dynamic {
                let other = if l == T::Dynamic { r } else { l };
                accept(other == T::Dynamic || numeric(other), None)
            } else if l == T::Timespan && numeric(r) && op == B::Div {
                Verdict::Accepted(Some(T::Timespan))
            } else {
                accept(
                    (time(l) && numeric(r))
                        || (l == T::Datetime && time(r))
                        || (l == r && l == T::Timespan),
                    None,
                )
            }
        }
        // Not Kusto operators (`like` is SPL's); never judged.
        B::SearchHas | B::Like | B::NotLike | B::LikeCs | B::NotLikeCs => {
            Verdict::Accepted(Some(T::Bool))
        }
    }
}

/// Checks unary minus or plus on a known operand type.
pub fn negate(operand: ScalarType) -> Verdict {
    match operand {
        T::String | T::Bool | T::Guid => Verdict::Rejected,
        T::Dynamic => Verdict::Accepted(None),
        other => Verdict::Accepted(Some(other)),
    }
}

/// Checks one bound of `value between (low .. high)`. Kusto takes a `timespan` upper bound
/// after a `datetime` lower one (`between (start .. 1d)`), so the upper bound of a datetime
/// range may be either.
pub fn between_bound(value: ScalarType, bound: ScalarType, upper: bool) -> bool {
    match value {
        T::Int | T::Long | T::Real | T::Decimal => numeric(bound) || bound == T::Dynamic,
        T::Dynamic => bound != T::String && bound != T::Bool && bound != T::Guid && !time(bound),
        T::Datetime => bound == T::Datetime || (upper && bound == T::Timespan),
        T::Timespan => bound == T::Timespan,
        T::String | T::Bool | T::Guid => false,
    }
}

/// The outcome of matching a call's argument types against a function's overloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFit {
    /// Some overload fits; the result type when all fitting overloads agree on it.
    Fits(Option<ScalarType>),
    /// Every overload of this arity rejects argument `index` (0-based).
    BadArgument {
        /// Position of the argument.
        index: usize,
        /// The parameter's name in our docs.
        param: String,
        /// What the parameter takes, as Markdown (`` `string` ``, `` `long` or `real` ``).
        expected: String,
    },
    /// Every overload of this arity rejects some argument, not all the same one.
    NoOverload,
}

/// Whether an argument of type `given` may be passed for a parameter typed `want`.
/// `dynamic` is accepted anywhere (it is checked at run time), numbers convert to each
/// other, and a `bool` is accepted for a number (Kusto treats it as 0 or 1).
pub fn admits(want: TypeSpec, given: ScalarType) -> bool {
    match want {
        TypeSpec::Scalar(w) if w.is_numeric() => given == T::Bool || want.admits(given),
        _ => want.admits(given),
    }
}

fn param_at(signature: &Signature, index: usize) -> Option<&qlint_knowledge::Param> {
    signature.params.get(index).or_else(|| signature.params.last().filter(|p| p.repeated))
}

/// The first argument of known type that `signature` rejects.
fn first_rejected(signature: &Signature, args: &[Option<ScalarType>]) -> Option<usize> {
    args.iter().enumerate().find_map(|(i, arg)| {
        let given = (*arg)?;
        let param = param_at(signature, i)?;
        (!admits(param.ty, given)).then_some(i)
    })
}

/// The result type of `signature` for these arguments, when known.
fn result_type(signature: &Signature, args: &[Option<ScalarType>]) -> Option<ScalarType> {
    match signature.ret {
        TypeSpec::Scalar(t) => Some(t),
        TypeSpec::SameAs(i) => args.get(i).copied().flatten(),
        _ => None,
    }
}

/// Matches a call's argument types (`None` where unknown) against the overloads of
/// `function` that accept this many arguments.
pub fn fit_call(function: &Function, args: &[Option<ScalarType>]) -> CallFit {
    let overloads: Vec<&Signature> =
        function.signatures.iter().filter(|s| s.accepts_arity(args.len())).collect();
    if overloads.is_empty() {
        // Wrong arity is KQL102's finding; the result type stays unknown.
        return CallFit::Fits(None);
    }
    let fitting: Vec<&Signature> =
        overloads.iter().copied().filter(|s| first_rejected(s, args).is_none()).collect();
    if let Some((first, rest)) = fitting.split_first() {
        let ty = result_type(first, args);
        let agree = rest.iter().all(|s| result_type(s, args) == ty);
        return CallFit::Fits(if agree { ty } else { None });
    }
    // When every overload rejects the same argument (`sum(FileName)`), that argument is the
    // one to point at; otherwise the call as a whole has no overload.
    let rejected: Vec<Option<usize>> = overloads.iter().map(|s| first_rejected(s, args)).collect();
    let Some(Some(index)) = rejected.first().copied() else { return CallFit::NoOverload };
    if rejected.iter().any(|r| *r != Some(index)) {
        return CallFit::NoOverload;
    }
    let mut expected: Vec<String> = Vec::new();
    for ty in overloads.iter().filter_map(|s| param_at(s, index)).map(|p| format!("`{}`", p.ty)) {
        if !expected.contains(&ty) {
            expected.push(ty);
        }
    }
    let param = param_at(overloads[0], index).map(|p| p.name.clone()).unwrap_or_default();
    let expected = match expected.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => expected.concat(),
    };
    CallFit::BadArgument { index, param, expected }
}

/// The KQL literal of type `want` that a quoted string literal (`"1d"`, `'2024-01-01'`) was
/// meant to be: `1d`, `datetime(2024-01-01)`. `None` unless the text is a plain quoted string
/// whose content is unmistakably such a value.
pub fn typed_literal(quoted: &str, want: ScalarType) -> Option<String> {
    let bytes = quoted.as_bytes();
    let (&first, &last) = (bytes.first()?, bytes.last()?);
    if bytes.len() < 3 || !matches!(first, b'"' | b'\'') || first != last {
        return None;
    }
    let inner = &quoted[1..quoted.len() - 1];
    if inner.contains(['"', '\'', '\\']) {
        return None;
    }
    match want {
        T::Timespan if is_timespan_text(inner) => Some(inner.to_owned()),
        T::Datetime if is_datetime_text(inner) => Some(format!("datetime({inner})")),
        _ => None,
    }
}

/// `1d`, `30m`, `1.5h`, `100ms`, `10sec`: a number and a KQL timespan unit.
fn is_timespan_text(text: &str) -> bool {
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let digits = number.split('.').collect::<Vec<_>>();
    let number_ok = matches!(digits.as_slice(), [a] | [a, _] if !a.is_empty())
        && digits.iter().all(|d| d.bytes().all(|b| b.is_ascii_digit()))
        && !number.ends_with('.');
    number_ok
        && matches!(
            unit,
            "d" | "day"
                | "days"
                | "h"
                | "hr"
                | "hrs"
                | "hour"
                | "hours"
                | "m"
                | "min"
                | "minute"
                | "minutes"
                | "s"
                | "sec"
                | "second"
                | "seconds"
                | "ms"
                | "milli"
                | "millis"
                | "millisecond"
                | "milliseconds"
        )
}

/// `2024-01-01`, `2024-01-01 10:00`, `2024-01-01T10:00:00Z`, `2024-01-01T10:00:00.123Z`.
fn is_datetime_text(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range).is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let date = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    if !date {
        return false;
    }
    let rest = &b[10..];
    if rest.is_empty() {
        return true;
    }
    let rest = rest.strip_suffix(b"Z").unwrap_or(rest);
    let time = rest.len() >= 6
        && matches!(rest[0], b'T' | b' ')
        && rest[1..3].iter().all(u8::is_ascii_digit)
        && rest[3] == b':'
        && rest[4..6].iter().all(u8::is_ascii_digit);
    if !time {
        return false;
    }
    let seconds = &rest[6..];
    seconds.is_empty()
        || (seconds.len() >= 3
            && seconds[0] == b':'
            && seconds[1..3].iter().all(u8::is_ascii_digit)
            && (seconds.len() == 3
                || (seconds[3] == b'.'
                    && seconds.len() > 4
                    && seconds[4..].iter().all(u8::is_ascii_digit))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_follow_kusto() {
        assert_eq!(binary(BinaryOp::Gt, T::Datetime, T::String), Verdict::Rejected);
        assert_eq!(binary(BinaryOp::Gt, T::Datetime, T::Long), Verdict::Rejected);
        assert_eq!(binary(BinaryOp::Gt, T::Long, T::Real), Verdict::Accepted(Some(T::Bool)));
        assert_eq!(binary(BinaryOp::Eq, T::Long, T::String), Verdict::Accepted(Some(T::Bool)));
        assert_eq!(binary(BinaryOp::Has, T::Long, T::String), Verdict::Rejected);
        assert_eq!(binary(BinaryOp::Has, T::Dynamic, T::String), Verdict::Accepted(Some(T::Bool)));
        assert_eq!(binary(BinaryOp::EqCi, T::String, T::Long), Verdict::Rejected);
    }

    #[test]
    fn arithmetic_types() {
        assert_eq!(
            binary(BinaryOp::Sub, T::Datetime, T::Datetime),
            Verdict::Accepted(Some(T::Timespan))
        );
        assert_eq!(
            binary(BinaryOp::Add, T::Datetime, T::Timespan),
            Verdict::Accepted(Some(T::Datetime))
        );
        assert_eq!(binary(BinaryOp::Add, T::Datetime, T::Long), Verdict::Rejected);
        assert_eq!(binary(BinaryOp::Add, T::String, T::String), Verdict::Rejected);
        assert_eq!(
            binary(BinaryOp::Mul, T::Timespan, T::Long),
            Verdict::Accepted(Some(T::Timespan))
        );
        assert_eq!(binary(BinaryOp::Add, T::Int, T::Long), Verdict::Accepted(Some(T::Long)));
        assert_eq!(negate(T::String), Verdict::Rejected);
    }

    #[test]
    fn quoted_values_become_typed_literals() {
        assert_eq!(typed_literal("\"1d\"", T::Timespan).as_deref(), Some("1d"));
        assert_eq!(typed_literal("'1.5h'", T::Timespan).as_deref(), Some("1.5h"));
        assert_eq!(typed_literal("\"30min\"", T::Timespan).as_deref(), Some("30min"));
        assert_eq!(
            typed_literal("\"2024-01-01\"", T::Datetime).as_deref(),
            Some("datetime(2024-01-01)")
        );
        assert_eq!(
            typed_literal("'2024-01-01T10:00:00.5Z'", T::Datetime).as_deref(),
            Some("datetime(2024-01-01T10:00:00.5Z)")
        );
        for (text, ty) in [
            ("\"1 d\"", T::Timespan),
            ("\"d\"", T::Timespan),
            ("\"1.d\"", T::Timespan),
            ("\"1d\"", T::Datetime),
            ("\"2024-1-1\"", T::Datetime),
            ("\"yesterday\"", T::Datetime),
            ("\"2024-01-01\"", T::Timespan),
            ("@\"1d\"", T::Timespan),
            ("\"1d'", T::Timespan),
            ("\"", T::Timespan),
        ] {
            assert_eq!(typed_literal(text, ty), None, "{text}");
        }
    }

    /// Operator chains are not bounded by the parser's bracket depth: linting and analysing
    /// must not exhaust a 2 MiB stack (the language server's blocking threads) on them, up to
    /// the parser's limit of 20,000 operators in a statement. `MAX_EXPR_DEPTH` caps the
    /// analyser's own recursion; `with_stack_for` gives the tree walkers and the drop of the
    /// tree a large stack for long texts.
    #[test]
    fn long_operator_chains_do_not_exhaust_the_stack() {
        let run = || {
            let knowledge = qlint_knowledge::Knowledge::builtin();
            for n in [3_000, 19_000] {
                for text in [
                    format!("print x = 1{}", " + 1".repeat(n)),
                    format!("print x = {}1", "-".repeat(n)),
                    format!("print x = true{}", " and FileName".repeat(n)),
                    format!("DeviceProcessEvents | where Timestamp{}", " > 1".repeat(n)),
                    format!("print x = tolower(\"A\") == \"A\"{}", " or true".repeat(n)),
                ] {
                    crate::analysis::kql::analyze(&text, &knowledge);
                    let found = crate::lint_query(crate::Language::Kql, &text, &knowledge);
                    assert!(found.iter().all(|d| d.code != "KQL001"), "{n}: {found:?}");
                }
            }
        };
        let thread = std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(run);
        assert!(thread.expect("spawn").join().is_ok());
    }

    #[test]
    fn between_takes_a_timespan_upper_bound_after_a_datetime() {
        assert!(between_bound(T::Datetime, T::Timespan, true));
        assert!(!between_bound(T::Datetime, T::Timespan, false));
        assert!(!between_bound(T::Datetime, T::Long, false));
    }
}
