#!/usr/bin/env bash
# Runs the Neovim recipe of editors/README.md (editors/qlint.lua) headless against the real
# `qlint lsp`: opens a .kql file with a misspelt table and checks that the diagnostic and a hover
# arrive. Skipped with a message when nvim is not installed (`apt-get install neovim`).
#   tests/editors/nvim_headless.sh            # builds the debug binary first
#   QLINT_BIN=/path/to/qlint tests/editors/nvim_headless.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v nvim >/dev/null 2>&1; then
  echo "== skipping the Neovim recipe test: nvim is not installed"
  exit 0
fi
if [[ -z "${QLINT_BIN:-}" ]]; then
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p qlint --bin qlint
  QLINT_BIN="$root/target/debug/qlint"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$QLINT_BIN" "$work/bin/qlint"
printf 'DeviceProcesEvents\n| where FileName has "x"\n' > "$work/hunt.kql"
cat > "$work/check.lua" <<'LUA'
local out = {}
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, "diagnostic " .. (d.code or "?") .. " " .. d.message)
end
if not ok then table.insert(out, "no diagnostics") end
vim.api.nvim_win_set_cursor(0, { 2, 18 })
local params = vim.lsp.util.make_position_params()
local results = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}
for _, r in pairs(results) do
  if r.result and r.result.contents then
    local value = r.result.contents.value or vim.inspect(r.result.contents)
    table.insert(out, "hover " .. value:gsub("\n", " "))
  end
end
vim.fn.writefile(out, vim.env.QLINT_NVIM_OUT)
vim.cmd("qa!")
LUA
cd "$work"
PATH="$work/bin:$PATH" QLINT_NVIM_OUT="$work/out.txt" XDG_CONFIG_HOME="$work/config" \
  XDG_DATA_HOME="$work/data" XDG_STATE_HOME="$work/state" \
  timeout 60 nvim --headless -n -i NONE -u "$root/editors/qlint.lua" \
  -c "luafile $work/check.lua" hunt.kql >/dev/null 2>&1 || true
echo "== Neovim $(nvim --version | head -1) with editors/qlint.lua:"
cat "$work/out.txt" 2>/dev/null || { echo "no output from nvim"; exit 1; }
grep -q "diagnostic KQL201 unknown table \`DeviceProcesEvents\`; did you mean \`DeviceProcessEvents\`?" "$work/out.txt"
grep -q "hover \*\*operator\*\* \`has\`" "$work/out.txt"
echo "== Neovim recipe: diagnostics and hover OK"
