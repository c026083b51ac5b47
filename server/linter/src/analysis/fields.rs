//! What fields hold: which values are case-insensitive in practice.
//!
//! Windows file names, paths, registry keys, host names, domain names and user principal
//! names compare case-insensitively on the systems that produce them: `CMD.EXE` runs the same
//! program as `cmd.exe`. A case-sensitive test on such a value can be bypassed (or leaks
//! noise) by changing the case. Command lines, URLs and free text are not in this list: parts
//! of them (base64, URL paths, Linux paths) are case-sensitive.

/// Why a value compares case-insensitively in practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseInsensitive {
    /// A file or process name (`FileName`, `process_name`, `Image`).
    FileName,
    /// A Windows path (`FolderPath`, `process_path`).
    Path,
    /// A registry key or value name.
    Registry,
    /// A host or domain name.
    HostName,
    /// A Windows account name or a user principal name.
    Account,
    /// A file hash in hex (`SHA256`, `file_hash`): products log it in upper or lower case.
    Hash,
}

impl CaseInsensitive {
    /// A noun phrase for messages.
    pub fn describe(self) -> &'static str {
        match self {
            CaseInsensitive::FileName => "file names",
            CaseInsensitive::Path => "Windows paths",
            CaseInsensitive::Registry => "registry keys",
            CaseInsensitive::HostName => "host names",
            CaseInsensitive::Account => "account names",
            CaseInsensitive::Hash => "hex hashes",
        }
    }
}

/// Fields whose values mix case-sensitive parts into them: URLs and command lines (Defender
/// `ProcessCommandLine`, Sysmon `CommandLine`, `cmdline` fields). `lower` is the base name in
/// lowercase without underscores.
fn may_be_case_sensitive(lower: &str) -> bool {
    lower.contains("url")
        || lower.contains("uri")
        || lower.contains("commandline")
        || lower.contains("cmdline")
}

/// True for the Splunk CIM fields that hold a whole command string: `process` and
/// `parent_process` (with or without a dataset prefix such as `Processes.`). Only SPL uses
/// these names this way; in KQL a `process` column is whatever the query made it.
pub fn is_cim_command_line(name: &str) -> bool {
    let base = name.rsplit('.').next().unwrap_or(name);
    base.eq_ignore_ascii_case("process") || base.eq_ignore_ascii_case("parent_process")
}

/// Classifies a field by its name (KQL columns of Defender XDR / Sentinel tables, Sysmon and
/// Windows event fields, Splunk CIM fields); `None` when case may matter.
pub fn classify_field(name: &str) -> Option<CaseInsensitive> {
    let base = name.rsplit('.').next().unwrap_or(name);
    let lower = base.to_ascii_lowercase().replace('_', "");
    if may_be_case_sensitive(&lower) {
        return None;
    }
    const FILE: &[&str] = &["filename", "processname", "image", "parentimage", "originalfilename"];
    const PATH: &[&str] = &[
        "folderpath",
        "filepath",
        "processpath",
        "imagepath",
        "targetfilename",
        "servicepath",
        "servicedllpath",
        "relativetargetname",
    ];
    const REGISTRY: &[&str] =
        &["registrykey", "registryvaluename", "registrypath", "registrykeyname", "targetobject"];
    const HOST: &[&str] = &[
        "devicename",
        "computer",
        "hostname",
        "domainname",
        "accountdomain",
        "nthost",
        "ntdomain",
    ];
    const ACCOUNT: &[&str] = &[
        "accountname",
        "accountupn",
        "userprincipalname",
        "subjectusername",
        "targetusername",
        "samaccountname",
    ];
    const HASH: &[&str] = &["md5", "sha1", "sha256", "sha512", "imphash", "filehash"];
    let ends = |list: &[&str]| list.iter().any(|suffix| lower.ends_with(suffix));
    if ends(HASH) || lower == "hash" {
        Some(CaseInsensitive::Hash)
    } else if ends(PATH) {
        Some(CaseInsensitive::Path)
    } else if ends(FILE) {
        Some(CaseInsensitive::FileName)
    } else if ends(REGISTRY) {
        Some(CaseInsensitive::Registry)
    } else if ends(HOST) {
        Some(CaseInsensitive::HostName)
    } else if ends(ACCOUNT) || lower.ends_with("upn") {
        Some(CaseInsensitive::Account)
    } else {
        None
    }
}

/// Classifies a literal by its shape: a Windows executable or script name, or a drive path.
pub fn classify_value(value: &str) -> Option<CaseInsensitive> {
    let lower = value.trim_matches('*').to_ascii_lowercase();
    const EXTENSIONS: &[&str] = &[
        ".exe", ".dll", ".sys", ".ps1", ".psm1", ".bat", ".cmd", ".vbs", ".vbe", ".js", ".jse",
        ".hta", ".msi", ".scr", ".lnk", ".cpl", ".wsf", ".ocx",
    ];
    let bytes = lower.as_bytes();
    let drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\";
    if is_hex_hash(&lower) {
        Some(CaseInsensitive::Hash)
    } else if drive || lower.contains("\\windows\\") {
        Some(CaseInsensitive::Path)
    } else if EXTENSIONS.iter().any(|ext| lower.ends_with(ext)) && !lower.contains(' ') {
        Some(CaseInsensitive::FileName)
    } else {
        None
    }
}

/// An MD5, SHA-1 or SHA-256 digest in hex.
fn is_hex_hash(value: &str) -> bool {
    matches!(value.len(), 32 | 40 | 64) && value.chars().all(|c| c.is_ascii_hexdigit())
}

/// The field class if the field is known to be case-insensitive, else the class of the
/// value when every value looks like a Windows file name or path. `None` when a value does
/// not fit the class (a Linux process name such as `sudo`, a path with `/`, a host name with
/// a space such as a placeholder `"No match"`): case may matter then.
pub fn case_insensitive<'a>(
    field: &str,
    values: impl Iterator<Item = &'a str> + Clone,
) -> Option<CaseInsensitive> {
    let base = field.rsplit('.').next().unwrap_or(field);
    if may_be_case_sensitive(&base.to_ascii_lowercase().replace('_', "")) {
        return None;
    }
    let kind = match classify_field(field) {
        Some(kind) => kind,
        None => {
            let mut all = values.clone();
            let first = all.next().and_then(classify_value)?;
            if !all.all(|value| classify_value(value).is_some()) {
                return None;
            }
            first
        }
    };
    let fits = |value: &str| {
        if !value.chars().any(char::is_alphabetic) {
            return true;
        }
        match kind {
            // Windows process and file names carry an extension; `sudo` is a Linux binary.
            CaseInsensitive::FileName => value.contains('.') || value.contains('\\'),
            CaseInsensitive::Path => value.contains('\\') && !value.contains('/'),
            CaseInsensitive::HostName | CaseInsensitive::Account => !value.trim().contains(' '),
            CaseInsensitive::Registry => true,
            // Only hex digits (and `*` / `%` wildcards): not a composite such as Sysmon's
            // `Hashes` (`SHA256=...,IMPHASH=...`).
            CaseInsensitive::Hash => {
                let core = value.trim_matches(|c| c == '*' || c == '%');
                !core.is_empty() && core.chars().all(|c| c.is_ascii_hexdigit())
            }
        }
    };
    values.into_iter().all(fits).then_some(kind)
}

/// Values that add-ons, parsers and event logs write for "no value" (`unknown`, `N/A`, `-`):
/// fixed spellings, not names, so an exact-case test on them is meant.
pub fn is_placeholder(value: &str) -> bool {
    const PLACEHOLDERS: &[&str] =
        &["unknown", "null", "none", "n/a", "na", "-", "empty", "undefined"];
    PLACEHOLDERS.iter().any(|p| value.trim().eq_ignore_ascii_case(p))
}

/// Values whose spelling the product or Windows fixes, so an exact-case test on them cannot
/// miss another spelling: the image names of processes that Windows or a service manager
/// starts (never typed by a user: `WmiPrvSE.exe`, `MsMpEng.exe`, `w3wp.exe`), built-in
/// accounts as Defender (`system`) and the Windows event log (`SYSTEM`) write them, and the
/// service value names the service control manager writes (`ImagePath`). Only the exact
/// spelling counts: `wmiprvse.exe` is not how Windows writes it, so it is still reported.
pub fn has_product_fixed_spelling(value: &str) -> bool {
    const STARTED_BY_WINDOWS: &[&str] = &[
        "backgroundTaskHost.exe",
        "conhost.exe",
        "csrss.exe",
        "dwm.exe",
        "fontdrvhost.exe",
        "LogonUI.exe",
        "lsass.exe",
        "Microsoft.IdentityServer.ServiceHost.exe",
        "Microsoft.Tri.Sensor.exe",
        "Microsoft.Tri.Sensor.Updater.exe",
        "MpDefenderCoreService.exe",
        "MsMpEng.exe",
        "MsSense.exe",
        "NisSrv.exe",
        "RunCommandExtension.exe",
        "RuntimeBroker.exe",
        "SearchIndexer.exe",
        "SearchProtocolHost.exe",
        "SearchFilterHost.exe",
        "SenseCncProxy.exe",
        "SenseIR.exe",
        "SenseNdr.exe",
        "services.exe",
        "sihost.exe",
        "smss.exe",
        "spoolsv.exe",
        "taskhostw.exe",
        "TeamViewer_Service.exe",
        "TiWorker.exe",
        "TrustedInstaller.exe",
        "w3wp.exe",
        "WerFault.exe",
        "wininit.exe",
        "winlogon.exe",
        "WmiPrvSE.exe",
    ];
    const ACCOUNTS: &[&str] = &[
        "system",
        "SYSTEM",
        "local service",
        "LOCAL SERVICE",
        "network service",
        "NETWORK SERVICE",
        "ANONYMOUS LOGON",
        "nt authority",
        "NT AUTHORITY",
    ];
    const SERVICE_VALUES: &[&str] =
        &["ImagePath", "ObjectName", "ErrorControl", "DisplayName", "DependOnService"];
    let value = value.trim();
    STARTED_BY_WINDOWS.contains(&value)
        || ACCOUNTS.contains(&value)
        || SERVICE_VALUES.contains(&value)
}

/// True for a field holding the original file name from a binary's version resource
/// (`OriginalFileName`, Defender `ProcessVersionInfoOriginalFileName`, CIM
/// `original_file_name`): the vendor fixes its spelling per file, so matching the shipped
/// spelling exactly is intended, not a case slip.
pub fn has_vendor_fixed_spelling(field: &str) -> bool {
    let base = field.rsplit('.').next().unwrap_or(field);
    base.to_ascii_lowercase().replace('_', "").ends_with("originalfilename")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(classify_field("FileName"), Some(CaseInsensitive::FileName));
        assert_eq!(classify_field("InitiatingProcessFileName"), Some(CaseInsensitive::FileName));
        assert_eq!(classify_field("Processes.process_name"), Some(CaseInsensitive::FileName));
        assert_eq!(classify_field("InitiatingProcessFolderPath"), Some(CaseInsensitive::Path));
        assert_eq!(classify_field("DeviceName"), Some(CaseInsensitive::HostName));
        assert_eq!(classify_field("ProcessCommandLine"), None);
        assert_eq!(classify_field("RemoteUrl"), None);
        assert_eq!(classify_field("ActionType"), None);
        assert_eq!(classify_field("first_cmdline"), None);
        assert!(is_cim_command_line("Processes.process"));
        assert!(is_cim_command_line("parent_process"));
        assert!(!is_cim_command_line("process_name"));
        assert_eq!(
            classify_field("Processes.parent_process_name"),
            Some(CaseInsensitive::FileName)
        );
        assert_eq!(classify_field("dest_nt_host"), Some(CaseInsensitive::HostName));
        assert_eq!(classify_field("Services.service_path"), Some(CaseInsensitive::Path));
    }

    #[test]
    fn values_must_fit_the_class() {
        let check = |field: &str, value: &str| case_insensitive(field, [value].into_iter());
        assert_eq!(check("ProcessName", "sudo"), None);
        assert_eq!(check("ProcessName", "svchost.exe"), Some(CaseInsensitive::FileName));
        assert_eq!(check("ASimMatchingHostname", "No match"), None);
        assert_eq!(check("FolderPath", "/usr/bin/"), None);
        assert_eq!(check("ParentCommandLine", r"C:\Windows\x.exe -k"), None);
        assert_eq!(check("first_cmdline", r"%\windows\system32\%"), None);
        let sha256 = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        assert_eq!(check("SHA256", sha256), Some(CaseInsensitive::Hash));
        assert_eq!(check("Processes.process_hash", sha256), Some(CaseInsensitive::Hash));
        assert_eq!(check("file_hash", "SHA256=E3B0"), None);
        assert_eq!(check("unknown_field", sha256), Some(CaseInsensitive::Hash));
        assert_eq!(check("NewProcessName", r"C:\Windows\x.exe"), Some(CaseInsensitive::FileName));
    }

    #[test]
    fn product_fixed_spellings() {
        assert!(has_product_fixed_spelling("WmiPrvSE.exe"));
        assert!(has_product_fixed_spelling("system"));
        assert!(has_product_fixed_spelling("ImagePath"));
        assert!(!has_product_fixed_spelling("wmiprvse.exe"), "not how Windows spells it");
        assert!(!has_product_fixed_spelling("AnyDesk.exe"), "users and attackers name copies");
        assert!(!has_product_fixed_spelling("Administrator"), "typed at logon");
    }

    #[test]
    fn exact_spellings() {
        assert!(is_placeholder("N/A"));
        assert!(is_placeholder(" - "));
        assert!(is_placeholder("Unknown"));
        assert!(!is_placeholder("Administrator"));
        assert!(has_vendor_fixed_spelling("ProcessVersionInfoOriginalFileName"));
        assert!(has_vendor_fixed_spelling("Processes.original_file_name"));
        assert!(!has_vendor_fixed_spelling("FileName"));
    }

    #[test]
    fn values() {
        assert_eq!(classify_value("svchost.exe"), Some(CaseInsensitive::FileName));
        assert_eq!(classify_value(r"C:\Windows\System32\"), Some(CaseInsensitive::Path));
        assert_eq!(classify_value("ProcessCreated"), None);
        assert_eq!(classify_value("run this.exe now"), None);
        assert_eq!(classify_value(r"\\*\IPC$"), None);
    }
}
