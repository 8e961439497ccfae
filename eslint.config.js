/** @module ESLint flat config: type-aware typescript-eslint rules over the packages, tests, benchmarks, examples and scripts. */
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'test/fixtures/**', '.cache/**', 'coverage/**'],
  },
  {
    // A disable comment that no longer silences anything is itself a finding, so stale justifications do not pile up.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,

  // TypeScript, shipped code and the rest alike: the type-aware recommended set with the types of tsconfig.json.
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // The project service reads tsconfig.json once for all files (fast); the tsup configs are outside its `include`.
        projectService: { allowDefaultProject: ['tsup.config.base.ts', 'packages/*/tsup.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits or catches is an unhandled rejection waiting to crash the process; `void p` says "on purpose".
      // node:test's test()/describe()/it() return promises that the runner itself awaits: calling them bare is the API.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // An async function passed where the callee ignores the result (event listeners, node:http handlers) loses its rejection.
      '@typescript-eslint/no-misused-promises': 'error',
      // A `switch` over a union names every member (or has a default), so adding a member shows every place to update.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Type-only imports are marked (`import type` or inline `type X`), so the emitted JavaScript never keeps an import for a type.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `_`-prefixed names are deliberately unused (positional parameters, destructuring to leave a key out).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Fastify is told "no callback" by an async plugin or handler, with or without an `await` inside; that is not a smell here.
      '@typescript-eslint/require-await': 'off',
      // Re-rejecting a caught value (`catch (e) { reject(e) }`) passes on what was thrown, whatever it is.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // TypeScript checks this with types (`noFallthroughCasesInSwitch` in tsconfig.json) and knows that a call returning `never`
      // (`fail(...)`) ends a case; the untyped ESLint rule does not and reports those cases.
      'no-fallthrough': 'off',
      // Validation code matches control characters on purpose (`/[\x00-\x1f\x7f]/` rejects them in paths and headers);
      // the rule reports exactly those escapes.
      'no-control-regex': 'off',
    },
  },

  // Tests (and their helpers): the same rules as shipped code, except these, which report what tests do on purpose.
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read `JSON.parse` bodies, Playwright's browser-side callbacks (no DOM types in tsconfig.json) and `Array(n).fill()`,
      // all `any`; the assertion that follows is the type check.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Test tables hold functions written as methods (`v.ctx`) and pass them along; none of them uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Tests turn WebSocket messages and body chunks into text with String(data) / `text += chunk`: at run time these are
      // Buffers, whose toString() is their UTF-8 text.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
    },
  },

  // Plain JavaScript (.mjs scripts, benchmark servers, this file): not in tsconfig.json, so linted without types.
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
);
