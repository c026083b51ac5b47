//! Placeholder: the KQL corpus conformance test lands with issue 2.
#[test]
fn placeholder() {}
