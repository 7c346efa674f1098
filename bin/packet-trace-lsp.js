#!/usr/bin/env node
'use strict';
// The standalone language server: `packet-trace-lsp --stdio`. Bundled by esbuild into dist/server.js.
if (
  !process.argv.some(
    (a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe'),
  )
) {
  process.argv.push('--stdio');
}
require('../dist/server.js');
