/**
 * One language server for a whole test file, with its traces open: the file's `before` hook starts the
 * server and opens each trace (waiting for its diagnostics), the `after` hook shuts it down.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { LspClient, fileUri, readTrace, splitLines, stopAll } from './lspClient';

export interface OpenedTrace {
  uri: string;
  lines: string[];
}

export interface LspSession {
  /** The running server's client (from the `before` hook on). */
  readonly client: LspClient;
  /** An opened trace, by the path it was opened from. */
  doc(rel: string): OpenedTrace;
  /** The URI an opened trace has in the server. */
  uriOf(rel: string): string;
}

/**
 * Registers the hooks (call it at the top of a test file): each of `files` (paths for readTrace) is
 * opened as `file:///<dir>/<path>`.
 */
export function lspSession(dir: string, files: readonly string[]): LspSession {
  let client: LspClient | undefined;
  const docs = new Map<string, OpenedTrace>();

  before(async () => {
    client = await LspClient.start();
    for (const rel of files) {
      const uri = fileUri(`/${dir}/${rel}`);
      const text = readTrace(rel);
      await client.openAndWait(uri, text);
      docs.set(rel, { uri, lines: splitLines(text) });
    }
  });

  after(async () => {
    try {
      await client!.shutdown();
    } finally {
      await stopAll();
    }
  });

  const doc = (rel: string): OpenedTrace => {
    const d = docs.get(rel);
    assert.ok(d, `${rel} opened`);
    return d;
  };
  return {
    get client() {
      assert.ok(client, 'the server started');
      return client;
    },
    doc,
    uriOf: (rel) => doc(rel).uri,
  };
}
