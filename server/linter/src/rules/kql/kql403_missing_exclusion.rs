//! KQL403 `missing-exclusion`: the query selects events with broad matches and excludes
//! nothing anywhere.

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::rules::exclusion::{Wording, report};
use crate::rules::{Context, RuleMeta};

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    code: "KQL403",
    slug: "missing-exclusion",
    summary: "Broad matches (`startswith`, `contains`, `has_any`, regex) and no exclusion anywhere",
    docs: DOCS,
    category: Category::Detection,
    default_severity: Severity::Info,
    fixable: false,
    default_enabled: true,
};

/// `qlint rule KQL403`.
pub const DOCS: &str = r#"## What it does
Reports a query that selects events with broad matches — `startswith`, `endswith`,
`contains`, `has`, `has_any`, `hasprefix`, `matches regex`, `like` — on the fields a
detection is tuned on (processes, files, paths, command lines, URLs, domains, registry keys,
services, scripts, user agents) and excludes nothing anywhere: no negated test (`!=`, `!~`,
`!in~`, `!has`, `!contains`, ...), no `not(...)`, no `join kind=leftanti`, no
`where isempty(x)` after a lookup of an allow list. It is reported once per query, at the
first broad match, naming the field to tune.

Left alone, because a reviewer would not ask for an exclusion there:
- matches on what happened rather than who did it (`ActionType`, `EventID`, `Category`,
  `SyslogMessage`, a vendor's alert text), on Syslog's `ProcessName`, on the API a Graph
  activity log names (`RequestUri`) and on the text of an SQL query (`QUERY_TEXT_s`);
- a query that also tests an exact value of an entity field (`FileName =~ "certutil.exe"`,
  `Process in~ ("cmd.exe")`, an `in~` list is exact): that test pins the detection down. On
  a process or file field (not a command line or URL) a whole file name is as exact:
  `Process has "certutil.exe"`, `has_any ("cmd.exe", "powershell.exe")`;
- sweeps for published indicators and tools: a query holding a file hash, reading an IoC
  feed with `externaldata`, or testing a hash or IP column (`SHA256 in (iocs)`); a literal
  that names offensive software (`mimikatz`, `sekurlsa::`, `xmrig`, `nikto`; dual-use
  tools such as `psexec` are not among them), a list that is mostly domain names, IP
  addresses or exploit strings, a GUID, an exploit string (`${jndi:`, percent-encoded
  bytes, `../`, `/etc/passwd`, a base64 PE header `TVqQ...`) or a command-line fragment of
  three words or more; `has_all` is as narrow as its most specific term (a domain or class
  name such as `com.bea.console.handles.JndiBindingHandle` counts);
- literals with fewer than two letters or digits (single characters, emoji and homoglyph
  lists, `startswith @"\\"` for UNC paths, `contains "@"`), `startswith "http"`, and
  regexes that only check a shape (`\d{1,3}\.\d{1,3}...` matches any IP address);
- signatures: a list most of whose values are command-line fragments or an actor's code
  (`$(...)` obfuscation, script variables), a `let` list of GUIDs or hashes, a hunt for an
  exploit payload (`${jndi:`), a regex naming offensive software (`[kK]ali`);
- investigations and inventories: a positive test of exact host names (`DeviceName =~
  "ws01"`, `DeviceName has_any (CompromisedDevices)` with a `let` list of literals; a host
  list computed by a sub-query is a class of machines and does not count), a query reading
  the software and vulnerability inventory (`DeviceTvm*`), a product's alerts picked by
  `Severity`; in a hunt (not an alerting rule), a pipeline that ends in a listing with no
  threshold after it — `distinct`, `summarize ... by` without aggregates, or a `summarize`
  grouped by the matched field — where the analyst reads each distinct value once;
- fields that are not entities to tune: a setting's value in an audit record
  (`NewDomainValue`), and `Query` holding an LDAP filter (`sAMAccountType=805306369`)
  rather than a DNS name;
- parser and function bodies (`ParserQuery`, `FunctionQuery`).
`!= ""` and `isnotempty()` only drop empty values: they are not exclusions.

The severity follows what the query is: a **warning** in an alerting rule (a Sentinel
`kind: Scheduled` or `NRT` rule), **info** in a hunt (a `.kql` file, a Markdown fence, a
hunting query).

In the editor the finding has a quick fix that adds a skeleton exclusion stage after the broad
match, `| where Field !in~ ("known-good value")` (which ignores case), for you to fill in;
`--fix` never applies it.

## Why is this bad?
A broad match catches the attack and every benign tool that looks like it: `startswith
"psexec"` matches the administrators' PsExec as well as the attacker's. A rule with no
exclusion has nowhere to put the first false positive, so the usual reaction is to disable
it. Detections that last pair the broad indicator with an exclusion list that the team
tunes, even a short one.

## Example
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName startswith "psexec"
```

## Use instead
```kql
DeviceProcessEvents
| where Timestamp > ago(1d)
| where FileName startswith "psexec"
| where InitiatingProcessAccountName !in~ ("svc_deploy", "svc_patching")
```

## References
- https://learn.microsoft.com/azure/sentinel/detection-tuning
- https://learn.microsoft.com/defender-xdr/custom-detection-rules
"#;

/// Reports the first broad match of a query that excludes nothing.
pub fn check(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let wording =
        Wording { noun: "query", without_field: "add an exclusion for the known-good events" };
    report(cx, &META, &wording, out);
}
