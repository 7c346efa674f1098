-- Checks the configuration of docs/neovim.md in a headless Neovim. The test extracts the doc's lua
-- block into a file, puts a `packet-trace-lsp` on PATH and runs:
--
--   PT_OUT=out.json nvim --headless --clean -u <doc-config.lua> -c 'luafile test/neovim/docs-check.lua' FILE
--
-- FILE was opened by Neovim with the user's configuration (filetype detection, the FileType autocommand
-- starting the server). This script waits for the diagnostics, runs both code lens commands and writes
-- what it saw to PT_OUT as one JSON object; exit code 1 with the reason on stderr on failure.

local function fail(msg)
  io.stderr:write('docs-check: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function main()
  local out = assert(os.getenv('PT_OUT'), 'PT_OUT not set')
  local timeout = tonumber(os.getenv('PT_TIMEOUT_MS') or '') or 10000
  pcall(vim.lsp.set_log_level, 'OFF')
  local buf = vim.api.nvim_get_current_buf()
  local result = { filetype = vim.bo[buf].filetype }

  local function clients()
    local get = vim.lsp.get_clients or vim.lsp.get_active_clients
    return get({ bufnr = buf }) or {}
  end
  if not vim.wait(timeout, function()
    return #clients() > 0
  end, 20) then
    return fail('no LSP client attached to the buffer (filetype ' .. result.filetype .. ')')
  end
  local client = clients()[1]
  result.client = { name = client.name, root_dir = client.config.root_dir, cmd = client.config.cmd }

  if not vim.wait(timeout, function()
    return #vim.diagnostic.get(buf) > 0
  end, 20) then
    return fail('no diagnostics')
  end
  vim.wait(300, function()
    return false
  end, 20) -- let any re-publication settle
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { code = d.code, lnum = d.lnum, col = d.col, severity = d.severity })
  end

  -- Code lenses, and the client-side commands the doc defines for them.
  vim.lsp.codelens.refresh()
  if not vim.wait(timeout, function()
    return #vim.lsp.codelens.get(buf) > 0
  end, 20) then
    return fail('no code lenses')
  end
  local lenses = vim.lsp.codelens.get(buf)
  result.lenses = {}
  for _, l in ipairs(lenses) do
    table.insert(result.lenses, { line = l.range.start.line, title = l.command.title, command = l.command.command })
  end
  local ctx = { bufnr = buf, client_id = client.id }
  local ladder, reveal
  for _, l in ipairs(lenses) do
    if l.command.command == 'packetTrace.showLadder' and not ladder then
      ladder = l
    end
    if l.command.command == 'packetTrace.revealConnection' then
      reveal = l -- the last connection's
    end
  end
  if not ladder or not reveal then
    return fail('lenses without the expected commands')
  end
  vim.fn.setqflist({}, 'r')
  vim.lsp.commands['packetTrace.showLadder'](ladder.command, ctx)
  if not vim.wait(timeout, function()
    return #vim.fn.getqflist() > 0
  end, 20) then
    return fail('Show ladder filled no quickfix list')
  end
  result.ladder = {}
  for _, item in ipairs(vim.fn.getqflist()) do
    table.insert(result.ladder, { lnum = item.lnum, text = item.text })
  end
  vim.cmd('cclose')
  vim.api.nvim_set_current_buf(buf)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.commands['packetTrace.revealConnection'](reveal.command, ctx)
  result.revealed_line = vim.api.nvim_win_get_cursor(0)[1] - 1
  result.reveal_target = reveal.command.arguments[3]

  if vim.fn.writefile({ vim.fn.json_encode(result) }, out) ~= 0 then
    return fail('cannot write ' .. out)
  end
  vim.lsp.stop_client(client.id)
  vim.wait(3000, function()
    return vim.lsp.client_is_stopped(client.id)
  end, 20)
  vim.cmd('qall!')
end

local ok, err = pcall(main)
if not ok then
  fail(tostring(err))
end
