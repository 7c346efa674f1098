/**
 * `packet-trace check [--format text|json|sarif] FILE...`: the core's analysis on files, for CI.
 * Exit 0 without error-severity findings, 1 with some, 2 on usage or I/O failure.
 */
import * as fs from 'node:fs';
import { analyzeTrace, jsonReport, sarifReport, textReport, type FileReport } from './trace/index';
import { summaryReport } from './trace/report';

const VERSION = '0.1.0';
const USAGE = `usage: packet-trace check [--format text|json|sarif] [--summary] [--absolute|--relative] FILE...

Checks tcpdump text traces: parse errors, handshake and teardown problems, and Wireshark's
sequence analysis (retransmissions, lost segments, duplicate ACKs, zero windows, ...).
  --format text    file:line:col: severity code message (default)
  --format json    the JSON report (version 1)
  --format sarif   SARIF 2.1.0 for code scanning
  --summary        with text: also one line per connection (verdicts, Zeek state and history)
  --absolute       the trace was printed with -S; --relative: it was not (default: judged from the numbers)
Exit status: 0 no errors, 1 errors found, 2 usage or I/O failure.`;

function fail(message: string): never {
  // One line, whatever control characters a file name or argument carries.
  // eslint-disable-next-line no-control-regex
  process.stderr.write(`packet-trace: ${message.replace(/[\u0000-\u001f\u007f]/g, '?')}\n`);
  process.exit(2);
}

function main(argv: string[]): number {
  if (argv.length === 0)
    fail('no command given: usage: packet-trace check [--format text|json|sarif] FILE... (see --help)');
  if (
    argv[0] === '--help' ||
    argv[0] === '-h' ||
    (argv[0] === 'check' && (argv[1] === '--help' || argv[1] === '-h'))
  ) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (argv[0] !== 'check') fail(`unknown command '${argv[0]}' (expected 'check'); see --help`);
  let format = 'text';
  let summary = false;
  let absoluteNumbers: boolean | undefined;
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--format' || a === '-f') {
      const v = argv[++i];
      if (v !== 'text' && v !== 'json' && v !== 'sarif') {
        fail(`--format takes text, json or sarif, not '${v ?? ''}'`);
      }
      format = v;
    } else if (a.startsWith('--format=')) {
      const v = a.slice(9);
      if (v !== 'text' && v !== 'json' && v !== 'sarif') {
        fail(`--format takes text, json or sarif, not '${v}'`);
      }
      format = v;
    } else if (a === '--summary') summary = true;
    else if (a === '--absolute') absoluteNumbers = true;
    else if (a === '--relative') absoluteNumbers = false;
    else if (a === '--') {
      files.push(...argv.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') fail(`unknown option '${a}'; see --help`);
    else files.push(a);
  }
  if (files.length === 0) fail('no FILE given; see --help');
  const reports: FileReport[] = [];
  for (const file of files) {
    let text: string;
    try {
      if (file !== '-' && fs.statSync(file).isDirectory()) fail(`${file}: is a directory`);
      text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      fail(
        `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message}`,
      );
    }
    reports.push({ file, analysis: analyzeTrace(text, { absoluteNumbers }) });
  }
  const out =
    format === 'json'
      ? `${jsonReport(reports)}\n`
      : format === 'sarif'
        ? `${sarifReport(reports, VERSION)}\n`
        : textReport(reports) + (summary ? summaryReport(reports) : '');
  process.stdout.write(out);
  return reports.some((r) => r.analysis.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}

// `packet-trace check big.trace | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = main(process.argv.slice(2));
