//! Pattern matching shared by the SPL commands: `*` wildcards (search, field lists, rename)
//! and the `%`/`_` patterns of eval's `like`.

/// True when `text` matches `pattern`, where `*` stands for any run of characters (also
/// empty). `fold_case` compares letters case-insensitively, as the base search does.
pub fn wildcard_match(pattern: &str, text: &str, fold_case: bool) -> bool {
    let pattern: Vec<char> = fold(pattern, fold_case).chars().collect();
    let text: Vec<char> = fold(text, fold_case).chars().collect();
    glob(&pattern, &text, |p| match p {
        '*' => Token::Many,
        c => Token::Char(c),
    })
}

/// Eval's `like(text, pattern)`: `%` is any run of characters, `_` exactly one; the whole
/// text must match, case-sensitively.
pub fn like_match(text: &str, pattern: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    glob(&pattern, &text, |p| match p {
        '%' => Token::Many,
        '_' => Token::One,
        c => Token::Char(c),
    })
}

/// Applies a wildcard rename: `from` (with `*`) matched against `name` gives the captured
/// runs, which replace the `*`s of `to` in order. `None` when `name` does not match.
pub fn rename_with_wildcards(from: &str, to: &str, name: &str) -> Option<String> {
    let captures = wildcard_captures(from, name)?;
    let mut out = String::new();
    let mut captures = captures.into_iter();
    for c in to.chars() {
        if c == '*' {
            out.push_str(&captures.next().unwrap_or_default());
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The text each `*` of `pattern` matched in `text` (case-sensitive, shortest first match
/// for all but the last `*`), or `None` when `text` does not match.
fn wildcard_captures(pattern: &str, text: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return (pattern == text).then(Vec::new);
    }
    let first = parts[0];
    let last = parts[parts.len() - 1];
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return None;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    let mut captures = Vec::new();
    for middle in &parts[1..parts.len() - 1] {
        let at = rest.find(middle)?;
        captures.push(rest[..at].to_owned());
        rest = &rest[at + middle.len()..];
    }
    captures.push(rest.to_owned());
    Some(captures)
}

#[derive(Clone, Copy, PartialEq)]
enum Token {
    Char(char),
    One,
    Many,
}

fn fold(text: &str, fold_case: bool) -> String {
    if fold_case { text.to_lowercase() } else { text.to_owned() }
}

/// Greedy glob matching with one backtrack point (linear in practice, no recursion).
fn glob(pattern: &[char], text: &[char], token: impl Fn(char) -> Token) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p).map(|&c| token(c)) {
            Some(Token::Many) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::One) => {
                p += 1;
                t += 1;
            }
            Some(Token::Char(c)) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| token(c) == Token::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_case_insensitively() {
        assert!(wildcard_match("*\\powershell.exe", "C:\\Windows\\PowerShell.EXE", true));
        assert!(wildcard_match("* -enc *", "powershell -enc AAAA", true));
        assert!(!wildcard_match("* -enc *", "powershell -encodedcommand", true));
        assert!(wildcard_match("*", "", true));
        assert!(!wildcard_match("abc", "ABC", false));
        assert!(wildcard_match("a*b*c", "aXbYbZc", false));
        assert!(!wildcard_match("a*b*c", "aXbYbZ", false));
    }

    #[test]
    fn like_uses_percent_and_underscore_case_sensitively() {
        assert!(like_match("198.51.100.7", "198.%"));
        assert!(like_match("cat", "c_t"));
        assert!(!like_match("cart", "c_t"));
        assert!(!like_match("Cat", "c%"));
        assert!(like_match("a*b", "a*b"));
        assert!(!like_match("axb", "a*b"));
    }

    #[test]
    fn rename_moves_captured_runs() {
        assert_eq!(rename_with_wildcards("DNS.*", "*", "DNS.query").as_deref(), Some("query"));
        assert_eq!(rename_with_wildcards("DNS.*", "*", "count"), None);
        assert_eq!(rename_with_wildcards("*_ip", "ip_*", "src_ip").as_deref(), Some("ip_src"));
        assert_eq!(rename_with_wildcards("host", "dest", "host").as_deref(), Some("dest"));
    }
}
