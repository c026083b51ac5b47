//! Facts about Sigma's field taxonomy: the fields of the Windows and Linux log source
//! categories (from SigmaHQ's field lists, `tests/logsource.json`), and small text helpers.

/// Fields every Windows event has, whatever the category.
pub(crate) const WINDOWS_COMMON: &[&str] =
    &["EventID", "Provider_Name", "Channel", "Computer", "Security_UserID"];

/// `(category, fields)` for `product: windows`.
pub(crate) const WINDOWS: &[(&str, &[&str])] = &[
    (
        "process_creation",
        &[
            "CommandLine",
            "Company",
            "CurrentDirectory",
            "Description",
            "FileVersion",
            "Hashes",
            "Image",
            "IntegrityLevel",
            "LogonGuid",
            "LogonId",
            "OriginalFileName",
            "ParentCommandLine",
            "ParentImage",
            "ParentProcessGuid",
            "ParentProcessId",
            "ParentUser",
            "ProcessGuid",
            "ProcessId",
            "Product",
            "TerminalSessionId",
            "User",
            "GrandParentImage",
        ],
    ),
    (
        "file_change",
        &[
            "CreationUtcTime",
            "Image",
            "PreviousCreationUtcTime",
            "ProcessGuid",
            "ProcessId",
            "TargetFilename",
            "User",
        ],
    ),
    (
        "network_connection",
        &[
            "DestinationHostname",
            "DestinationIp",
            "DestinationIsIpv6",
            "DestinationPort",
            "DestinationPortName",
            "Image",
            "Initiated",
            "ProcessGuid",
            "ProcessId",
            "Protocol",
            "SourceHostname",
            "SourceIp",
            "SourceIsIpv6",
            "SourcePort",
            "SourcePortName",
            "User",
            "ParentImage",
        ],
    ),
    (
        "sysmon_status",
        &["Configuration", "ConfigurationFileHash", "SchemaVersion", "State", "Version"],
    ),
    ("process_termination", &["Image", "ProcessGuid", "ProcessId", "User"]),
    ("driver_load", &["Hashes", "ImageLoaded", "Signature", "SignatureStatus", "Signed"]),
    (
        "image_load",
        &[
            "Company",
            "Description",
            "FileVersion",
            "Hashes",
            "Image",
            "ImageLoaded",
            "OriginalFileName",
            "ProcessGuid",
            "ProcessId",
            "Product",
            "Signature",
            "SignatureStatus",
            "Signed",
            "User",
        ],
    ),
    (
        "create_remote_thread",
        &[
            "NewThreadId",
            "SourceImage",
            "SourceProcessGuid",
            "SourceProcessId",
            "SourceUser",
            "StartAddress",
            "StartFunction",
            "StartModule",
            "TargetImage",
            "TargetProcessGuid",
            "TargetProcessId",
            "TargetUser",
        ],
    ),
    ("raw_access_thread", &["Device", "Image", "ProcessGuid", "ProcessId", "User"]),
    (
        "process_access",
        &[
            "CallTrace",
            "GrantedAccess",
            "SourceImage",
            "SourceProcessGUID",
            "SourceProcessId",
            "SourceThreadId",
            "SourceUser",
            "TargetImage",
            "TargetProcessGUID",
            "TargetProcessId",
            "TargetUser",
        ],
    ),
    (
        "raw_access_read",
        &["CreationUtcTime", "Image", "ProcessGuid", "ProcessId", "TargetFilename", "User"],
    ),
    (
        "file_event",
        &["ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime", "User"],
    ),
    (
        "file_executable_detected",
        &["ProcessGuid", "ProcessId", "Image", "TargetFilename", "Hashes", "User"],
    ),
    ("registry_add", &["EventType", "ProcessGuid", "ProcessId", "Image", "TargetObject", "User"]),
    (
        "registry_delete",
        &["Details", "EventType", "Image", "ProcessGuid", "ProcessId", "TargetObject"],
    ),
    (
        "registry_set",
        &["Details", "EventType", "Image", "ProcessGuid", "ProcessId", "TargetObject", "User"],
    ),
    (
        "registry_rename",
        &["EventType", "Image", "NewName", "ProcessGuid", "ProcessId", "TargetObject", "User"],
    ),
    (
        "registry_event",
        &[
            "Details",
            "EventType",
            "Image",
            "NewName",
            "ProcessGuid",
            "ProcessId",
            "TargetObject",
            "User",
        ],
    ),
    (
        "create_stream_hash",
        &[
            "Contents",
            "CreationUtcTime",
            "Hash",
            "Image",
            "ProcessGuid",
            "ProcessId",
            "TargetFilename",
            "User",
        ],
    ),
    ("pipe_created", &["EventType", "Image", "PipeName", "ProcessGuid", "ProcessId", "User"]),
    (
        "wmi_event",
        &[
            "Consumer",
            "Destination",
            "EventNamespace",
            "EventType",
            "Filter",
            "Name",
            "Operation",
            "Query",
            "Type",
            "User",
        ],
    ),
    (
        "dns_query",
        &["Image", "ProcessGuid", "ProcessId", "QueryName", "QueryResults", "QueryStatus", "User"],
    ),
    (
        "file_delete",
        &[
            "Archived",
            "Hashes",
            "Image",
            "IsExecutable",
            "ProcessGuid",
            "ProcessId",
            "TargetFilename",
            "User",
        ],
    ),
    (
        "clipboard_capture",
        &[
            "Archived",
            "ClientInfo",
            "Hashes",
            "Image",
            "ProcessGuid",
            "ProcessId",
            "Session",
            "User",
        ],
    ),
    ("process_tampering", &["Image", "ProcessGuid", "ProcessId", "Type", "User"]),
    ("file_block", &["Hashes", "Image", "ProcessGuid", "ProcessId", "TargetFilename", "User"]),
    ("ps_module", &["ContextInfo", "UserData", "Payload"]),
    ("ps_script", &["MessageNumber", "MessageTotal", "ScriptBlockText", "ScriptBlockId", "Path"]),
];

/// `(category, fields)` for `product: linux`.
pub(crate) const LINUX: &[(&str, &[&str])] = &[
    (
        "process_creation",
        &[
            "ProcessGuid",
            "ProcessId",
            "Image",
            "FileVersion",
            "Description",
            "Product",
            "Company",
            "OriginalFileName",
            "CommandLine",
            "CurrentDirectory",
            "User",
            "LogonGuid",
            "LogonId",
            "TerminalSessionId",
            "IntegrityLevel",
            "Hashes",
            "ParentProcessGuid",
            "ParentProcessId",
            "ParentImage",
            "ParentCommandLine",
            "ParentUser",
        ],
    ),
    (
        "network_connection",
        &[
            "ProcessGuid",
            "ProcessId",
            "Image",
            "User",
            "Protocol",
            "Initiated",
            "SourceIsIpv6",
            "SourceIp",
            "SourceHostname",
            "SourcePort",
            "SourcePortName",
            "DestinationIsIpv6",
            "DestinationIp",
            "DestinationHostname",
            "DestinationPort",
            "DestinationPortName",
        ],
    ),
    ("process_termination", &["ProcessGuid", "ProcessId", "Image", "User"]),
    ("raw_access_read", &["ProcessGuid", "ProcessId", "Image", "Device", "User"]),
    (
        "file_event",
        &["ProcessGuid", "ProcessId", "Image", "TargetFilename", "CreationUtcTime", "User"],
    ),
    (
        "file_delete",
        &[
            "ProcessGuid",
            "ProcessId",
            "User",
            "Image",
            "TargetFilename",
            "Hashes",
            "IsExecutable",
            "Archived",
        ],
    ),
];

/// The known fields of a logsource (common fields included), when qlint has its list.
pub fn fields_of(product: &str, category: &str) -> Option<Vec<&'static str>> {
    let (table, common): (&[(&str, &[&str])], &[&str]) = match product {
        "windows" => (WINDOWS, WINDOWS_COMMON),
        "linux" => (LINUX, &[]),
        _ => return None,
    };
    let (_, fields) = table.iter().find(|(c, _)| *c == category)?;
    Some(fields.iter().chain(common).copied().collect())
}

/// True when `field` is a field of some category of `product` (a field used outside its usual
/// category is usually deliberate: an EDR that adds `CommandLine` to network events).
pub(crate) fn known_anywhere(product: &str, field: &str) -> bool {
    let table: &[(&str, &[&str])] = match product {
        "windows" => WINDOWS,
        "linux" => LINUX,
        _ => return false,
    };
    table.iter().any(|(_, fields)| fields.contains(&field))
}

/// A value as messages quote it: one line, at most 40 characters.
pub(crate) fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut shown: String = line.chars().take(40).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}
