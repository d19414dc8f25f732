// How a failure is shown: the one paragraph on stderr, and with --json the closing error event.
// Shared by the CLI's top level and by commands that report several failures (render TEMPLATE...).

import { HclxError, InternalError } from '../errors.js';
import { redactSecrets } from '../log.js';

/** Formats any thrown value as the one paragraph the user sees. */
export function describeError(error: unknown): { text: string; exitCode: number } {
  if (error instanceof HclxError) return { text: error.describe(), exitCode: error.exitCode };
  const internal = new InternalError(
    `internal error: ${error instanceof Error ? error.message : String(error)}. This is a bug in hclx; please report it with the command you ran (set HCLX_LOG=debug for details).`,
  );
  return { text: internal.describe(), exitCode: internal.exitCode };
}

/** The closing `{"event":"error"}` line of a --json run that failed. */
export function errorEvent(error: unknown, text: string, exitCode: number, extra: Record<string, unknown> = {}): string {
  const code = error instanceof HclxError ? error.code : 'E_INTERNAL';
  const range = error instanceof HclxError && error.range ? { file: error.range.file, line: error.range.start.line, column: error.range.start.column } : {};
  return redactSecrets(JSON.stringify({ event: 'error', ...extra, code, exitCode, message: text, ...range, time: new Date().toISOString() }));
}
