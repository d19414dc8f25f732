import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeError, main } from '../../src/cli/main.js';
import type { CommandContext } from '../../src/cli/command.js';
import { UsageError } from '../../src/errors.js';

function context(): { ctx: CommandContext; out: () => string } {
  let text = '';
  const stream = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
  return { ctx: { argv0: 'hclx', cwd: process.cwd(), env: {}, stdout: stream, stderr: stream, signal: new AbortController().signal }, out: () => text };
}

test('double-dash options reach the command parser (--help prints the command usage)', async () => {
  const { ctx, out } = context();
  assert.equal(await main(['migrate', '--help'], ctx), 0);
  assert.match(out(), /Usage: hclx migrate/);
  assert.match(out(), /--check/);
});

test('an unknown double-dash option is a usage error naming it', async () => {
  const { ctx } = context();
  await assert.rejects(main(['render', '--bogus', 'x', 't.pkr.hcl'], ctx), (e: unknown) => e instanceof UsageError && /bogus/.test(e.describe()));
});

test('an unknown command is a usage error listing the commands', async () => {
  const { ctx } = context();
  await assert.rejects(main(['frobnicate'], ctx), (e: unknown) => e instanceof UsageError && /render, plan, build/.test(e.describe()));
});

test('no command prints the overview and exits 2; --version prints the version', async () => {
  const a = context();
  assert.equal(await main([], a.ctx), 2);
  assert.match(a.out(), /Commands:/);
  const b = context();
  assert.equal(await main(['--version'], b.ctx), 0);
  assert.match(b.out(), /^hclx \d+\.\d+\.\d+/);
});

test('errors that are not hclx errors are reported as internal errors, exit 1, without a stack', () => {
  const { text, exitCode } = describeError(new TypeError('boom'));
  assert.equal(exitCode, 1);
  assert.match(text, /internal error: boom.*report/);
  assert.doesNotMatch(text, /\n\s+at /);
});

test('with --json a failure also ends the event stream with an error event naming the place', async () => {
  const { errorEvent, wantsJson } = await import('../../src/cli/main.js');
  assert.equal(wantsJson(['build', '--json', 't.pkr.hcl']), true);
  assert.equal(wantsJson(['build', 't.pkr.hcl']), false);
  const error = new UsageError('bad flag.', { range: { file: 't.pkr.hcl', start: { line: 3, column: 5, offset: 40 }, end: { line: 3, column: 9, offset: 44 } } });
  const event = JSON.parse(errorEvent(error, error.describe(), error.exitCode)) as Record<string, unknown>;
  assert.equal(event.event, 'error');
  assert.equal(event.code, 'E_USAGE');
  assert.equal(event.exitCode, 2);
  assert.equal(event.file, 't.pkr.hcl');
  assert.equal(event.line, 3);
  assert.match(String(event.message), /^t\.pkr\.hcl:3:5: bad flag\./);
});
