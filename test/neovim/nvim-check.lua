-- Headless Neovim as a second, independent LSP client for the packet-trace language server.
--
--   PT_FILE=trace PT_OUT=out.jsonl [PT_REPO=repo] [PT_SETTINGS='{"diagnostics":...}'] [PT_TIMEOUT_MS=10000] \
--     nvim --headless --clean -u NONE -c 'luafile test/neovim/nvim-check.lua'
--
-- Opens PT_FILE, starts `node PT_REPO/bin/packet-trace-lsp.js --stdio` with Neovim's built-in client
-- (vim.lsp.start on 0.8+, vim.lsp.start_client + buf_attach_client on 0.7), waits for the server's
-- diagnostics with vim.wait, writes them to PT_OUT as JSON lines {code, lnum, col, end_lnum, end_col,
-- severity, message, source} (0-based lnum/col, as Neovim stores them), stops the server and quits:
-- exit code 0 on success, 1 (with the reason on stderr) on any failure or timeout.

local function fail(msg)
  io.stderr:write('nvim-check: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function main()
  local file = assert(os.getenv('PT_FILE'), 'PT_FILE not set')
  local out = assert(os.getenv('PT_OUT'), 'PT_OUT not set')
  local repo = os.getenv('PT_REPO')
  if not repo or repo == '' then
    -- This script lives in <repo>/test/neovim/.
    local here = debug.getinfo(1, 'S').source:sub(2)
    repo = vim.fn.fnamemodify(here, ':p:h:h:h')
  end
  local timeout = tonumber(os.getenv('PT_TIMEOUT_MS') or '') or 10000
  local settings = nil
  local raw = os.getenv('PT_SETTINGS')
  if raw and raw ~= '' then
    settings = { packetTrace = vim.fn.json_decode(raw) }
  end

  pcall(vim.lsp.set_log_level, 'OFF')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'packet-trace' -- Neovim sends the filetype as the languageId

  -- Settings reach the server in two ways: Neovim 0.7 has no workspace/configuration, so on_init sends
  -- them with didChangeConfiguration (as nvim-lspconfig does); 0.8+ also answers the server's
  -- workspace/configuration request from `settings`. Either way the diagnostics to read are the ones
  -- pushed after the settings arrived.
  local published = 0 -- pushes for this buffer
  local settings_sent = false
  local published_after_settings = false
  local handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      if result and vim.uri_to_bufnr(result.uri) == buf then
        published = published + 1
        if settings_sent then
          published_after_settings = true
        end
      end
    end,
    ['workspace/configuration'] = function(err, result, ctx, config)
      local answer = vim.lsp.handlers['workspace/configuration'](err, result, ctx, config)
      settings_sent = true
      published_after_settings = false
      return answer
    end,
  }

  local cfg = {
    name = 'packet-trace',
    cmd = { 'node', repo .. '/bin/packet-trace-lsp.js', '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
    settings = settings or vim.empty_dict(),
    handlers = handlers,
    on_init = function(client)
      if settings then
        client.notify('workspace/didChangeConfiguration', { settings = settings })
        settings_sent = true
      end
    end,
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(cfg, { bufnr = buf })
  else
    client_id = vim.lsp.start_client(cfg)
    if client_id then
      vim.lsp.buf_attach_client(buf, client_id)
    end
  end
  if not client_id then
    return fail('the language server did not start')
  end

  local ok = vim.wait(timeout, function()
    if settings then
      return published_after_settings
    end
    return published > 0
  end, 20)
  if not ok then
    return fail(('no diagnostics within %d ms (pushes: %d, settings sent: %s)'):format(
      timeout,
      published,
      tostring(settings_sent)
    ))
  end
  if settings then
    -- A configuration round trip may still be in flight (0.8+): let it settle.
    vim.wait(300, function()
      return false
    end, 20)
  end

  local lines = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code
    if code == nil and d.user_data and d.user_data.lsp then
      code = d.user_data.lsp.code
    end
    table.insert(lines, vim.fn.json_encode({
      code = code,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      message = d.message,
      source = d.source,
    }))
  end
  if vim.fn.writefile(lines, out) ~= 0 then
    return fail('cannot write ' .. out)
  end

  -- shutdown + exit, and wait until the server process is gone.
  vim.lsp.stop_client(client_id)
  vim.wait(3000, function()
    return vim.lsp.client_is_stopped(client_id)
  end, 20)
  vim.cmd('qall!')
end

local ok, err = pcall(main)
if not ok then
  fail(tostring(err))
end
