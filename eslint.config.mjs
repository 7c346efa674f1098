import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  // server/wasm/ is AssemblyScript (scripts/build-wasm.mjs compiles it), typed by its own compiler.
  { ignores: ['node_modules/', 'dist/', 'out/', 'bin/', 'server/wasm/', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      eqeqeq: 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The core must run in a browser worker and a CLI alike: no editor, LSP or Node imports.
    files: ['server/src/trace/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['vscode', 'vscode-*', 'node:*', 'fs', 'path', 'os', 'child_process', '../*/../*'] },
      ],
      'no-console': 'error',
    },
  },
);
