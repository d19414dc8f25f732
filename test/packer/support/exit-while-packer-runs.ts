// Run by run.test.ts in its own Node process: starts the fake Packer through runPacker, then exits
// the way src/cli/main.ts does on a second Ctrl-C (process.exit while Packer still runs).
// Prints the fake Packer's pid so the test can check it did not outlive hclx.
import { Writable } from 'node:stream';
import { runPacker } from '../../../src/packer/run.js';

const controller = new AbortController();
let seen = '';
const stdout = new Writable({
  write(chunk: Buffer, _encoding, done) {
    seen += chunk.toString();
    const pid = /pid (\d+)/.exec(seen)?.[1];
    if (pid && seen.includes('ready') && !controller.signal.aborted) {
      process.stdout.write(`${pid}\n`);
      controller.abort('SIGINT');
    }
    if (seen.includes('got INT')) process.exit(130);
    done();
  },
});
await runPacker({
  packer: { path: process.argv[2]! },
  command: 'build',
  flags: [],
  template: 'x.pkr.hcl',
  cwd: process.cwd(),
  env: { ...process.env, FAKE_PACKER_IGNORE: '1' },
  signal: controller.signal,
  stdout,
  stderr: new Writable({ write: (_c, _e, done) => done() }),
  interactive: false,
});
process.stdout.write('packer ended before hclx exited\n');
