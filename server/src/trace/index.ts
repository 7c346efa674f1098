/**
 * The pure trace core: no editor, LSP or Node imports, so it runs in the language server, the CLI and
 * a browser worker alike.
 */
export { analyzeTrace, completeAnalysis, type AnalyzeOptions, type TraceAnalysis } from './analyze';
export { CODES, isKnownCode, type CodeInfo, type DiagnosticCode } from './codes';
export type { Connection, Flow, Segment, TcpState, HandshakeVerdict, TeardownVerdict } from './model';
export { A as AnalysisBits } from './model';
export { parseTrace, splitLines, detectBinaryCapture, type ParsedTrace } from './parser';
export { OFFLOAD_SEND } from './packetLine';
export {
  commandOptions,
  isCodeFence,
  readTcpdumpMessage,
  type CommandOption,
  type CountWhat,
  type TcpdumpMessage,
} from './pastedText';
export { decodeText, detectUtf16, judgeNotText, type NotText, type Utf16Guess } from './textEncoding';
export * from './types';
export { endpointText } from './report';
export { jsonReport, textReport, sarifReport, type FileReport } from './report';
