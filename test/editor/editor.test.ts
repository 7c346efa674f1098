/**
 * The extension inside a real VS Code: activation, diagnostics, the language features through VS Code's
 * own `vscode.execute*Provider` commands, quick fixes, settings, the commands, and recovery after the
 * language server is killed. Runs in the extension host (see index.ts); the workspace is a throwaway
 * copy of examples/ made by the launcher, so edits and settings changes stay out of the repository.
 * Every wait polls a condition (waitFor); nothing sleeps for a fixed time.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { PacketTraceApi } from '../../client/src/extension';
import { SERVER_NODE_OPTIONS } from '../../protocol/lsp';
import { report } from './index';
import { metrics } from './metrics';

const EXTENSION_ID = 'packet-trace.packet-trace-annotator';
/** One connection of 100 000 packets, written into the workspace by the launcher (scripts/e2e/common.mjs). */
const BULK_TRACE = 'bulk-transfer.trace';
const SOURCE = 'packet-trace';
/** vscode-languageclient's State.Running (the enum lives in the bundled client; the value is stable API). */
const STATE_RUNNING = 2;

// ---- helpers -------------------------------------------------------------------------------------

/** Polls `probe` until it returns something truthy; fails with `what` and the last value seen. */
async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the launcher opens a workspace folder (a copy of examples/)');
  return folder.uri;
}

const example = (name: string) => vscode.Uri.joinPath(root(), name);

/** The crafted corpus capture with a bad SYN-ACK ack (../shared beside the checkout), when it is there. */
function corpusCapture(extensionPath: string): string | undefined {
  const file = path.join(extensionPath, '..', 'shared', 'corpus', 'crafted-synack-bad-ack', 'capture.pcap');
  return fs.existsSync(file) ? file : undefined;
}

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  return typeof c === 'object' && c !== null ? String(c.value) : String(c);
}

const ours = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
const codes = (uri: vscode.Uri) => ours(uri).map(codeOf);

async function open(name: string, show = true): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(example(name));
  if (show) await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function markdownOf(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

function labelOf(h: vscode.InlayHint): string {
  return typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('');
}

/** The position of the first occurrence of `needle` on the first line containing it (after `from`). */
function positionOf(doc: vscode.TextDocument, needle: string, offset = 0, from = 0): vscode.Position {
  for (let i = from; i < doc.lineCount; i++) {
    const at = doc.lineAt(i).text.indexOf(needle);
    if (at >= 0) return new vscode.Position(i, at + offset);
  }
  throw new Error(`"${needle}" not found in ${doc.uri.fsPath}`);
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

interface CliDiagnostic {
  line: number;
  column: number;
  severity: string;
  code: string;
  message: string;
}

/** The command-line checker's findings for a file: the editor must show exactly these. */
function cliDiagnostics(extensionPath: string, file: string): CliDiagnostic[] {
  const r = spawnSync(
    process.execPath,
    [path.join(extensionPath, 'dist', 'cli.js'), 'check', '--format', 'json', file],
    {
      encoding: 'utf8',
      // In desktop VS Code process.execPath is Electron: make it behave as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    },
  );
  assert.ok(r.status === 0 || r.status === 1, `cli exit ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { files: Array<{ diagnostics: CliDiagnostic[] }> };
  return out.files[0]!.diagnostics;
}

const key = (line: number, column: number, severity: vscode.DiagnosticSeverity, code: string, msg: string) =>
  `${line}:${column} ${vscode.DiagnosticSeverity[severity]} ${code} ${msg}`;

/** The pid of the language server process: a child of this extension host running dist/server.js. */
function serverPid(api: PacketTraceApi, extensionPath: string): number | undefined {
  const script = path.join(extensionPath, 'dist', 'server.js');
  if (process.platform === 'linux') {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid !== process.pid) continue;
        const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (cmd.includes(script)) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
    return undefined;
  }
  // Elsewhere: the child process the LanguageClient forked (not public API, but stable in 9.x).
  return (api.client as unknown as { _serverProcess?: { pid?: number } })._serverProcess?.pid;
}

// ---- the suite -----------------------------------------------------------------------------------

suite('Packet Trace Annotator in VS Code', () => {
  let api: PacketTraceApi;
  let extensionPath: string;
  const MISTAKES = 'mistakes-to-fix.trace';

  suiteSetup(() => {
    const ext = vscode.extensions.getExtension<PacketTraceApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed or under development`);
    extensionPath = ext.extensionPath;
    metrics.vscodeVersion = vscode.version;
    metrics.uiKind = vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop';
    metrics.extensionPath = extensionPath;
  });

  suiteTeardown(async () => {
    await vscode.workspace
      .getConfiguration('packetTrace')
      .update('diagnostics.severity', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('activates on opening a .trace file and starts the language server', async () => {
    const ext = vscode.extensions.getExtension<PacketTraceApi>(EXTENSION_ID)!;
    assert.equal(ext.isActive, false, 'nothing activates the extension before a .trace file is opened');
    const t0 = performance.now();
    const doc = await open(MISTAKES);
    assert.equal(doc.languageId, 'packet-trace');
    await waitFor('the extension to activate', () => ext.isActive);
    api = await ext.activate();
    await api.ready;
    const tReady = performance.now();
    assert.equal(api.client.state, STATE_RUNNING);
    await waitFor('the first diagnostics', () => ours(doc.uri).length > 0);
    const tDiag = performance.now();
    metrics.activationMs = Math.round(tReady - t0);
    metrics.firstDiagnosticsMs = Math.round(tDiag - t0);
    report(
      `      activation: open -> server running ${metrics.activationMs} ms, -> first diagnostics ${metrics.firstDiagnosticsMs} ms`,
    );
    const commands = await vscode.commands.getCommands(true);
    for (const c of [
      'packetTrace.showLadder',
      'packetTrace.revealConnection',
      'packetTrace.restartServer',
      'packetTrace.copyVerdicts',
    ])
      assert.ok(commands.includes(c), `command ${c} is registered`);
  });

  test('shows the mistakes of a hand-written trace where they are', async () => {
    const uri = example(MISTAKES);
    const diags = await waitFor('three findings', () => (ours(uri).length === 3 ? ours(uri) : undefined));
    const byCode = new Map(diags.map((d) => [codeOf(d), d]));
    const expect: Array<[string, number, vscode.DiagnosticSeverity]> = [
      ['handshake.bad-ack', 5, vscode.DiagnosticSeverity.Error],
      ['handshake.incomplete', 11, vscode.DiagnosticSeverity.Warning],
      ['teardown.bad-fin-ack', 18, vscode.DiagnosticSeverity.Error],
    ];
    for (const [code, line, severity] of expect) {
      const d = byCode.get(code);
      assert.ok(d, `${code} is reported (got ${[...byCode.keys()].join(', ')})`);
      assert.equal(d.range.start.line, line, `${code} line`);
      assert.equal(d.severity, severity, `${code} severity`);
    }
    // The bad ack's squiggle covers exactly the number.
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(byCode.get('handshake.bad-ack')!.range), '1000');
  });

  test('every example shows exactly the findings of the command-line checker', async () => {
    const names = fs
      .readdirSync(root().fsPath)
      // The large generated trace has a test (and a timing) of its own, below.
      .filter((f) => f.endsWith('.trace') && f !== BULK_TRACE)
      .sort();
    assert.ok(names.length >= 5, `examples: ${names.join(', ')}`);
    for (const name of names) {
      const doc = await open(name, false);
      // The server answers requests in order: once this returns it has seen the document.
      await api.connections(doc.uri);
      const expected = cliDiagnostics(extensionPath, doc.uri.fsPath)
        .map((d) => key(d.line, d.column, SEVERITY[d.severity]!, d.code, d.message))
        .sort();
      const shown = await waitFor(`${name}: the diagnostics of the CLI (${expected.length})`, () => {
        const got = ours(doc.uri)
          .map((d) =>
            key(d.range.start.line + 1, d.range.start.character + 1, d.severity, codeOf(d), d.message),
          )
          .sort();
        return got.length === expected.length ? got : undefined;
      });
      assert.deepEqual(shown, expected, name);
    }
    const lossy = example('lossy-transfer.trace');
    assert.ok(codes(lossy).filter((c) => c === 'tcp.dup-ack').length >= 10, 'dup acks in the lossy transfer');
    assert.deepEqual([...new Set(codes(example('refused.trace')))], ['handshake.refused']);
    assert.deepEqual(codes(example('seed-handshake.trace')), []);
  });

  test('hover explains the flags of the SYN-ACK', async () => {
    const seed = await open('seed-handshake.trace');
    // The old 3.x form: `S 1415531521:1415531521(0) ack ...` on the server's line.
    const synAck = positionOf(seed, ': S 1415531521', 2);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      seed.uri,
      synAck,
    );
    const text = markdownOf(hovers);
    assert.match(text, /SYN \+ ACK/);
    assert.match(text, /step 2 of the three-way handshake/);

    const http = await open('http-keepalive-fin.trace');
    const flags = positionOf(http, 'Flags [S.]', 'Flags ['.length);
    const modern = markdownOf(
      await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', http.uri, flags),
    );
    assert.match(modern, /`\[S\.\]`.*SYN \+ ACK/);

    // On a finding, the hover also gives its code and rule.
    const mistakes = await open(MISTAKES);
    const badAck = positionOf(mistakes, 'ack 1000 ', 5);
    const onFinding = markdownOf(
      await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        mistakes.uri,
        badAck,
      ),
    );
    assert.match(onFinding, /handshake\.bad-ack/);
    assert.match(onFinding, /Rule/);
  });

  test("go to definition leads from the SYN-ACK's ack to the SYN", async () => {
    const seed = await open('seed-handshake.trace');
    const ack = positionOf(seed, 'ack 3626544837', 6);
    const syn = positionOf(seed, ': S 3626544836');
    const locations = await vscode.commands.executeCommand<Array<vscode.Location | vscode.LocationLink>>(
      'vscode.executeDefinitionProvider',
      seed.uri,
      ack,
    );
    assert.equal(locations.length, 1);
    const l = locations[0]!;
    const range = 'targetRange' in l ? l.targetRange : l.range;
    const target = 'targetUri' in l ? l.targetUri : l.uri;
    assert.equal(target.toString(), seed.uri.toString());
    assert.equal(range.start.line, syn.line);
  });

  test('inlay hints show state transitions and the other form of the numbers', async () => {
    const seed = await open('seed-handshake.trace');
    const all = new vscode.Range(0, 0, seed.lineCount, 0);
    const hints = async () =>
      (
        await vscode.commands.executeCommand<vscode.InlayHint[]>(
          'vscode.executeInlayHintProvider',
          seed.uri,
          all,
        )
      ).map((h) => ({ line: h.position.line, label: labelOf(h) }));
    const first = await hints();
    const last = positionOf(seed, '. ack 1 win').line;
    assert.ok(
      first.some((h) => /ESTABLISHED/.test(h.label)),
      `a state transition hint: ${JSON.stringify(first)}`,
    );
    // The final ACK is printed relative (`ack 1`): its absolute value is shown beside it.
    assert.ok(
      first.some((h) => h.line === last && h.label === 'abs 1415531522'),
      JSON.stringify(first),
    );
    const config = vscode.workspace.getConfiguration('packetTrace');
    await config.update('inlayHints.numbers', false, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('number hints to go when switched off', async () =>
        (await hints()).every((h) => !/^(abs|rel) /.test(h.label)),
      );
    } finally {
      await config.update('inlayHints.numbers', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('document symbols give one entry per connection with its phases', async () => {
    const doc = await open(MISTAKES);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
      'vscode.executeDocumentSymbolProvider',
      doc.uri,
    );
    assert.equal(symbols.length, 3);
    assert.match(symbols[0]!.name, /^10\.0\.0\.1:40001 -> 10\.0\.0\.2:80 /);
    assert.match(symbols[2]!.name, /^10\.0\.0\.1:40003 -> 10\.0\.0\.2:25 · SF/);
    assert.deepEqual(
      symbols[2]!.children.map((c) => c.name),
      ['handshake', 'teardown'],
    );
    assert.equal(symbols[0]!.range.start.line, 4);
  });

  test('code lenses give each connection its verdict and a ladder link', async () => {
    const doc = await open(MISTAKES);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      doc.uri,
      100,
    );
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.equal(lenses.length, 6, titles.join(' | '));
    assert.ok(
      titles.some((t) => /^#2 .*handshake incomplete/.test(t)),
      titles.join(' | '),
    );
    assert.equal(lenses.filter((l) => l.command?.command === 'packetTrace.showLadder').length, 3);
    const reveal = lenses.find((l) => l.command?.title.startsWith('#3 '))!;
    assert.equal(reveal.command!.command, 'packetTrace.revealConnection');
    assert.equal(reveal.range.start.line, positionOf(doc, '10.0.0.1.40003 > 10.0.0.2.25: S').line);
  });

  test('packetTrace.diagnostics.severity changes severities and switches codes off', async () => {
    const uri = example(MISTAKES);
    await open(MISTAKES);
    const config = vscode.workspace.getConfiguration('packetTrace');
    const sevOf = (code: string) => ours(uri).find((d) => codeOf(d) === code)?.severity;
    await waitFor('the defaults', () => sevOf('handshake.bad-ack') === vscode.DiagnosticSeverity.Error);
    try {
      await config.update(
        'diagnostics.severity',
        { 'handshake.bad-ack': 'warning', 'handshake.incomplete': 'off' },
        vscode.ConfigurationTarget.Workspace,
      );
      await waitFor(
        'bad-ack as a warning and no handshake.incomplete',
        () =>
          sevOf('handshake.bad-ack') === vscode.DiagnosticSeverity.Warning &&
          !codes(uri).includes('handshake.incomplete'),
      );
      assert.equal(sevOf('teardown.bad-fin-ack'), vscode.DiagnosticSeverity.Error, 'other codes unchanged');
    } finally {
      await config.update('diagnostics.severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor(
      'the defaults again',
      () =>
        sevOf('handshake.bad-ack') === vscode.DiagnosticSeverity.Error &&
        codes(uri).includes('handshake.incomplete'),
    );
  });

  test('quick fixes repair each mistake and their diagnostics go away', async () => {
    const doc = await open(MISTAKES);
    const original = doc.getText();
    try {
      const expected: Array<[string, RegExp]> = [
        ['handshake.bad-ack', /1001/],
        ['handshake.incomplete', /final ACK/],
        ['teardown.bad-fin-ack', /3002/],
      ];
      for (const [code, title] of expected) {
        const diag = await waitFor(`${code} to be shown`, () =>
          ours(doc.uri).find((d) => codeOf(d) === code),
        );
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
          'vscode.executeCodeActionProvider',
          doc.uri,
          diag.range,
          vscode.CodeActionKind.QuickFix.value,
        );
        // (The API command does not pass the actions' `diagnostics` through, so match by title.)
        const fix = actions.find((a) => title.test(a.title) && a.edit);
        assert.ok(fix, `a quick fix for ${code}: ${actions.map((a) => a.title).join(' | ')}`);
        assert.equal(fix.isPreferred, true, `${code}: the fix is preferred (auto-fixable)`);
        assert.ok(fix.kind && vscode.CodeActionKind.QuickFix.contains(fix.kind));
        assert.ok(await vscode.workspace.applyEdit(fix.edit!), `${code}: the edit applies`);
        await waitFor(`${code} to go after "${fix.title}"`, () => !codes(doc.uri).includes(code));
      }
      assert.match(doc.lineAt(5).text, /S 5000:5000\(0\) ack 1001 /);
      assert.deepEqual(
        ours(doc.uri).filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning),
        [],
        'no errors or warnings left',
      );
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(doc.getText(), original);
    await waitFor('the findings back after revert', () => ours(doc.uri).length === 3);
  });

  test('a trace pasted from a ticket: the wrapped line is joined by its quick fix, the kernel drops stay', async () => {
    const doc = await open('pasted-from-a-ticket.trace');
    const original = doc.getText();
    try {
      const rest = await waitFor('the rest of the wrapped line to be named', () =>
        ours(doc.uri).find((d) => codeOf(d) === 'parse.unknown-line' && /wrapped/.test(d.message)),
      );
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        rest.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const join = actions.find((a) => /^Join line \d+ onto the line above/.test(a.title) && a.edit);
      assert.ok(join, `a join: ${actions.map((a) => a.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(join.edit!), 'the join applies');
      await waitFor(
        'no parse diagnostics after the join',
        () => !codes(doc.uri).some((c) => c.startsWith('parse.')),
      );
      assert.match(doc.lineAt(rest.range.start.line - 1).text, /wscale 7\], length 0$/);
      assert.ok(codes(doc.uri).includes('capture.packets-dropped'), 'the drop warning stays');
      assert.ok(!codes(doc.uri).includes('handshake.data-before-established'), 'the handshake reads whole');
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    assert.equal(doc.getText(), original);
  });

  test('packetTrace.copyVerdicts puts one line per connection on the clipboard', async () => {
    const doc = await open(MISTAKES);
    await vscode.env.clipboard.writeText('(nothing yet)');
    await vscode.commands.executeCommand('packetTrace.copyVerdicts');
    const text = await waitFor('the verdicts on the clipboard', async () => {
      const t = await vscode.env.clipboard.readText();
      return t.startsWith('#1 ') ? t : undefined;
    });
    const list = await api.connections(doc.uri);
    const lines = text.split('\n');
    assert.equal(lines.length, list.length);
    list.forEach((c, i) =>
      assert.ok(lines[i]!.startsWith(`#${c.id} ${c.client} -> ${c.server}: ${c.verdict} (`)),
    );
    assert.match(lines[0]!, /^#1 10\.0\.0\.1:40001 -> 10\.0\.0\.2:80: /);
    assert.match(lines[1]!, /handshake incomplete/);
  });

  test('packetTrace.revealConnection selects the packets of a connection', async () => {
    const doc = await open(MISTAKES);
    const list = await api.connections(doc.uri);
    const third = list.find((c) => c.id === 3)!;
    await vscode.commands.executeCommand('packetTrace.revealConnection', doc.uri.toString(), 3);
    let editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), doc.uri.toString());
    assert.equal(editor.selection.start.line, third.firstLine);
    assert.equal(editor.selection.start.character, 0);
    assert.equal(editor.selection.end.line, third.lastLine);
    // By line: any line of connection 2 selects connection 2.
    const second = list.find((c) => c.id === 2)!;
    await vscode.commands.executeCommand(
      'packetTrace.revealConnection',
      doc.uri.toString(),
      undefined,
      second.lastLine,
    );
    editor = vscode.window.activeTextEditor!;
    assert.equal(editor.selection.start.line, second.firstLine);
    assert.equal(editor.selection.end.line, second.lastLine);
  });

  test('the language server runs with the Node options it is best started with', function () {
    // (Its command line is read from /proc: elsewhere there is no portable way to see it.)
    if (process.platform !== 'linux') this.skip();
    const pid = serverPid(api, extensionPath);
    assert.ok(pid, 'the server process is found');
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const script = cmd.indexOf(path.join(extensionPath, 'dist', 'server.js'));
    assert.ok(script > 0, `the server's script on its command line: ${cmd.join(' ')}`);
    for (const option of SERVER_NODE_OPTIONS)
      assert.ok(cmd.slice(0, script).includes(option), `${option} before the script: ${cmd.join(' ')}`);
  });

  test('the language server comes back after it is killed', async () => {
    const doc = await open(MISTAKES);
    const oldPid = serverPid(api, extensionPath);
    assert.ok(oldPid, 'the server process is found');
    const states: number[] = [];
    const sub = api.client.onDidChangeState((e) => states.push(e.newState));
    const t0 = performance.now();
    try {
      process.kill(oldPid, 'SIGKILL');
      const newPid = await waitFor(
        'a new server process, and the client running again',
        () => {
          const pid = serverPid(api, extensionPath);
          return api.client.state === STATE_RUNNING && pid && pid !== oldPid ? pid : undefined;
        },
        30_000,
      );
      assert.ok(states.length >= 2, `the client went through restart states: ${states.join(',')}`);
      assert.notEqual(newPid, oldPid);
    } finally {
      sub.dispose();
    }
    await waitFor('the diagnostics back', () => ours(doc.uri).length === 3);
    metrics.restartAfterKillMs = Math.round(performance.now() - t0);
    // The new server follows edits: a line that is not a packet gets its own finding.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(4, 0), 'this line is not a packet\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      await waitFor('a finding on the inserted line', () =>
        ours(doc.uri).some((d) => d.range.start.line === 4 && codeOf(d).startsWith('parse.')),
      );
    } finally {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await waitFor('the findings as before', () => ours(doc.uri).length === 3);
  });

  test('packetTrace.restartServer starts a fresh server', async () => {
    const doc = await open(MISTAKES);
    const oldPid = serverPid(api, extensionPath);
    await vscode.commands.executeCommand('packetTrace.restartServer');
    await waitFor('a new server process', () => {
      const pid = serverPid(api, extensionPath);
      return api.client.state === STATE_RUNNING && pid && pid !== oldPid;
    });
    await waitFor('the diagnostics back', () => ours(doc.uri).length === 3);
  });
});

// ---- the ladder panel ----------------------------------------------------------------------------

suite('Ladder diagram panel', () => {
  let api: PacketTraceApi;
  const MISTAKES = 'mistakes-to-fix.trace';

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PacketTraceApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    await api.ready;
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const rendered = (
    uri: vscode.Uri,
    since: number,
    predicate: (m: {
      connection: number;
      arrows: number;
      version: number;
      selectedLine?: number;
    }) => boolean = () => true,
  ) =>
    api.ladder.waitForMessage('rendered', (m, u) => u === uri.toString() && predicate(m), {
      since,
      timeoutMs: 60_000,
    });

  test('Show Ladder opens a panel beside the editor on the connection under the cursor', async () => {
    const doc = await open(MISTAKES);
    const list = await api.connections(doc.uri);
    const second = list.find((c) => c.id === 2)!;
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(second.lastLine, 3, second.lastLine, 3);
    const t0 = performance.now();
    let since = api.ladder.received.length;
    await vscode.commands.executeCommand('packetTrace.showLadder');
    const first = await rendered(doc.uri, since);
    metrics.ladderOpenMs = Math.round(performance.now() - t0);
    report(`      ladder: command -> diagram drawn in the webview ${metrics.ladderOpenMs} ms`);
    assert.equal(first.connection, 2, 'the connection under the cursor');
    assert.equal(first.arrows, second.packets);
    assert.equal(first.selectedLine, second.lastLine, "the cursor's packet is selected");
    const panel = api.ladder.panels().find((p) => p.uri === doc.uri.toString());
    assert.ok(panel, 'a panel for the trace');
    assert.equal(panel.viewColumn, vscode.ViewColumn.Two, 'beside the editor');
    assert.equal(
      vscode.window.activeTextEditor?.document.uri.toString(),
      doc.uri.toString(),
      'the editor keeps the focus',
    );
    assert.ok(api.ladder.received.some((r) => r.uri === doc.uri.toString() && r.message.type === 'ready'));

    // The code lens's arguments [uri, id, line] switch the same panel to another connection.
    const third = list.find((c) => c.id === 3)!;
    since = api.ladder.received.length;
    await vscode.commands.executeCommand('packetTrace.showLadder', doc.uri.toString(), 3, third.firstLine);
    const r3 = await rendered(doc.uri, since);
    assert.equal(r3.connection, 3);
    assert.equal(r3.arrows, third.packets);
    assert.equal(api.ladder.panels().filter((p) => p.uri === doc.uri.toString()).length, 1);
  });

  test('a reveal from the diagram selects the packet line; invalid messages are ignored', async () => {
    const doc = await open(MISTAKES, false);
    const list = await api.connections(doc.uri);
    const third = list.find((c) => c.id === 3)!;
    await api.ladder.receive(doc.uri.toString(), { type: 'reveal', line: third.lastLine, focus: true });
    const editor = await waitFor('the trace editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString()),
    );
    assert.equal(editor.selection.start.line, third.lastLine);
    assert.equal(editor.selection.start.character, 0);
    assert.equal(editor.selection.end.character, doc.lineAt(third.lastLine).text.length, 'the whole line');
    assert.equal(editor.viewColumn, vscode.ViewColumn.One);
    const rejected = api.ladder.rejected;
    for (const bad of [
      { type: 'reveal', line: doc.lineCount + 5 },
      { type: 'reveal', line: -1 },
      { type: 'reveal', line: '2' },
      { type: 'runCommand', command: 'workbench.action.quit' },
      'reveal',
    ])
      await api.ladder.receive(doc.uri.toString(), bad);
    assert.equal(api.ladder.rejected, rejected + 5);
    assert.equal(editor.selection.start.line, third.lastLine, 'nothing moved');
  });

  test('moving the cursor in the editor highlights its arrow', async () => {
    const doc = await open(MISTAKES);
    const list = await api.connections(doc.uri);
    const third = list.find((c) => c.id === 3)!;
    const editor = vscode.window.activeTextEditor!;
    const line = third.firstLine + 2;
    const since = api.ladder.received.length;
    editor.selection = new vscode.Selection(line, 5, line, 5);
    const m = await api.ladder.waitForMessage(
      'selected',
      (x, u) => u === doc.uri.toString() && x.line === line,
      {
        since,
        timeoutMs: 20_000,
      },
    );
    assert.equal(m.line, line);
  });

  test('edits in the trace update the diagram, keeping its place', async () => {
    const doc = await open(MISTAKES);
    const list = await api.connections(doc.uri);
    const third = list.find((c) => c.id === 3)!;
    const last = api.ladder.received
      .filter((r) => r.uri === doc.uri.toString() && r.message.type === 'rendered')
      .pop()!.message as { version: number; arrows: number; connection: number };
    assert.equal(last.connection, 3);
    const since = api.ladder.received.length;
    const edit = new vscode.WorkspaceEdit();
    // One more packet at the end of connection 3: the final ACK again.
    edit.insert(doc.uri, new vscode.Position(third.lastLine + 1, 0), `${doc.lineAt(third.lastLine).text}\n`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const t0 = performance.now();
    try {
      const r = await rendered(
        doc.uri,
        since,
        (m) => m.version > last.version && m.arrows === last.arrows + 1,
      );
      metrics.ladderUpdateMs = Math.round(performance.now() - t0);
      report(`      ladder: edit -> diagram updated ${metrics.ladderUpdateMs} ms`);
      assert.equal(r.connection, 3);
    } finally {
      await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await rendered(doc.uri, since, (m) => m.arrows === last.arrows && m.version > last.version + 1);
  });

  test('exports: Mermaid in a new editor, SVG and PNG files', async () => {
    const doc = await open(MISTAKES);
    await vscode.commands.executeCommand('packetTrace.showLadder', doc.uri.toString(), 0);
    const since = api.ladder.received.length;
    await rendered(doc.uri, 0, (m) => m.connection === 0);
    await vscode.commands.executeCommand('packetTrace.exportLadder', 'mermaid', 'editor');
    const mermaid = await waitFor('the Mermaid export in a new editor', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d?.isUntitled && d.getText().includes('sequenceDiagram') ? d : undefined;
    });
    const text = mermaid.getText();
    assert.match(text, /^ {4}participant L1 as client 10\.0\.0\.1:40001$/m);
    assert.equal(text.split('\n').filter((l) => /^ {4}L\d+-/.test(l)).length, 13, 'one message per packet');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    for (const format of ['svg', 'png'] as const) {
      const file = vscode.Uri.joinPath(root(), `ladder-export.${format}`);
      await vscode.commands.executeCommand('packetTrace.exportLadder', format, 'file', file.toString());
      // Written through VS Code's file system: the file can be there before its bytes are, so wait for
      // the format's end (an SVG's closing tag, a PNG's IEND chunk).
      const complete = (b: Buffer) =>
        format === 'svg'
          ? b.toString('utf8').trimEnd().endsWith('</svg>')
          : b.length > 12 && b.toString('latin1', b.length - 8, b.length - 4) === 'IEND';
      const bytes = await waitFor(`${format} written`, () => {
        const b = fs.existsSync(file.fsPath) ? fs.readFileSync(file.fsPath) : undefined;
        return b && complete(b) ? b : undefined;
      });
      if (format === 'svg')
        assert.match(bytes.toString('utf8', 0, 100), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg /);
      else assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    }
    assert.ok(api.ladder.received.slice(since).some((r) => r.message.type === 'export'));
  });

  test('a connection of 100 000 packets: its diagnostics, then its whole ladder', async function () {
    // The launcher writes the large trace (scripts/e2e/common.mjs); figures go to the metrics line.
    if (!fs.existsSync(example(BULK_TRACE).fsPath)) this.skip();
    this.timeout(180_000);
    const t0 = performance.now();
    const doc = await open(BULK_TRACE);
    // Every 2 500 segments one is lost and asked for three times: duplicate ACKs, a retransmission.
    await waitFor("the large trace's diagnostics", () => codes(doc.uri).includes('tcp.dup-ack'), 120_000);
    metrics.bulkOpenToDiagnosticsMs = Math.round(performance.now() - t0);
    const [only, ...more] = await api.connections(doc.uri);
    assert.ok(only && more.length === 0, 'one connection');
    assert.ok(only.packets > 99_000, `${only.packets} packets`);
    const since = api.ladder.received.length;
    const t1 = performance.now();
    await vscode.commands.executeCommand(
      'packetTrace.showLadder',
      doc.uri.toString(),
      only.id,
      only.firstLine,
    );
    const drawn = await rendered(doc.uri, since, (m) => m.connection === only.id);
    metrics.bulkLadderMs = Math.round(performance.now() - t1);
    report(
      `      ${only.packets} packets: open -> diagnostics ${metrics.bulkOpenToDiagnosticsMs} ms, Show Ladder -> drawn ${metrics.bulkLadderMs} ms`,
    );
    assert.equal(drawn.arrows, only.packets, 'an arrow for every packet');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

suite('Captures opened as traces', () => {
  let extensionPath: string;
  let api: PacketTraceApi;

  suiteSetup(async () => {
    const ext = vscode.extensions.getExtension<PacketTraceApi>(EXTENSION_ID);
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
    await api.ready;
    extensionPath = ext.extensionPath;
  });

  test('a pcap opens as a read-only trace with the CLI verdicts, and saves as a .trace file', async function () {
    const corpus = corpusCapture(extensionPath);
    if (!corpus) this.skip();
    const rendered = await vscode.commands.executeCommand<vscode.Uri>(
      'packetTrace.openCapture',
      vscode.Uri.file(corpus),
    );
    assert.ok(rendered, 'the command returns the rendered document');
    const doc = await vscode.workspace.openTextDocument(rendered);
    assert.equal(doc.languageId, 'packet-trace');
    assert.match(doc.getText(), /Flags \[S\.\], seq \d+, ack \d+/);
    const expected = cliDiagnostics(extensionPath, corpus)
      .map((d) => `${d.line}:${d.column} ${d.code}`)
      .sort();
    const shown = await waitFor(`the diagnostics of the capture (${expected.length})`, () => {
      const got = vscode.languages
        .getDiagnostics(rendered)
        .filter((d) => d.source === SOURCE)
        .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${codeOf(d)}`)
        .sort();
      return got.length === expected.length ? got : undefined;
    });
    assert.deepEqual(shown, expected);
    assert.ok(
      shown.some((k) => k.endsWith('handshake.bad-ack')),
      'the bad SYN-ACK ack is found in the capture',
    );
    const target = vscode.Uri.file(path.join(root().fsPath, 'from-capture.trace'));
    const saved = await vscode.commands.executeCommand<vscode.Uri>(
      'packetTrace.saveCaptureAsTrace',
      rendered,
      target,
    );
    assert.equal(saved?.fsPath, target.fsPath);
    assert.equal(fs.readFileSync(target.fsPath, 'utf8'), doc.getText());
  });

  test('opening a .pcap file (the custom editor) shows its rendering, read-only, with its diagnostics', async function () {
    const corpus = corpusCapture(extensionPath);
    if (!corpus) this.skip();
    // A copy in the workspace, opened the way the explorer opens it: through the editor resolver.
    const capture = vscode.Uri.file(path.join(root().fsPath, 'opened-by-path.pcap'));
    fs.copyFileSync(corpus, capture.fsPath);
    await vscode.commands.executeCommand('vscode.open', capture);
    const editor = await waitFor('the rendering in a text editor', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.scheme === 'packet-trace-capture' && e.document.uri.query === capture.toString()
        ? e
        : undefined;
    });
    const doc = editor.document;
    assert.equal(doc.languageId, 'packet-trace');
    assert.match(doc.getText(), /Flags \[S\.\], seq \d+, ack \d+/);
    // The custom editor hands over to the text document: no tab of its own is left.
    await waitFor('the custom editor tab to close', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .every(
          (t) => !(t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === capture.toString()),
        ),
    );
    await waitFor('the bad SYN-ACK ack on the rendering', () =>
      vscode.languages
        .getDiagnostics(doc.uri)
        .some((d) => d.source === SOURCE && codeOf(d) === 'handshake.bad-ack'),
    );
    // Read-only: typing into its editor changes nothing.
    const text = doc.getText();
    await vscode.window.showTextDocument(doc, { preserveFocus: false, preview: false });
    await vscode.commands.executeCommand('type', { text: 'not a packet\n' });
    assert.equal(doc.getText(), text, 'typing into the rendering changes nothing');
    assert.equal(doc.isDirty, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a capture the window showed as a binary file before it knew the custom editor is reopened as its rendering', async function () {
    // Activation: opening a capture (onCustomEditor), a trace (onLanguage), or a workspace with captures
    // (workspaceContains: VS Code registers the custom editor only some seconds into a window's life, and
    // shows a capture opened before that as a binary file; activation then reopens it).
    const ext = vscode.extensions.getExtension<PacketTraceApi>(EXTENSION_ID)!;
    const events = (ext.packageJSON as { activationEvents: string[] }).activationEvents;
    for (const e of [
      'onLanguage:packet-trace',
      'onCustomEditor:packetTrace.capture',
      'workspaceContains:**/*.pcap',
      'workspaceContains:**/*.pcapng',
      'workspaceContains:**/*.cap',
    ])
      assert.ok(events.includes(e), `activation event ${e}`);
    const corpus = corpusCapture(extensionPath);
    if (!corpus) this.skip();
    const capture = vscode.Uri.file(path.join(root().fsPath, 'shown-as-binary.pcap'));
    fs.copyFileSync(corpus, capture.fsPath);
    const tabsOf = (input: typeof vscode.TabInputText | typeof vscode.TabInputCustom) =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof input && t.input.uri.toString() === capture.toString());
    // What the window does in its first seconds: the text editor, which finds a binary file.
    await vscode.commands.executeCommand('vscode.openWith', capture, 'default');
    await waitFor('the capture in a text editor tab', () => tabsOf(vscode.TabInputText).length === 1);
    await api.captures.reopenCaptureTabs();
    const editor = await waitFor('the rendering in a text editor', () => {
      const e = vscode.window.activeTextEditor;
      return e?.document.uri.scheme === 'packet-trace-capture' && e.document.uri.query === capture.toString()
        ? e
        : undefined;
    });
    assert.match(editor.document.getText(), /Flags \[S\.\], seq \d+, ack \d+/);
    await waitFor(
      'neither the binary tab nor the custom editor tab to be left',
      () => tabsOf(vscode.TabInputText).length === 0 && tabsOf(vscode.TabInputCustom).length === 0,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a damaged capture over 8 MiB (chunked read, past the progress threshold): every packet before the damage, then capture.damaged', async function () {
    const source = path.join(extensionPath, '..', 'shared', 'corpus', 'bulk-loss-tx', 'capture.pcap');
    if (!fs.existsSync(source)) this.skip();
    // Over 9 MiB (the client shows progress above 8 MiB and reads 1 MiB at a time): the corpus
    // capture's records again and again, then the start of one more record, cut short.
    const bytes = fs.readFileSync(source);
    const records = bytes.subarray(24);
    const copies = Math.ceil((9 * 1024 * 1024) / records.length);
    const file = path.join(root().fsPath, 'large-damaged.pcap');
    fs.writeFileSync(
      file,
      Buffer.concat([bytes.subarray(0, 24), ...Array<Buffer>(copies).fill(records), records.subarray(0, 30)]),
    );
    const cli = spawnSync(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), 'render', file], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    assert.equal(cli.status, 1, `the CLI finds the damage too: ${cli.stderr}`);
    const packets = cli.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l)).length;
    assert.ok(packets > 50_000, `${packets} packets`);
    const rendered = await vscode.commands.executeCommand<vscode.Uri>(
      'packetTrace.openCapture',
      vscode.Uri.file(file),
    );
    const doc = await vscode.workspace.openTextDocument(rendered);
    const text = doc.getText();
    assert.ok(text.startsWith(cli.stdout), 'every packet before the damage, as the CLI renders it');
    assert.match(
      text.slice(cli.stdout.length),
      new RegExp(
        `^# packet-trace: the capture is damaged after packet ${packets}: truncated capture: .+\\n$`,
      ),
    );
    const noteLine = doc.lineCount - 2;
    await waitFor(
      'capture.damaged on the note',
      () =>
        vscode.languages
          .getDiagnostics(rendered)
          .some(
            (d) => d.source === SOURCE && codeOf(d) === 'capture.damaged' && d.range.start.line === noteLine,
          ),
      60_000,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('a capture whose rendering passes packetTrace.maxFileSizeMB stops there: the packets that fit, a note, the rest unread', async function () {
    const source = path.join(extensionPath, '..', 'shared', 'corpus', 'bulk-loss-tx', 'capture.pcap');
    if (!fs.existsSync(source)) this.skip();
    const MiB = 1024 * 1024;
    const config = vscode.workspace.getConfiguration('packetTrace');
    await config.update('maxFileSizeMB', 1, vscode.ConfigurationTarget.Workspace);
    try {
      // Over 9 MiB (past the progress threshold), about 12 MB of text: twelve times the limit.
      const bytes = fs.readFileSync(source);
      const records = bytes.subarray(24);
      const copies = Math.ceil((9 * MiB) / records.length);
      const file = path.join(root().fsPath, 'large-cut.pcap');
      fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 24), ...Array<Buffer>(copies).fill(records)]));
      const size = fs.statSync(file).size;
      const cli = spawnSync(process.execPath, [path.join(extensionPath, 'dist', 'cli.js'), 'render', file], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      });
      assert.equal(cli.status, 0, cli.stderr);
      const all = cli.stdout.split('\n');
      assert.ok(cli.stdout.length > 8 * MiB, `the whole rendering is ${cli.stdout.length} characters`);

      const capture = vscode.Uri.file(file);
      const rendered = await vscode.commands.executeCommand<vscode.Uri>('packetTrace.openCapture', capture);
      const doc = await vscode.workspace.openTextDocument(rendered);
      const text = doc.getText();
      assert.ok(text.endsWith('\n'));
      const lines = text.slice(0, -1).split('\n');
      const note = lines.pop()!;
      const m =
        /^# packet-trace: the rendering stops after packet (\d+): (\d+\.\d) MB of text is the most packetTrace\.maxFileSizeMB \(1\) allows; for all of it, run `packet-trace render large-cut\.pcap > large-cut\.trace` or raise packetTrace\.maxFileSizeMB$/.exec(
          note,
        );
      assert.ok(m, `the last line is the note: ${note}`);
      const packets = Number(m[1]);
      assert.equal(lines.length, packets, 'one line per packet before the note');
      // One line per packet in the CLI's rendering too, so its first lines are the first packets.
      assert.ok(all.slice(0, packets + 1).every((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l)));
      const shown = all.slice(0, packets).join('\n') + '\n';
      assert.ok(
        text === shown + note + '\n',
        'the packets before the note are what packet-trace render prints',
      );
      // Cut at the limit, not before: the next packet would not have fit (the limit less room for the note).
      assert.ok(text.length <= MiB, `the rendering, note included, is within the limit: ${text.length}`);
      assert.ok(shown.length + all[packets]!.length + 1 > MiB - 1024, 'the next packet would not fit');
      assert.equal(m[2], (shown.length / MiB).toFixed(1));

      // The capture was read only as far as the cut (1 MiB chunks), not to its end.
      const r = api.captures.rendering(capture);
      assert.ok(r, 'the rendering is recorded');
      assert.deepEqual(r.cut, { limitMB: 1, bySetting: true });
      assert.equal(r.packets, packets);
      assert.equal(r.size, size);
      assert.ok(r.bytesRead > 0 && r.bytesRead <= 2 * MiB, `read ${r.bytesRead} of ${size} bytes`);

      // The server analyses all of it and says on the note's line that the rest is not shown: one
      // file.too-large there (the rendering itself is within packetTrace.maxFileSizeMB).
      await waitFor(
        'the diagnostics of the rendering',
        () => codes(rendered).includes('file.too-large'),
        60_000,
      );
      const notes = ours(rendered).filter((d) => codeOf(d) === 'file.too-large');
      assert.equal(notes.length, 1, 'one file.too-large');
      assert.equal(notes[0]!.range.start.line, text.split('\n').length - 2, 'on the note line');
      assert.equal(notes[0]!.severity, vscode.DiagnosticSeverity.Information);
      assert.match(
        notes[0]!.message,
        /^only part of the capture is shown: the rendering stops after packet \d+/,
      );
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      await config.update('maxFileSizeMB', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
