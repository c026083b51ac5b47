#!/usr/bin/env bash
# Builds `qlint`, sets up a virtualenv with the pinned client, runs the end-to-end LSP tests.
#   tests/lsp/run.sh            # debug binary
#   QLINT_BIN=/path/to/qlint tests/lsp/run.sh -k hover
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${QLINT_LSP_VENV:-$root/target/lsp-venv}"
if [[ -z "${QLINT_BIN:-}" ]]; then
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p qlint --bin qlint
  export QLINT_BIN="$root/target/debug/qlint"
fi
if [[ ! -x "$venv/bin/pytest" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cd "$here"
exec "$venv/bin/pytest" -q "$@"
