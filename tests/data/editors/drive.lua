-- Drives Neovim's own LSP client, set up by a snippet of docs/editors.md, through what a user does in
-- example.py: wait for the diagnostic, ask for the hover, and apply "Disable ... for this line", the quick
-- fix and the fix-all action as vim.lsp.buf.code_action() offers them (vim.ui.select answered by title).
-- Writes what it saw as JSON to $MPLINT_EDITOR_RESULT, then quits (exit status 1 on an error).
local result = { steps = {} }
local timeout = 20000

local function diagnostic_codes()
  local codes = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(codes, d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code))
  end
  return codes
end

local function wait_for(what, condition)
  if not vim.wait(timeout, condition, 20) then
    error("timed out waiting for " .. what)
  end
  table.insert(result.steps, what)
end

local function buffer_text()
  return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n") .. "\n"
end

-- Offer the actions as the user would see them, and pick the one whose title starts with `title`.
local function code_action(title, only)
  local offered = {}
  vim.ui.select = function(items, opts, on_choice)
    for index, item in ipairs(items) do
      local action = item.action or item[2]
      table.insert(offered, action.title)
      if action.title:sub(1, #title) == title then
        return on_choice(item, index)
      end
    end
    on_choice(nil, nil)
  end
  vim.api.nvim_win_set_cursor(0, { 5, 4 })
  if vim.fn.has("nvim-0.8") == 1 then
    vim.lsp.buf.code_action({ context = { only = only } })
  else
    vim.lsp.buf.code_action({ only = only })
  end
  wait_for("offered " .. title, function()
    return #offered > 0
  end)
  return offered
end

local function undo_until_diagnosed()
  vim.cmd("silent undo")
  wait_for("diagnostics back", function()
    return #vim.diagnostic.get(0) > 0
  end)
end

local ok, err = pcall(function()
  wait_for("diagnostics", function()
    return #vim.diagnostic.get(0) > 0
  end)
  result.codes = diagnostic_codes()

  vim.api.nvim_win_set_cursor(0, { 5, 4 })
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ bufnr = 0 })
  local params = vim.lsp.util.make_position_params(0, clients[1].offset_encoding)
  local hovers = vim.lsp.buf_request_sync(0, "textDocument/hover", params, timeout) or {}
  for _, response in pairs(hovers) do
    if response.result and response.result.contents then
      result.hover = response.result.contents.value or response.result.contents
    end
  end

  result.offered = code_action("Disable MPL001 for this line", nil)
  wait_for("noqa added", function()
    return buffer_text():find("# noqa: MPL001", 1, true) ~= nil
  end)
  result.disabled = buffer_text()
  wait_for("diagnostics cleared by noqa", function()
    return #vim.diagnostic.get(0) == 0
  end)
  undo_until_diagnosed()

  code_action("mplint (MPL001)", nil)
  wait_for("quick fix applied", function()
    return buffer_text():find("tmp = m[0]", 1, true) ~= nil
  end)
  result.quick_fixed = buffer_text()
  wait_for("diagnostics cleared by quick fix", function()
    return #vim.diagnostic.get(0) == 0
  end)
  undo_until_diagnosed()

  code_action("mplint: Fix all", { "source.fixAll.mplint" })
  wait_for("fix-all applied", function()
    return buffer_text():find("tmp = m[0]", 1, true) ~= nil
  end)
  result.fixed_all = buffer_text()
end)

result.error = (not ok) and tostring(err) or nil
vim.fn.writefile({ vim.fn.json_encode(result) }, os.getenv("MPLINT_EDITOR_RESULT"))
vim.cmd(ok and "qall!" or "cquit!")
