// The client side of the webview boundary, without a browser: every message from the webview is
// validated (unknown types and bad line numbers are dropped), persisted state is checked before it
// is trusted, and the page carries the strict CSP with a fresh nonce.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, ladderPage, makeNonce } from '../../client/src/ladder/html';
import { validateFromWebview, validatePersistedState } from '../../client/src/ladder/validate';
import { DEFAULT_TOGGLES } from '../../protocol/webview';

describe('messages from the webview', () => {
  test('well-formed messages pass, rebuilt without extra fields', () => {
    assert.deepEqual(validateFromWebview({ type: 'ready', extra: 1 }, 10), { type: 'ready' });
    assert.deepEqual(validateFromWebview({ type: 'reveal', line: 9, focus: true }, 10), {
      type: 'reveal',
      line: 9,
      focus: true,
    });
    assert.deepEqual(validateFromWebview({ type: 'reveal', line: 0 }, 10), {
      type: 'reveal',
      line: 0,
      focus: false,
    });
    assert.deepEqual(validateFromWebview({ type: 'selectConnection', connection: 0 }, 10), {
      type: 'selectConnection',
      connection: 0,
    });
    assert.deepEqual(validateFromWebview({ type: 'selected', line: null }, 10), {
      type: 'selected',
      line: null,
    });
    assert.deepEqual(
      validateFromWebview(
        { type: 'export', format: 'mermaid', destination: 'clipboard', data: 'x', rows: 1 },
        10,
      ),
      { type: 'export', format: 'mermaid', destination: 'clipboard', data: 'x', rows: 1, note: undefined },
    );
    assert.ok(
      validateFromWebview(
        {
          type: 'export',
          format: 'png',
          destination: 'file',
          data: 'data:image/png;base64,iVBORw0KGgo=',
          rows: 3,
        },
        10,
      ),
    );
    assert.ok(
      validateFromWebview(
        {
          type: 'export',
          format: 'svg',
          destination: 'file',
          data: '<?xml version="1.0"?>\n<svg xmlns="x"></svg>',
          rows: 3,
        },
        10,
      ),
    );
    assert.ok(
      validateFromWebview(
        { type: 'rendered', uri: 'file:///a.trace', version: 3, connection: 1, arrows: 10, rows: 4 },
        10,
      ),
    );
  });

  test('unknown types, bad lines and bad payloads are dropped', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'reveal',
      42,
      [],
      {},
      { type: 'open', path: '/etc/passwd' },
      { type: 'constructor' },
      { type: '__proto__' },
      { type: 'reveal' },
      { type: 'reveal', line: -1 },
      { type: 'reveal', line: 10 },
      { type: 'reveal', line: 1.5 },
      { type: 'reveal', line: '3' },
      { type: 'reveal', line: Number.NaN },
      { type: 'reveal', line: 3, focus: 'yes' },
      { type: 'selectConnection', connection: -2 },
      { type: 'selectConnection', connection: '1' },
      { type: 'selected', line: -1 },
      { type: 'export', format: 'html', destination: 'file', data: '<b>', rows: 1 },
      { type: 'export', format: 'text', destination: 'disk', data: 'x', rows: 1 },
      { type: 'export', format: 'text', destination: 'file', data: 'x', rows: 1 },
      { type: 'export', format: 'svg', destination: 'clipboard', data: '<svg></svg>', rows: 1 },
      { type: 'export', format: 'svg', destination: 'file', data: '<html><script>x</script>', rows: 1 },
      {
        type: 'export',
        format: 'png',
        destination: 'file',
        data: 'data:text/html;base64,PHNjcmlwdD4=',
        rows: 1,
      },
      {
        type: 'export',
        format: 'png',
        destination: 'file',
        data: 'data:image/png;base64,AA==<script>',
        rows: 1,
      },
      { type: 'export', format: 'mermaid', destination: 'editor', data: 5, rows: 1 },
      { type: 'rendered', uri: 5, version: 1, connection: 1, arrows: 1, rows: 1 },
      { type: 'error' },
    ];
    for (const m of bad) assert.equal(validateFromWebview(m, 10), undefined, JSON.stringify(m));
  });
});

describe('persisted state', () => {
  test('version 1 with identifiers is kept; anything else is dropped', () => {
    const ok = validatePersistedState({
      v: 1,
      uri: 'file:///w/a.trace',
      connection: 2,
      scrollTop: 120,
      selectedLine: 7,
      toggles: { absolute: true, bogus: 1 },
      expanded: [3, 'x', 9],
      diagram: '<svg>',
    });
    assert.deepEqual(ok, {
      v: 1,
      uri: 'file:///w/a.trace',
      connection: 2,
      scrollTop: 120,
      selectedLine: 7,
      toggles: { ...DEFAULT_TOGGLES, absolute: true },
      expanded: [3, 9],
    });
    for (const s of [
      null,
      {},
      { v: 2, uri: 'file:///a', connection: 1 },
      { v: 1, uri: 'no scheme', connection: 1 },
      { v: 1, uri: 'file:///a', connection: -1 },
    ])
      assert.equal(validatePersistedState(s), undefined, JSON.stringify(s));
  });
});

describe('the page', () => {
  test('strict CSP: nonce script only, styles from the extension, images from it or data:', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
    assert.notEqual(makeNonce(), nonce);
    const csp = contentSecurityPolicy('https://x.vscode-resource', nonce);
    assert.equal(
      csp,
      `default-src 'none'; img-src https://x.vscode-resource data:; style-src https://x.vscode-resource; script-src 'nonce-${nonce}'`,
    );
    assert.doesNotMatch(csp, /unsafe/);
    const page = ladderPage({
      cspSource: 'https://x.vscode-resource',
      scriptUri: 'https://x/dist/webview/webview.js',
      styleUri: 'https://x/dist/webview/webview.css',
      nonce,
    });
    assert.ok(
      page.includes(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/'/g, "'")}">`),
    );
    assert.equal((page.match(/<script/g) ?? []).length, 1);
    assert.ok(page.includes(`<script nonce="${nonce}" src="https://x/dist/webview/webview.js"></script>`));
    assert.doesNotMatch(page, /style=|<style|onload|onerror/);
    assert.throws(() => ladderPage({ cspSource: 'x', scriptUri: 'y', styleUri: 'z', nonce: '"><script>' }));
  });
});
