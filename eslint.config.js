// The house rules, each with the reason a reviewer would give. npm test runs this
// (npm run lint) before the tests. The layer rule itself is checked on every import by
// test/unit/dependency-rule.test.ts and the per-layer tsconfigs; the rules here give
// the same refusals a message at the line that breaks them.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeOnly = {
  group: ['node:*', 'fs', 'net', 'dgram', 'path', 'os', 'child_process', 'http', 'crypto', 'ws', 'serialport', '@serialport/*'],
  message: 'Node-only module: shared/ runs in the browser too and renderer/ never touches Node (docs/ARCHITECTURE.md, Layers).',
};
const appLayer = { regex: '^(\\.\\./)+app/', message: 'Nothing imports app/: it is the composition root (docs/ARCHITECTURE.md, Layers).' };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.bench/', 'test-results/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-warning-comments': ['error', { terms: ['todo', 'fixme', 'xxx'], location: 'start' }],
      'no-debugger': 'error',
    },
  },
  {
    files: ['main/**/*.ts', 'shared/**/*.ts'],
    rules: {
      // A link's guard around a handler that threw (a bug in the engine) may still say so on stderr.
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // Device protocols are made of control characters (NUL terminators, ESC, C0 ranges).
    files: ['main/protocols/**/*.ts', 'shared/api/dcs.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'The engine is plain Node: only app/electron talks to Electron.' },
          { name: 'react', message: 'The engine has no UI: React belongs in renderer/.' },
          { name: 'react-dom', message: 'The engine has no UI: React belongs in renderer/.' },
        ],
        patterns: [appLayer, { group: ['**/renderer/*'], message: 'The engine never imports the UI: share through shared/.' }],
      }],
    },
  },
  {
    files: ['main/telemetry/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[object.name='JSON']",
        message: 'The telemetry path carries no JSON per sample: binary frames only (docs/ARCHITECTURE.md, The telemetry path).',
      }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'react', message: 'shared/ is for every runtime: no UI code.' }],
        patterns: [nodeOnly, appLayer, { group: ['**/main/*', '**/renderer/*'], message: 'shared/ imports only shared/.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': ['error', {
        patterns: [nodeOnly, appLayer, { group: ['**/main/*'], message: 'The UI reaches the engine only through the API (shared/client), never by importing it.' }],
      }],
    },
  },
  {
    files: ['test/**/*.{ts,tsx}', 'scripts/**/*.mjs', 'app/**/*.ts', '*.config.{js,ts}'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
