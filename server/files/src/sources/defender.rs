//! What a Microsoft Defender XDR custom detection (the Graph `detectionRule` resource, in JSON
//! or YAML) says about its query: it is an alerting rule; `schedule.period: "0"` (or a zero
//! `frequency`) runs it in near real time; `schedule.lookback` is the window of each run;
//! `detectionAction.alertTemplate.mitreTechniques` maps it to ATT&CK.

use qlint_linter::{QueryFacts, QueryRole, TimeWindow};

/// The keys of a `detectionRule` that state facts about its query, as strings.
#[derive(Debug, Default)]
pub(super) struct DefenderRule {
    pub(super) name: Option<String>,
    pub(super) id: Option<String>,
    pub(super) period: Option<String>,
    pub(super) frequency: Option<String>,
    pub(super) lookback: Option<String>,
    /// The technique ids; an entry that is not a string is empty.
    pub(super) techniques: Option<Vec<String>>,
}

/// True for a zero schedule: `0`, `PT0S`, `PT0H`, `P0D`.
fn is_zero(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && value.bytes().any(|b| b.is_ascii_digit())
        && value.bytes().all(|b| b == b'0' || b.is_ascii_alphabetic())
}

pub(super) fn defender_facts(rule: DefenderRule) -> QueryFacts {
    let near_real_time = rule.period.as_deref().is_some_and(is_zero)
        || rule.frequency.as_deref().is_some_and(is_zero);
    let time_window = if near_real_time {
        Some(TimeWindow::NearRealTime)
    } else {
        rule.lookback
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty() && !is_zero(l))
            .map(|value| TimeWindow::Lookback { setting: "schedule.lookback", value })
    };
    let techniques: Vec<String> =
        rule.techniques.unwrap_or_default().into_iter().map(|t| t.trim().to_owned()).collect();
    QueryFacts {
        time_window,
        // A custom detection's query receives no parameters.
        parameters: Some(Vec::new()),
        role: QueryRole::Alert,
        techniques_key: (!techniques.is_empty()).then_some("mitreTechniques"),
        techniques,
        rule_id: rule.id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()),
        rule_name: rule.name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        ..QueryFacts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_schedules_are_near_real_time() {
        for zero in ["0", "PT0S", "P0D", " 0 "] {
            assert!(is_zero(zero), "{zero}");
        }
        for other in ["", "1H", "PT1H", "P1D", "PT"] {
            assert!(!is_zero(other), "{other}");
        }
    }
}
