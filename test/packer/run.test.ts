import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import type { PackerFlag } from '../../src/packer/flags.js';
import { InterruptedError, ToolError } from '../../src/errors.js';
import { parsePackerErrors } from '../../src/packer/errors.js';
import { findOnPath } from '../../src/packer/locate.js';
import { exitCodeOf, packerArgv, runPacker, signalForwarding, type RunPackerOptions } from '../../src/packer/run.js';

const FAKE = resolve('fixtures/packer/fake-packer/packer');
const TEMPLATES = resolve('fixtures/packer/templates');
const tmp = mkdtempSync(join(tmpdir(), 'hclx-run-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const realPacker = findOnPath('packer', process.env, process.cwd());

/** A stream that keeps what it gets and can wait (bounded) for a text to arrive. */
class Sink extends Writable {
  text = '';
  private waiters: Array<{ needle: string; resolve: () => void }> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.waiters = this.waiters.filter((w) => (this.text.includes(w.needle) ? (w.resolve(), false) : true));
    done();
  }
  until(needle: string, ms = 10_000): Promise<void> {
    if (this.text.includes(needle)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`'${needle}' did not arrive; got: ${this.text}`)), ms);
      this.waiters.push({ needle, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

let logs = 0;
function fake(env: Record<string, string> = {}, overrides: Partial<RunPackerOptions> = {}) {
  const log = join(tmp, `signals-${++logs}.log`);
  writeFileSync(log, '');
  const controller = new AbortController();
  const stdout = new Sink();
  const stderr = new Sink();
  const options: RunPackerOptions = {
    packer: { path: FAKE },
    command: 'build',
    flags: [],
    template: 'x.pkr.hcl',
    cwd: tmp,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', FAKE_PACKER_LOG: log, ...env },
    signal: controller.signal,
    stdout,
    stderr,
    interactive: false,
    ...overrides,
  };
  return { options, controller, stdout, stderr, log: () => readFileSync(log, 'utf8') };
}
const flag = (tokens: string[], name: string, value?: string): PackerFlag => ({ name, value, tokens });

describe('packerArgv', () => {
  it('puts the flags, token for token, before the template path', () => {
    const flags = [flag(['-var', 'a=b c'], 'var', 'a=b c'), flag(['-var-file=x.pkrvars.hcl'], 'var-file', 'x.pkrvars.hcl'), flag(['-force'], 'force'), flag(['-only=web.*,db.*'], 'only', 'web.*,db.*')];
    assert.deepEqual(packerArgv('build', flags, 'dir/t.pkr.hcl'), ['build', '-var', 'a=b c', '-var-file=x.pkrvars.hcl', '-force', '-only=web.*,db.*', 'dir/t.pkr.hcl']);
    assert.deepEqual(packerArgv('validate', [], '.'), ['validate', '.']);
  });
  it('keeps a template named like a flag from being read as one', () => {
    assert.deepEqual(packerArgv('build', [], '-weird.pkr.hcl'), ['build', './-weird.pkr.hcl']);
  });
});

describe('signalForwarding', () => {
  it('leaves a terminal Ctrl-C to the terminal, which already delivered it to Packer', () => {
    assert.equal(signalForwarding('SIGINT', true), undefined);
  });
  it("sends SIGINT to Packer's process group off-terminal, as a terminal would", () => {
    assert.deepEqual(signalForwarding('SIGINT', false), { signal: 'SIGINT', to: 'group' });
  });
  it("sends SIGTERM to Packer's main process, which passes it on (both modes), also for an abort from code", () => {
    assert.deepEqual(signalForwarding('SIGTERM', true), { signal: 'SIGTERM', to: 'process' });
    assert.deepEqual(signalForwarding('SIGTERM', false), { signal: 'SIGTERM', to: 'process' });
    assert.deepEqual(signalForwarding(new Error('stop'), false), { signal: 'SIGTERM', to: 'process' });
  });
});

describe('exitCodeOf', () => {
  it('passes an exit code through and maps a killing signal to 128+n', () => {
    assert.equal(exitCodeOf(0, null), 0);
    assert.equal(exitCodeOf(1, null), 1);
    assert.equal(exitCodeOf(null, 'SIGINT'), 130);
    assert.equal(exitCodeOf(null, 'SIGTERM'), 143);
    assert.equal(exitCodeOf(null, 'SIGKILL'), 137);
  });
});

describe('runPacker with a stand-in Packer', () => {
  it('passes the arguments verbatim and streams stdout and stderr while Packer still runs', async () => {
    const f = fake({}, { flags: [flag(['-var', 'name=a b'], 'var', 'name=a b'), flag(['-machine-readable'], 'machine-readable')] });
    const running = runPacker(f.options);
    let ended = false;
    void running.then(() => (ended = true));
    await f.stdout.until('ready');
    await f.stderr.until('to stderr');
    assert.equal(ended, false, 'output arrived before Packer ended');
    assert.match(f.stdout.text, /arg\[build\]\narg\[-var\]\narg\[name=a b\]\narg\[-machine-readable\]\narg\[x\.pkr\.hcl\]\n/);
    f.controller.abort('SIGTERM');
    assert.equal((await running).exitCode, 1);
  });

  it('passes the exit code through', async () => {
    for (const code of ['0', '1', '5']) {
      const f = fake({ FAKE_PACKER_EXIT_NOW: code });
      assert.deepEqual(await runPacker(f.options), { exitCode: Number(code) });
    }
  });

  it('returns 128+n when a signal killed Packer', async () => {
    const f = fake({ FAKE_PACKER_KILL_SELF: 'TERM' });
    assert.deepEqual(await runPacker(f.options), { exitCode: 143, signal: 'SIGTERM' });
  });

  it('off-terminal: forwards SIGINT once, waits for the cleanup, returns Packer\'s code', async () => {
    const f = fake({ FAKE_PACKER_EXIT: '7', FAKE_PACKER_CLEANUP: '0.3' });
    const running = runPacker(f.options);
    await f.stdout.until('ready');
    f.controller.abort('SIGINT');
    const result = await running;
    // Read when runPacker returned: the cleanup had finished by then.
    assert.equal(f.log(), 'got INT\ncleaned up\n');
    assert.match(f.stdout.text, /cleanup done\n$/);
    assert.deepEqual(result, { exitCode: 7, interrupted: { reason: 'SIGINT', forwarded: { signal: 'SIGINT', to: 'group' } } });
  });

  it('forwards SIGTERM once to Packer', async () => {
    const f = fake({ FAKE_PACKER_EXIT: '1' });
    const running = runPacker(f.options);
    await f.stdout.until('ready');
    f.controller.abort('SIGTERM');
    const result = await running;
    assert.equal(f.log(), 'got TERM\ncleaned up\n');
    assert.deepEqual(result, { exitCode: 1, interrupted: { reason: 'SIGTERM', forwarded: { signal: 'SIGTERM', to: 'process' } } });
  });

  it('on a terminal: does not forward Ctrl-C, so Packer sees the terminal\'s SIGINT exactly once', async () => {
    const f = fake({ FAKE_PACKER_EXIT: '1' }, { interactive: true });
    let pid = 0;
    const running = runPacker({ ...f.options, onSpawn: (p) => (pid = p) });
    await f.stdout.until('ready');
    f.controller.abort('SIGINT');
    // What the terminal does on Ctrl-C: Packer gets SIGINT directly (here: only Packer, not the test runner).
    process.kill(pid, 'SIGINT');
    const result = await running;
    assert.equal(f.log(), 'got INT\ncleaned up\n');
    assert.deepEqual(result, { exitCode: 1, interrupted: { reason: 'SIGINT' } });
  });

  it('on a terminal: forwards SIGTERM (sent to hclx alone by `kill`)', async () => {
    const f = fake({ FAKE_PACKER_EXIT: '2' }, { interactive: true });
    const running = runPacker(f.options);
    await f.stdout.until('ready');
    f.controller.abort('SIGTERM');
    assert.equal((await running).exitCode, 2);
    assert.equal(f.log(), 'got TERM\ncleaned up\n');
  });

  it('kills Packer at once when escalated after a signal it does not act on', async () => {
    const escalate = new AbortController();
    const f = fake({ FAKE_PACKER_IGNORE: '1' }, { escalate: escalate.signal });
    const running = runPacker(f.options);
    await f.stdout.until('ready');
    f.controller.abort('SIGINT');
    await f.stdout.until('got INT');
    escalate.abort();
    const result = await running;
    assert.equal(result.exitCode, 137, `${f.stdout.text}\n--log--\n${f.log()}`);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(f.log(), 'got INT\n');
  });

  it('kills Packer when hclx exits while it runs (a second Ctrl-C in main)', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/packer/support/exit-while-packer-runs.ts', FAKE], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 130, child.stderr);
    const pid = Number(child.stdout.trim());
    assert.ok(pid > 0, child.stdout);
    // The stand-in ignores SIGINT; only SIGKILL from the exit hook ends it. Allow the kernel a moment to reap it.
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) spawnSync('sleep', ['0.05']);
    assert.equal(alive(), false, `fake packer ${pid} outlived hclx`);
  });

  it('does not start Packer when already interrupted', async () => {
    const f = fake({ FAKE_PACKER_EXIT_NOW: '0' });
    f.controller.abort('SIGINT');
    await assert.rejects(runPacker(f.options), (e: unknown) => e instanceof InterruptedError && e.exitCode === 130);
    assert.equal(f.stdout.text, '');
  });

  it('throws a ToolError when Packer cannot be started', async () => {
    const notExecutable = join(tmp, 'packer-noexec');
    writeFileSync(notExecutable, '#!/bin/sh\n');
    chmodSync(notExecutable, 0o644);
    for (const [path, why] of [
      [join(tmp, 'missing', 'packer'), /no such file/],
      [notExecutable, /permission denied/],
    ] as const) {
      const f = fake({}, { packer: { path } });
      await assert.rejects(runPacker(f.options), (e: unknown) => e instanceof ToolError && e.code === 'E_PACKER_SPAWN' && why.test(e.message));
    }
  });
});

describe('runPacker with the real Packer', { skip: !realPacker && 'packer is not installed' }, () => {
  const real = (template: string, flags: PackerFlag[] = []) => {
    const stdout = new Sink();
    const stderr = new Sink();
    const options: RunPackerOptions = {
      packer: { path: realPacker! },
      command: 'build',
      flags,
      template,
      cwd: TEMPLATES,
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      signal: new AbortController().signal,
      stdout,
      stderr,
      interactive: false,
      captureStdout: true,
    };
    return { options, stdout };
  };

  it('passes through exit 1 of a failing build, with the error on stdout', async () => {
    const r = real('build-fails.pkr.hcl', [flag(['-color=false'], 'color', 'false')]);
    const result = await runPacker(r.options);
    assert.equal(result.exitCode, 1);
    assert.equal(result.stdout, r.stdout.text);
    assert.deepEqual(parsePackerErrors(result.stdout!).map((d) => [d.build, d.summary]), [['null.failing', 'Script exited with non-zero exit status: 3.Allowed exit codes are: [0]']]);
  });

  it('passes through exit 0 of a successful build, flags applied', async () => {
    const r = real('valid.pkr.hcl', [flag(['-var', 'greeting=bonjour'], 'var', 'greeting=bonjour'), flag(['-only=lab.null.first'], 'only', 'lab.null.first'), flag(['-color=false'], 'color', 'false')]);
    const result = await runPacker(r.options);
    assert.equal(result.exitCode, 0, r.stdout.text);
    assert.match(r.stdout.text, /lab\.null\.first: bonjour from first/);
    assert.doesNotMatch(r.stdout.text, /null\.second/);
  });

  it('stops a real build on SIGTERM: Packer cancels, cleans up and exits 1', async () => {
    const template = join(tmp, 'slow.pkr.hcl');
    writeFileSync(template, 'source "null" "slow" {\n  communicator = "none"\n}\n\nbuild {\n  sources = ["source.null.slow"]\n  provisioner "shell-local" {\n    inline = ["echo started", "sleep 20"]\n  }\n}\n');
    const r = real(template, [flag(['-color=false'], 'color', 'false')]);
    const controller = new AbortController();
    const running = runPacker({ ...r.options, signal: controller.signal });
    await r.stdout.until('started', 30_000);
    controller.abort('SIGTERM');
    const result = await running;
    assert.equal(result.exitCode, 1);
    assert.match(r.stdout.text, /Cancelling build after receiving terminated/);
    assert.match(r.stdout.text, /Cleanly cancelled builds after being interrupted/);
  });

  it('stops a real build on an off-terminal SIGINT, which Packer only obeys when its group gets it', async () => {
    const template = join(tmp, 'slow-int.pkr.hcl');
    writeFileSync(template, 'source "null" "slow" {\n  communicator = "none"\n}\n\nbuild {\n  sources = ["source.null.slow"]\n  provisioner "shell-local" {\n    inline = ["echo started", "sleep 20"]\n  }\n}\n');
    const r = real(template, [flag(['-color=false'], 'color', 'false')]);
    const controller = new AbortController();
    const running = runPacker({ ...r.options, signal: controller.signal });
    await r.stdout.until('started', 30_000);
    controller.abort('SIGINT');
    const result = await running;
    assert.equal(result.exitCode, 1);
    assert.match(r.stdout.text, /Cancelling build after receiving interrupt/);
  });
});
