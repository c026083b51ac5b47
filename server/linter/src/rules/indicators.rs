//! What counts as a published indicator or a tool signature in a detection: values a threat
//! report or a tool's documentation names, for which there is no benign look-alike to
//! exclude. The missing-exclusion check (`exclusion.rs`) stays quiet on sweeps for them.

use crate::analysis::logic::{Comparison, Literal, OpKind};

/// Name fragments of offensive tools, cryptominers and attack scanners: software whose
/// presence is the finding. Dual-use administration tools (`psexec`, `procdump`, `nmap`,
/// `ngrok`) are deliberately absent: they are what exclusions are for.
const TOOL_NAMES: &[&str] = &[
    "mimikatz",
    "gentilkiwi",
    "sekurlsa",
    "lsadump",
    "kerberos::",
    "rubeus",
    "asktgt",
    "asktgs",
    "kerberoast",
    "asreproast",
    "sharphound",
    "bloodhound",
    "cobaltstrike",
    "meterpreter",
    "metasploit",
    "powersploit",
    "impacket",
    "secretsdump",
    "lazagne",
    "crackmapexec",
    "winpeas",
    "linpeas",
    "xmrig",
    "ccminer",
    "minergate",
    "nicehash",
    "ethminer",
    "minerd",
    "equihash",
    "kali",
    "xmr",
    "monero",
    "cryptonight",
    "stratum+tcp",
    "nikto",
    "sqlmap",
    "masscan",
    "dirbuster",
    "havij",
    "jndi-injection",
    "log4j-payload",
];

/// File extensions: `psexec.exe` is a file name, not a domain.
const FILE_EXTENSIONS: &[&str] = &[
    "exe", "dll", "sys", "ps1", "psm1", "bat", "cmd", "vbs", "vbe", "js", "jse", "hta", "wsf",
    "scr", "cpl", "msi", "lnk", "iso", "img", "vhd", "vhdx", "zip", "rar", "7z", "doc", "docx",
    "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "pdf", "txt", "log", "dmp", "tmp", "dat", "ini",
    "xml", "json", "yaml", "csv", "htm", "html", "php", "asp", "aspx", "ashx", "jsp", "py", "sh",
    "jar", "war", "so", "bin", "db", "sql", "wav", "png", "jpg", "gif", "one", "onepkg", "config",
];

/// A literal that names a published indicator or a tool: a domain name, an IPv4 address or
/// range, or a value naming offensive software.
pub fn is_indicator_literal(literal: &Literal) -> bool {
    let value = literal.value.trim();
    is_domain(value) || is_ipv4(value) || names_tool(value)
}

/// A literal holding a tool name (`mimikatz`, `sekurlsa::logonpasswords`, `XMRig`).
pub fn names_tool(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    TOOL_NAMES.iter().any(|tool| lower.contains(tool))
}

/// `evil.example.com`, `.duckdns.org`, `*.ngrok.io`: two or more labels, the last one two to
/// 24 letters and not a file extension; no path, no spaces.
fn is_domain(value: &str) -> bool {
    let host = value.trim_start_matches(['*', '.']).trim_end_matches('.');
    if host.is_empty() || host.contains(['/', '\\', ' ', ':', '=', '"', '\'']) {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let Some(tld) = labels.last() else { return false };
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        && (2..=24).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !FILE_EXTENSIONS.contains(&tld.to_ascii_lowercase().as_str())
}

/// `203.0.113.7`, `198.51.100.0/24`.
fn is_ipv4(value: &str) -> bool {
    let address = value.split_once('/').map_or(value, |(a, _)| a);
    let octets: Vec<&str> = address.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

/// A positive test on a file hash or an IP address column (`SHA256 in (iocs)`,
/// `RemoteIP has_any (ips)`): the query sweeps for published indicators.
pub fn is_indicator_test(c: &Comparison) -> bool {
    let Some(field) = &c.field else { return false };
    let name = field.base_name().to_ascii_lowercase();
    let on_indicator = is_hash_field(&name) || is_ip_field(&name);
    let lookup = matches!(c.op.kind, OpKind::Equal | OpKind::In | OpKind::HasAny | OpKind::Has);
    on_indicator && lookup && !c.op.negated
}

fn is_hash_field(name: &str) -> bool {
    ["sha1", "sha256", "md5", "hash", "imphash"].iter().any(|w| name.contains(w))
}

/// `RemoteIP`, `SrcIpAddr`, `IPAddress`, `dest_ip`, `CallerIpAddress`.
fn is_ip_field(name: &str) -> bool {
    name.ends_with("ip")
        || name.ends_with("_ip")
        || name.contains("ipaddr")
        || name.contains("ipv4")
        || name.contains("ip_addr")
}

/// The letters and digits a regular expression matches literally: what is left once
/// character classes, escapes (`\d`, `\.` keeps the dot), groups and quantifiers are
/// removed. `(10\.\d{1,3})` leaves `10.`; `.*[lL]inux.*` leaves `inux`.
pub fn regex_literal_words(pattern: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = pattern.chars();
    let mut in_class = false;
    let mut in_count = false;
    while let Some(c) = chars.next() {
        let literal = match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_alphanumeric() => None,
                Some(e) => Some(e),
                None => None,
            },
            // `[kK]`: one letter in either case is that letter.
            '[' if !in_class && one_letter_class(chars.clone()).is_some() => {
                let letter = one_letter_class(chars.clone());
                chars.nth(2);
                letter
            }
            '[' if !in_class => {
                in_class = true;
                None
            }
            ']' if in_class => {
                in_class = false;
                None
            }
            '{' if !in_class => {
                in_count = true;
                None
            }
            '}' if in_count => {
                in_count = false;
                None
            }
            _ if in_class || in_count => None,
            '(' | ')' | '|' | '*' | '+' | '?' | '^' | '$' | '.' => None,
            other => Some(other),
        };
        match literal {
            Some(ch) if ch.is_alphanumeric() => word.push(ch),
            // `(?i)`, `(?:`: the flag letters follow a `?` inside a group opener.
            _ => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words.retain(|w| !matches!(w.as_str(), "i" | "s" | "m" | "x"));
    words
}

/// The letter of a class `[kK]` / `[Kk]` (the text after the `[`), lowercased.
fn one_letter_class(mut rest: std::str::Chars<'_>) -> Option<char> {
    let (a, b, close) = (rest.next()?, rest.next()?, rest.next()?);
    (close == ']' && a.is_ascii_alphabetic() && a != b && a.eq_ignore_ascii_case(&b))
        .then(|| a.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::logic::LiteralKind;
    use qlint_grammar::Span;

    fn literal(value: &str) -> Literal {
        Literal { value: value.into(), kind: LiteralKind::String, span: Span::default() }
    }

    #[test]
    fn indicators() {
        for value in ["api.telegram.org", "kqlsearch.com", "*.duckdns.org", "mega.nz", "10.1.2.3"] {
            assert!(is_indicator_literal(&literal(value)), "{value}");
        }
        for value in ["sekurlsa::tickets /export", "XMRig", "Invoke-Mimikatz"] {
            assert!(is_indicator_literal(&literal(value)), "{value}");
        }
        for value in ["psexec.exe", "powershell", ".onion", "-enc", r"\Temp\", "10.", "certutil"] {
            assert!(!is_indicator_literal(&literal(value)), "{value}");
        }
    }

    #[test]
    fn regex_words() {
        assert_eq!(regex_literal_words(r"(10\.\d{1,3}\.\d{1,3})"), vec!["10"]);
        assert_eq!(regex_literal_words(r".*[lL]inux.*[kK]ali.*"), vec!["linux", "kali"]);
        assert_eq!(regex_literal_words(r"[a-z]yz[ab]"), vec!["yz"]);
        assert_eq!(regex_literal_words(r"(?i)\.(?:dll|exe)$"), vec!["dll", "exe"]);
        assert!(regex_literal_words(r"\\[a-zA-Z0-9]\.[a-zA-Z0-9]{2,5}").is_empty());
    }
}
