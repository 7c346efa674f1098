// initialize: the capabilities the server advertises, its serverInfo, and a clean shutdown/exit.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { TextDocumentSyncKind, type TextDocumentSyncOptions } from 'vscode-languageserver-protocol';
import { LspClient, stopAll } from '../helpers/lspClient';

afterEach(stopAll);
after(stopAll);

test('initialize advertises every feature, with incremental sync and quick fixes', async () => {
  const client = await LspClient.start();
  const result = client.initializeResult;
  assert.ok(result);
  const caps = result.capabilities;

  const sync = caps.textDocumentSync as TextDocumentSyncOptions;
  assert.equal(typeof sync, 'object', 'textDocumentSync as options');
  assert.equal(sync.openClose, true, 'didOpen/didClose wanted');
  assert.equal(sync.change, TextDocumentSyncKind.Incremental, 'incremental sync');

  assert.ok(caps.hoverProvider, 'hover');
  assert.ok(caps.inlayHintProvider, 'inlay hints');
  assert.ok(caps.documentSymbolProvider, 'document symbols');
  assert.ok(caps.codeLensProvider, 'code lenses');
  assert.ok(caps.definitionProvider, 'definition');
  assert.ok(caps.referencesProvider, 'references');
  assert.ok(caps.documentHighlightProvider, 'document highlights');
  assert.ok(caps.foldingRangeProvider, 'folding ranges');
  assert.ok(caps.codeActionProvider, 'code actions');
  assert.equal(typeof caps.codeActionProvider, 'object', 'code action options (with kinds)');
  const kinds = (caps.codeActionProvider as { codeActionKinds?: string[] }).codeActionKinds;
  assert.ok(kinds?.includes('quickfix'), `quickfix among ${JSON.stringify(kinds)}`);

  // Diagnostics are pushed: no pull provider that would make clients ask instead.
  assert.equal(caps.diagnosticProvider, undefined, 'no pull diagnostics');

  assert.equal(result.serverInfo?.name, 'packet-trace-lsp');
  assert.match(result.serverInfo?.version ?? '', /^\d+\.\d+\.\d+/);

  await client.shutdown();
});

test('shutdown answers null and exit ends the process with code 0', async () => {
  const client = await LspClient.start({ capabilities: { workspace: { configuration: true } } });
  await client.shutdown();
  assert.equal(client.crashed, false);
});

test('the server also starts without --stdio in its arguments (the bin adds it)', async () => {
  const client = await LspClient.start({ args: [] });
  assert.equal(client.initializeResult?.serverInfo?.name, 'packet-trace-lsp');
  await client.shutdown();
});
