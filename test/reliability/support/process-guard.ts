/** @module Fails a test file when anything escapes as an uncaught exception, an unhandled rejection or an error-level log line. */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';

export interface ProcessGuard {
  /** Everything that escaped so far (errors and unhandled rejections), with where it came from. */
  readonly escaped: string[];
  /** A logger whose `error` calls are recorded as escapes (for attachStateLogger and the like). */
  readonly logger: { info(msg: string): void; warn(msg: string): void; error(msg: string): void };
  assertClean(): void;
}

/**
 * Installs process-level listeners for the whole file (`before`) and asserts in `after` that
 * nothing escaped. While installed, an uncaught exception does not kill the process: it is
 * recorded, so the suite reports it instead of dying half-way.
 */
export function guardProcess(): ProcessGuard {
  const escaped: string[] = [];
  const onError = (err: unknown): void => {
    escaped.push(`uncaughtException: ${describe(err)}`);
  };
  const onRejection = (reason: unknown): void => {
    escaped.push(`unhandledRejection: ${describe(reason)}`);
  };
  const guard: ProcessGuard = {
    escaped,
    logger: {
      info: () => undefined,
      warn: () => undefined,
      error: (msg) => escaped.push(`logged error: ${msg}`),
    },
    assertClean() {
      assert.deepEqual(escaped, [], 'nothing may escape as an uncaught exception, unhandled rejection or error log');
    },
  };
  before(() => {
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onRejection);
  });
  after(() => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onRejection);
    guard.assertClean();
  });
  return guard;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`;
  return String(err);
}
