#!/usr/bin/env bash
# The Python wheel works as a user gets it: builds the qlint-cli wheel with maturin (release
# mode, minutes on a small machine), installs it into a fresh virtualenv without any index,
# and runs that venv's `qlint --version` and `qlint check` on our sample hunts and on a copy
# with a mistake in it. Not part of tests/run-all.sh because of the release build:
#
#   tests/wheel.sh                          # build, then test
#   QLINT_WHEEL=dist/qlint_cli-….whl tests/wheel.sh   # test a wheel built elsewhere
#
# Skipped with a message (exit 0) when python3 or maturin is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! command -v python3 >/dev/null 2>&1; then
  echo "skipped: python3 is not installed"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

wheel="${QLINT_WHEEL:-}"
if [[ -z "$wheel" ]]; then
  if ! command -v maturin >/dev/null 2>&1; then
    echo "skipped: maturin is not installed (pip install maturin)"
    exit 0
  fi
  echo "== maturin build --release -m server/cli/Cargo.toml"
  maturin build --release --locked -m server/cli/Cargo.toml --out "$work/dist"
  wheel="$(ls "$work"/dist/qlint_cli-*.whl)"
fi
echo "== installing $(basename "$wheel") into a fresh venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --no-index --no-deps "$wheel"
qlint="$work/venv/bin/qlint"
fail() { echo "FAILED: $*" >&2; exit 1; }

echo "== qlint --version"
version_line="$("$qlint" --version)"
echo "$version_line"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
[[ "$version_line" == "qlint $version"* ]] || fail "expected 'qlint $version ...'"

echo "== qlint check corpus/hunts (our sample hunts: clean)"
"$qlint" check corpus/hunts || fail "qlint check corpus/hunts exited $?"

echo "== qlint check on a hunt with a dangling comparison"
cp corpus/hunts/kql/rare_parent_of_powershell.kql "$work/broken.kql"
printf '| where ProcessId ==\n' >> "$work/broken.kql"
set +e
out="$("$qlint" check --format concise "$work/broken.kql")"
code=$?
set -e
echo "$out"
[[ $code -eq 1 ]] || fail "expected exit 1 for a finding, got $code"
[[ "$out" == *"broken.kql:"*"KQL001"* ]] || fail "expected a KQL001 syntax error"
echo "wheel test passed"
