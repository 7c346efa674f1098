/**
 * The server process. `--stdio` for any LSP editor (`packet-trace-lsp --stdio`), `--node-ipc` when
 * VS Code's client starts it; vscode-languageserver picks the transport from the arguments.
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
