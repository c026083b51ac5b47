#!/usr/bin/env bash
# Runs every test of qlint: the Rust workspace (unit, integration and corpus tests), the VS Code
# extension (unit + grammar snapshot tests) and the end-to-end language-server tests through a
# real LSP client. Parts that need a tool this machine lacks (npm, python3) are skipped with a
# message; the Rust tests always run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

echo "== cargo test --workspace"
cargo test --workspace

if command -v npm >/dev/null 2>&1; then
  echo "== VS Code extension: npm ci && npm test (editors/vscode)"
  (cd editors/vscode && npm ci --no-audit --no-fund && npm test)
else
  echo "== skipping the VS Code extension tests: npm is not installed"
fi

if command -v python3 >/dev/null 2>&1 && [ -x tests/lsp/run.sh ]; then
  echo "== language server end to end (tests/lsp/run.sh)"
  tests/lsp/run.sh
else
  echo "== skipping the end-to-end LSP tests: python3 (or tests/lsp/run.sh) is missing"
fi
echo "== Neovim recipe of editors/README.md (tests/editors/nvim_headless.sh)"
tests/editors/nvim_headless.sh

echo "== all tests passed"
