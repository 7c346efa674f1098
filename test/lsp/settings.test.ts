// Settings: packetTrace.diagnostics.severity re-ranks a code or switches it off, read through
// workspace/configuration when the client supports it and from didChangeConfiguration's settings when it
// does not; either way the diagnostics are published again after the change.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { LspClient, fileUri, readTrace, stopAll } from '../helpers/lspClient';

afterEach(stopAll);
after(stopAll);

const TEXT = readTrace('test/fixtures/bad-synack-ack.trace');

function severityOf(p: PublishDiagnosticsParams, code: string): number | undefined {
  return p.diagnostics.find((d) => d.code === code)?.severity;
}

const severity = (map: Record<string, string>) => ({ diagnostics: { severity: map } });

test('client with workspace/configuration: settings are pulled, changed and switched off', async () => {
  const client = await LspClient.start({
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
    },
    settings: severity({ 'handshake.bad-ack': 'warning', 'tcp.ack-unseen-segment': 'hint' }),
  });
  const uri = fileUri('/tmp/lsp-settings/pull.trace');
  client.open(uri, TEXT);

  const request = await client.waitForConfigurationRequest(1);
  assert.ok(
    request.items.some((i) => i.section === 'packetTrace'),
    `asks for the packetTrace section: ${JSON.stringify(request)}`,
  );
  // The document's diagnostics end up with the configured severities without any further event.
  const first = await client.waitForDiagnostics(uri, {
    predicate: (p) => severityOf(p, 'handshake.bad-ack') === 2,
  });
  assert.equal(severityOf(first, 'handshake.bad-ack'), 2, 'error -> warning');
  assert.equal(severityOf(first, 'tcp.ack-unseen-segment'), 4, 'warning -> hint');

  // Switch bad-ack off: didChangeConfiguration makes the server pull again and publish again.
  client.settings = severity({ 'handshake.bad-ack': 'off', 'tcp.ack-unseen-segment': 'error' });
  const pulls = client.configurationRequests.length;
  const since = client.mark();
  client.changeConfiguration(null);
  const off = await client.waitForDiagnostics(uri, { since });
  assert.ok(client.configurationRequests.length > pulls, 'the server pulled the settings again');
  assert.equal(off.version, 1, 'republished for the same document version');
  assert.equal(severityOf(off, 'handshake.bad-ack'), undefined, "'off' removes the code");
  assert.equal(severityOf(off, 'tcp.ack-unseen-segment'), 1, 'warning -> error');

  // Back to defaults.
  client.settings = {};
  const since2 = client.mark();
  client.changeConfiguration(null);
  const defaults = await client.waitForDiagnostics(uri, { since: since2 });
  assert.equal(severityOf(defaults, 'handshake.bad-ack'), 1);
  assert.equal(severityOf(defaults, 'tcp.ack-unseen-segment'), 2);
  await client.shutdown();
});

test('client without workspace/configuration: settings come with didChangeConfiguration', async () => {
  const client = await LspClient.start({ capabilities: {} });
  const uri = fileUri('/tmp/lsp-settings/push.trace');
  const opened = await client.openAndWait(uri, TEXT);
  assert.equal(severityOf(opened, 'handshake.bad-ack'), 1, 'default: error');

  let since = client.mark();
  client.changeConfiguration({ packetTrace: severity({ 'handshake.bad-ack': 'information' }) });
  const info = await client.waitForDiagnostics(uri, { since });
  assert.equal(severityOf(info, 'handshake.bad-ack'), 3, 'error -> information');
  assert.equal(severityOf(info, 'tcp.ack-unseen-segment'), 2, 'other codes keep their default');

  since = client.mark();
  client.changeConfiguration({ packetTrace: severity({ 'handshake.bad-ack': 'off' }) });
  const off = await client.waitForDiagnostics(uri, { since });
  assert.equal(severityOf(off, 'handshake.bad-ack'), undefined, "'off' removes the code");
  assert.equal(off.diagnostics.length, 1);

  assert.equal(client.configurationRequests.length, 0, 'never asks a client that cannot answer');
  await client.shutdown();
});

test('invalid settings are ignored: unknown codes and severities fall back to the defaults', async () => {
  const client = await LspClient.start();
  const uri = fileUri('/tmp/lsp-settings/invalid.trace');
  await client.openAndWait(uri, TEXT);
  const since = client.mark();
  client.changeConfiguration({
    packetTrace: severity({
      'handshake.bad-ack': 'fatal',
      'no.such-code': 'off',
      'tcp.ack-unseen-segment': 'off',
    }),
  });
  const p = await client.waitForDiagnostics(uri, { since });
  assert.equal(severityOf(p, 'handshake.bad-ack'), 1, "an unknown severity ('fatal') is ignored");
  assert.equal(severityOf(p, 'tcp.ack-unseen-segment'), undefined, 'valid entries still apply');
  await client.shutdown();
});

test('initializationOptions.settings apply from the first push', async () => {
  const client = await LspClient.start({
    initializationOptions: { settings: severity({ 'handshake.bad-ack': 'hint' }) },
  });
  const uri = fileUri('/tmp/lsp-settings/init.trace');
  const p = await client.openAndWait(uri, TEXT);
  assert.equal(severityOf(p, 'handshake.bad-ack'), 4);
  await client.shutdown();
});

test('no client/registerCapability to a client without dynamic registration', {}, async () => {
  const client = await LspClient.start({ capabilities: { workspace: { configuration: true } } });
  const uri = fileUri('/tmp/lsp-settings/noreg.trace');
  client.open(uri, TEXT);
  await client.waitForConfigurationRequest(1);
  await client.waitForDiagnostics(uri, 1);
  // A round trip, so anything the server sent before it has arrived.
  await client.hover(uri, { line: 0, character: 0 });
  const methods = client.serverRequests.map((r) => r.method);
  await client.shutdown();
  assert.ok(!methods.includes('client/registerCapability'), `server requests: ${methods.join(', ')}`);
});

test('no workspace/inlayHint/refresh to a client without refreshSupport', {}, async () => {
  const client = await LspClient.start({ capabilities: {} });
  const uri = fileUri('/tmp/lsp-settings/norefresh.trace');
  await client.openAndWait(uri, TEXT);
  const since = client.mark();
  client.changeConfiguration({ packetTrace: {} });
  await client.waitForDiagnostics(uri, { since });
  await client.hover(uri, { line: 0, character: 0 });
  const methods = client.serverRequests.map((r) => r.method);
  await client.shutdown();
  assert.ok(!methods.includes('workspace/inlayHint/refresh'), `server requests: ${methods.join(', ')}`);
});

test('with refreshSupport, a settings change asks the client to refresh inlay hints', async () => {
  const client = await LspClient.start({
    capabilities: { workspace: { inlayHint: { refreshSupport: true } } },
  });
  const uri = fileUri('/tmp/lsp-settings/refresh.trace');
  await client.openAndWait(uri, TEXT);
  const since = client.serverRequests.length;
  client.changeConfiguration({ packetTrace: { inlayHints: { connection: true } } });
  await client.waitForServerRequest('workspace/inlayHint/refresh', since);
  await client.shutdown();
});
