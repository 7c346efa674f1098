/**
 * The CLI's three output forms (text, JSON, SARIF 2.1.0), built from analyses. Pure: the caller reads
 * files and writes the output.
 */
import type { TraceAnalysis } from './analyze';
import { CODES, isKnownCode } from './codes';
import type { Connection } from './model';
import type { Endpoint, Finding, Severity } from './types';

export interface FileReport {
  file: string;
  analysis: TraceAnalysis;
}

/** `IP:PORT` (IPv6 as `::1:8080`), the port as a number when tcpdump printed a service name. */
export function endpointText(e: Endpoint): string {
  return `${e.host}:${e.port ?? e.portText}`;
}

/** A connection's packets: its flows' counts (a report-only analysis keeps no list of its records). */
function packetsOf(c: Connection): number {
  return c.client.packets + c.server.packets;
}

function connectionJson(c: Connection, a: TraceAnalysis) {
  const first = a.parsed.recordList.at(c.firstRecord)!;
  const last = a.parsed.recordList.at(c.lastRecord)!;
  return {
    id: c.id,
    client: endpointText(c.client.endpoint),
    server: endpointText(c.server.endpoint),
    firstLine: first.line + 1,
    lastLine: last.line + 1,
    packets: packetsOf(c),
    handshake: c.handshake,
    teardown: c.teardown,
    zeekState: c.zeekState,
    history: c.history,
  };
}

function diagnosticJson(f: Finding) {
  return {
    line: f.span.line + 1,
    endLine: f.span.line + 1,
    column: f.span.start + 1,
    endColumn: f.span.end + 1,
    severity: f.severity,
    code: f.code,
    message: f.message,
  };
}

/** The documented JSON contract (version 1). */
export function jsonReport(files: FileReport[]): string {
  return JSON.stringify({
    version: 1,
    files: files.map(({ file, analysis }) => ({
      file,
      connections: analysis.connections.map((c) => connectionJson(c, analysis)),
      diagnostics: analysis.findings.map(diagnosticJson),
    })),
  });
}

/** Compiler-style lines: `file:line:col: severity code message`. */
export function textReport(files: FileReport[]): string {
  const out: string[] = [];
  for (const { file, analysis } of files) {
    for (const f of analysis.findings) {
      out.push(`${file}:${f.span.line + 1}:${f.span.start + 1}: ${f.severity} ${f.code} ${f.message}`);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** One line per connection, for people reading a terminal. */
export function summaryReport(files: FileReport[]): string {
  const out: string[] = [];
  for (const { file, analysis } of files) {
    for (const c of analysis.connections) {
      out.push(
        `${file}: connection ${c.id} ${endpointText(c.client.endpoint)} -> ${endpointText(c.server.endpoint)}: ` +
          `handshake ${c.handshake}, teardown ${c.teardown}, ${c.zeekState} ${c.history}, ${packetsOf(c)} packets`,
      );
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** A file path as a SARIF artifact URI reference: relative paths stay relative, characters escaped. */
function artifactUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  return encodeURI(slashed).replace(/#/g, '%23').replace(/\?/g, '%3F');
}

const SARIF_LEVEL: Record<Severity, string> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** SARIF 2.1.0, as GitHub code scanning accepts it. */
export function sarifReport(files: FileReport[], toolVersion: string): string {
  const ruleIds = Object.keys(CODES);
  const rules = ruleIds.map((id) => {
    const info = isKnownCode(id) ? CODES[id] : undefined;
    return {
      id,
      name: id.replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase()),
      shortDescription: { text: info?.summary ?? id },
      fullDescription: { text: info?.rule ?? id },
      defaultConfiguration: { level: SARIF_LEVEL[info?.severity ?? 'warning'] },
    };
  });
  const region = (span: Finding['span']) => ({
    startLine: span.line + 1,
    startColumn: span.start + 1,
    endLine: span.line + 1,
    endColumn: span.end + 1,
  });
  const results = files.flatMap(({ file, analysis }) =>
    analysis.findings.map((f) => ({
      ruleId: f.code,
      ruleIndex: Math.max(0, ruleIds.indexOf(f.code)),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        { physicalLocation: { artifactLocation: { uri: artifactUri(file) }, region: region(f.span) } },
      ],
      relatedLocations: f.related.map((r, i) => ({
        id: i + 1,
        message: { text: r.message },
        physicalLocation: { artifactLocation: { uri: artifactUri(file) }, region: region(r.span) },
      })),
    })),
  );
  return JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'packet-trace',
              version: toolVersion,
              informationUri: 'https://github.com/packet-trace/packet-trace-annotator',
              rules,
            },
          },
          results,
        },
      ],
    },
    null,
    1,
  );
}
