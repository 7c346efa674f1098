/**
 * The ladder webview in a real Chromium (playwright-core with Debian's /usr/bin/chromium, never a
 * downloaded browser): the BUILT dist/webview/webview.js and dist/webview/webview.css inside the page
 * the client builds (client/src/ladder/html.ts, same CSP, nonce and bundle paths), served from a fake
 * origin standing for the extension's root, with a stand-in
 * for `acquireVsCodeApi` that records what the webview posts. Models come from the server's own code
 * (ladderModel on a TraceIndex), as the language server would send them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ladderPage,
  ladderWebviewResources,
  makeNonce,
  WEBVIEW_BUNDLE_DIR,
  WEBVIEW_SCRIPT,
  WEBVIEW_STYLE,
} from '../../client/src/ladder/html';
import type { LadderModel, LadderParams } from '../../protocol/lsp';
import { encodeModel, type FromWebview, type ToWebview } from '../../protocol/webview';
import { CHROMIUM, launchOptions } from '../../scripts/chromium.mjs';
import { ladderModel } from '../../server/src/features/ladder';
import { TraceIndex } from '../../server/src/features/traceIndex';
import { analyzeTrace } from '../../server/src/trace/index';

/** The repository (this file runs from out/test/webview/). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CORPUS = path.join(REPO, '..', 'shared', 'corpus');
export const ORIGIN = 'https://ladder.test';
/** The built webview bundle's folder (dist/webview/). */
export const BUNDLE = path.join(REPO, ...WEBVIEW_BUNDLE_DIR);
/** The script and stylesheet URLs, as the panel derives them (the fake origin is the extension's root). */
const RESOURCES = ladderWebviewResources(ORIGIN, (base, ...segments) => [base, ...segments].join('/'));

/** Why the webview tests cannot run here, or undefined. */
export function skipReason(): string | undefined {
  if (!fs.existsSync(CHROMIUM))
    return `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`;
  if (!fs.existsSync(path.join(BUNDLE, WEBVIEW_SCRIPT)) || !fs.existsSync(path.join(BUNDLE, WEBVIEW_STYLE)))
    return `${path.relative(REPO, BUNDLE)}/${WEBVIEW_SCRIPT} or ${WEBVIEW_STYLE} is missing: run \`node esbuild.mjs\` first`;
  return undefined;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'ladder-chromium-'));
  const browser = await chromium.launch(launchOptions(CHROMIUM, xdg));
  browser.on('disconnected', () => fs.rmSync(xdg, { recursive: true, force: true }));
  return browser;
}

/**
 * The browser of a test file: launched before its tests unless `skip` (a skipReason()) says why they
 * cannot run, closed after them. Call the returned function inside the tests.
 */
export function browserForTests(skip: string | undefined): () => Browser {
  let browser: Browser;
  before(async () => {
    if (!skip) browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/** A dark theme's variables, as VS Code sets them on the webview's <html> (a subset). */
export const THEME_DARK = `:root {
  --vscode-font-family: "DejaVu Sans", sans-serif; --vscode-font-size: 13px;
  --vscode-editor-font-family: "DejaVu Sans Mono", monospace;
  --vscode-foreground: #cccccc; --vscode-editor-foreground: #d4d4d4; --vscode-editor-background: #1e1e1e;
  --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f48771;
  --vscode-editorWarning-foreground: #cca700; --vscode-editorInfo-foreground: #3794ff;
  --vscode-charts-purple: #b180d7; --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616;
  --vscode-charts-red: #f14c4c; --vscode-badge-background: #4d4d4d; --vscode-badge-foreground: #ffffff;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-list-activeSelectionBackground: #04395e;
  --vscode-list-inactiveSelectionBackground: #37373d; --vscode-focusBorder: #007fd4;
  --vscode-textLink-foreground: #3794ff; --vscode-editorLineNumber-foreground: #858585;
  --vscode-button-background: #0e639c; --vscode-button-foreground: #ffffff;
  --vscode-button-secondaryBackground: #3a3d41; --vscode-button-secondaryForeground: #cccccc;
  --vscode-dropdown-background: #3c3c3c; --vscode-dropdown-foreground: #f0f0f0;
  --vscode-editorWidget-background: #252526; --vscode-editorWidget-border: #454545;
  --vscode-editorHoverWidget-background: #252526; --vscode-editorHoverWidget-foreground: #cccccc;
  --vscode-editorHoverWidget-border: #454545; --vscode-panel-border: #80808059;
  --vscode-textPreformat-foreground: #d7ba7d; --vscode-textCodeBlock-background: #0a0a0a66;
}
`;

/** The page's stand-in for VS Code's webview API: records posts, keeps the state. */
function initScript(state: unknown): string {
  return `(() => {
  const posted = [];
  let state = ${JSON.stringify(state ?? null)};
  window.__posted = posted;
  window.__violations = [];
  window.__getState = () => state;
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (m) => posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => state,
      setState: (s) => { state = JSON.parse(JSON.stringify(s)); },
    };
  };
})();`;
}

export interface LadderPage {
  page: Page;
  context: BrowserContext;
  /** Requests the page made beyond the page, script and stylesheet (must stay empty). */
  strayRequests: string[];
  posted(): Promise<FromWebview[]>;
  send(message: ToWebview): Promise<void>;
  /** How many messages were posted so far (for `since`). */
  mark(): Promise<number>;
  /** The first message of this type matching `predicate` posted after index `since`, waiting for it. */
  waitFor<T extends FromWebview['type']>(
    type: T,
    predicate?: (m: Extract<FromWebview, { type: T }>) => boolean,
    since?: number,
    timeoutMs?: number,
  ): Promise<Extract<FromWebview, { type: T }>>;
  /** Sends a model and waits until it is drawn. */
  show(model: LadderModel, cursorLine?: number): Promise<Extract<FromWebview, { type: 'rendered' }>>;
  close(): Promise<void>;
}

export async function openLadder(
  browser: Browser,
  options: { state?: unknown; width?: number; height?: number; theme?: string } = {},
): Promise<LadderPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
  });
  const page = await context.newPage();
  const strayRequests: string[] = [];
  const nonce = makeNonce();
  const html = ladderPage({
    cspSource: ORIGIN,
    scriptUri: RESOURCES.script,
    styleUri: RESOURCES.style,
    nonce,
  });
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url === `${ORIGIN}/index.html`)
      return route.fulfill({ contentType: 'text/html; charset=utf-8', body: html });
    if (url === RESOURCES.script)
      return route.fulfill({
        contentType: 'text/javascript',
        body: fs.readFileSync(path.join(BUNDLE, WEBVIEW_SCRIPT)),
      });
    if (url === RESOURCES.style)
      return route.fulfill({
        contentType: 'text/css',
        body: (options.theme ?? THEME_DARK) + fs.readFileSync(path.join(BUNDLE, WEBVIEW_STYLE), 'utf8'),
      });
    strayRequests.push(url);
    return route.abort();
  });
  await page.addInitScript({ content: initScript(options.state) });
  await page.goto(`${ORIGIN}/index.html`);
  const posted = () => page.evaluate('window.__posted') as Promise<FromWebview[]>;
  const waitFor = async <T extends FromWebview['type']>(
    type: T,
    predicate?: (m: Extract<FromWebview, { type: T }>) => boolean,
    since = 0,
    timeoutMs = 10_000,
  ): Promise<Extract<FromWebview, { type: T }>> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = (await posted()).slice(since);
      const hit = all.find(
        (m): m is Extract<FromWebview, { type: T }> =>
          m.type === type && (!predicate || predicate(m as Extract<FromWebview, { type: T }>)),
      );
      if (hit) return hit;
      if (Date.now() > deadline)
        throw new Error(
          `no '${type}' message within ${timeoutMs} ms; posted: ${JSON.stringify(all).slice(0, 600)}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await waitFor('ready');
  const send = async (message: ToWebview) => {
    await page.evaluate(
      (m) => (globalThis as unknown as { postMessage(x: unknown, o: string): void }).postMessage(m, '*'),
      message,
    );
  };
  return {
    page,
    context,
    strayRequests,
    posted,
    send,
    waitFor,
    mark: async () => (await posted()).length,
    async show(model, cursorLine) {
      const before = (await posted()).length;
      await send({ type: 'model', model: encodeModel(model), cursorLine });
      const deadline = Date.now() + 10_000;
      for (;;) {
        const all = await posted();
        const hit = all
          .slice(before)
          .find((m): m is Extract<FromWebview, { type: 'rendered' }> => m.type === 'rendered');
        if (hit) return hit;
        if (Date.now() > deadline)
          throw new Error(`the model was not drawn: ${JSON.stringify(all.slice(before))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => context.close(),
  };
}

/** The model the language server would send for a trace text. */
export function modelOfText(
  text: string,
  params: Omit<LadderParams, 'uri'> = {},
  uri = 'file:///traces/test.trace',
): LadderModel {
  const index = new TraceIndex(analyzeTrace(text), uri, 1);
  return ladderModel(index, { uri, ...params });
}

/** The model of a corpus trace (`http-get-fin/nn.trace`), connection at line 0 unless told. */
export function corpusModel(rel: string, params: Omit<LadderParams, 'uri'> = { line: 0 }): LadderModel {
  const file = path.join(CORPUS, rel);
  return modelOfText(fs.readFileSync(file, 'utf8'), params, `file:///corpus/${rel}`);
}

export function exampleModel(name: string, params: Omit<LadderParams, 'uri'> = {}): LadderModel {
  const file = path.join(REPO, 'examples', name);
  return modelOfText(fs.readFileSync(file, 'utf8'), params, `file:///examples/${name}`);
}

/** Screenshots of the webview tests, for people to look at. */
export function shotPath(name: string): string {
  const dir = path.join(REPO, 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
