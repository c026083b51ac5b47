-- qlint for Neovim 0.7 and later, without plugins: put this file in your config
-- (e.g. ~/.config/nvim/lua/qlint.lua and `require("qlint")` from init.lua).

-- File types: Neovim does not know KQL, SPL or YARA-L.
vim.cmd([[
  augroup qlint_filetypes
    autocmd!
    autocmd BufRead,BufNewFile *.kql,*.csl,*.kusto setfiletype kql
    autocmd BufRead,BufNewFile *.spl setfiletype spl
    autocmd BufRead,BufNewFile *.yaral,*.yl2 setfiletype yaral
  augroup END
]])

local client_id = nil

local function root_dir(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local found = vim.fn.finddir(".git", vim.fn.fnamemodify(path, ":p:h") .. ";")
  if found ~= "" then
    return vim.fn.fnamemodify(found, ":p:h:h")
  end
  return vim.fn.getcwd()
end

local function start_qlint(args)
  local bufnr = args.buf
  local config = { name = "qlint", cmd = { "qlint", "lsp" }, root_dir = root_dir(bufnr) }
  if vim.lsp.start then
    -- Neovim 0.8+: reuses a running client with the same name and root.
    vim.lsp.start(config, { bufnr = bufnr })
  else
    -- Neovim 0.7: start one client, attach every buffer to it.
    if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
      client_id = vim.lsp.start_client(config)
    end
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = { "kql", "spl", "yaral", "markdown", "yaml" },
  callback = start_qlint,
})
