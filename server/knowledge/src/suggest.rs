//! "Did you mean": the closest candidate to a misspelt name.

/// The candidate closest to `name`, if any is close enough to be a plausible typo.
///
/// A candidate equal to `name` ignoring ASCII case wins outright (the usual mistake in
/// case-sensitive KQL); otherwise the smallest edit distance (insertions, deletions,
/// substitutions and swaps of adjacent characters, compared case-insensitively) wins, as long
/// as it is at most a third of the name's length (at least 1, at most 3). Ties go to the
/// first candidate in iteration order, so pass candidates in a stable order.
pub fn suggest<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    if lower.is_empty() {
        return None;
    }
    let limit = (lower.len() / 3).clamp(1, 3);
    let mut best: Option<(usize, &'a str)> = None;
    let mut buf = Vec::new();
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        if candidate.eq_ignore_ascii_case(name) {
            return Some(candidate);
        }
        buf.clear();
        buf.extend(candidate.chars().flat_map(char::to_lowercase));
        if buf.len().abs_diff(lower.len()) > limit {
            continue;
        }
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1).min(limit));
        if let Some(d) = distance(&lower, &buf, bound)
            && best.is_none_or(|(b, _)| d < b)
        {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance between `a` and `b`, or `None` when above `bound`.
fn distance(a: &[char], b: &[char], bound: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    let mut rows = vec![0usize; 3 * width];
    let (mut prev2, mut prev, mut cur) = (0, width, 2 * width);
    for (j, cell) in rows[prev..prev + width].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        rows[cur] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v =
                (rows[prev + j] + 1).min(rows[cur + j - 1] + 1).min(rows[prev + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[prev2 + j - 2] + 1);
            }
            rows[cur + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > bound {
            return None;
        }
        (prev2, prev, cur) = (prev, cur, prev2);
    }
    let d = rows[prev + m];
    (d <= bound).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn case_insensitive_match_wins() {
        let c = ["DeviceProcessEvents", "DeviceEvents"];
        assert_eq!(suggest("deviceprocessevents", c), Some("DeviceProcessEvents"));
    }

    #[test]
    fn typos_are_found() {
        let c = ["DeviceProcessEvents", "DeviceEvents", "DeviceFileEvents"];
        assert_eq!(suggest("DeviceProcesEvents", c), Some("DeviceProcessEvents"));
        assert_eq!(suggest("DeviecEvents", c), Some("DeviceEvents"));
        assert_eq!(
            suggest("ProcessCommandLien", ["ProcessCommandLine", "FileName"]),
            Some("ProcessCommandLine")
        );
    }

    #[test]
    fn far_names_are_not_suggested() {
        assert_eq!(suggest("xyz", ["DeviceEvents", "abc"]), None);
        assert_eq!(suggest("", ["a"]), None);
        assert_eq!(suggest("stats", ["stats"]), None);
    }

    #[test]
    fn closest_wins() {
        assert_eq!(suggest("statz", ["start", "stats"]), Some("stats"));
    }
}
