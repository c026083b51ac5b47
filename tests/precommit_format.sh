#!/usr/bin/env bash
# The `qlint-format` pre-commit hooks as a user meets them: installs the real pre-commit from
# PyPI into a scratch virtualenv, makes a scratch git repository with a messy hunt, a Sentinel
# rule and a broken query, points its .pre-commit-config.yaml at this checkout (at HEAD, as
# pre-commit clones a repository at a rev), and checks that
#   - the first run formats the files in place and fails ("files were modified by this hook"),
#   - the broken query is reported with its position and left byte for byte,
#   - once the broken file is fixed, a second run passes and changes nothing.
#
#   tests/precommit_format.sh
#
# It runs `qlint-format-from-source`, which builds qlint in release mode (CARGO_TARGET_DIR
# defaults to this checkout's target/, so a second run reuses the build). `qlint-format` runs
# the same `qlint fmt` entry, but installs the qlint-cli wheel of a release from PyPI, which
# does not exist before the first release; tests/wheel.sh tests the wheel itself.
# Commit first: pre-commit clones HEAD, not the working tree. Skipped (exit 0) without python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v python3 >/dev/null 2>&1; then
  echo "skipped: python3 is not installed"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

echo "== pre-commit into a scratch venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit
precommit="$work/venv/bin/pre-commit"
"$precommit" --version
export PRE_COMMIT_HOME="$work/cache"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
rev="$(git -C "$root" rev-parse HEAD)"

run_hook() {
  local hook="$1" repo="$work/repo-$1"
  git init --quiet "$repo"
  cd "$repo"
  git config user.email t@example.com && git config user.name t
  printf 'DeviceProcessEvents | where FileName =~ "psexec.exe" | project DeviceName\n' > hunt.kql
  printf 'T | where (a ==\n' > broken.kql
  printf 'id: 1\nname: r\nquery: |\n  SigninLogs | where ResultType == 50126 | take 5\nseverity: Low\n' > rule.yaml
  printf 'notes | stay\n' > notes.txt
  cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $root
    rev: $rev
    hooks:
      - id: $hook
YAML
  git add -A && git commit --quiet -m scratch
  echo "== $hook: first run (formats, reports the broken query)"
  set +e
  out="$("$precommit" run --all-files 2>&1)"
  code=$?
  set -e
  echo "$out"
  [[ $code -ne 0 ]] || fail "$hook: expected a failing first run"
  [[ "$out" == *"broken.kql:1:"*"not formatted"* ]] || fail "$hook: no position for the broken query"
  [[ "$(cat hunt.kql)" == $'DeviceProcessEvents\n| where FileName =~ "psexec.exe"\n| project DeviceName' ]] \
    || fail "$hook: hunt.kql not formatted: $(cat hunt.kql)"
  [[ "$(cat rule.yaml)" == $'id: 1\nname: r\nquery: |\n  SigninLogs\n  | where ResultType == 50126\n  | take 5\nseverity: Low' ]] \
    || fail "$hook: rule.yaml not formatted: $(cat rule.yaml)"
  [[ "$(cat broken.kql)" == 'T | where (a ==' ]] || fail "$hook: broken.kql changed"
  [[ "$(cat notes.txt)" == 'notes | stay' ]] || fail "$hook: notes.txt changed"
  echo "== $hook: second run after fixing the broken query (passes)"
  printf 'T\n| where a == 1\n' > broken.kql
  git add -A
  "$precommit" run --all-files || fail "$hook: second run failed"
  # The first run's changes are staged; the second run must not touch the working tree.
  git diff --quiet || fail "$hook: second run changed files: $(git diff --stat)"
  cd "$root"
}

run_hook qlint-format-from-source
echo "qlint-format (language: python) not run: it pip-installs the qlint-cli wheel of a release from PyPI"
echo "pre-commit test passed"
