// `packer validate [flags] TEMPLATE` with its verdict and diagnostics, for `hclx validate` and tests.

import { Writable } from 'node:stream';
import type { PackerFlag } from './flags.js';
import { parsePackerErrors, type PackerDiagnostic } from './errors.js';
import type { PackerInfo } from './locate.js';
import { runPacker } from './run.js';

export interface ValidatePackerOptions {
  packer: Pick<PackerInfo, 'path'>;
  /** `packer validate` flags (e.g. -var, -var-file, -only, -syntax-only), passed verbatim. */
  flags?: readonly PackerFlag[];
  template: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Where Packer's output also goes as it comes (default: nowhere, it is only returned). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface PackerValidation {
  ok: boolean;
  exitCode: number;
  /** Packer's stdout, where it writes its errors. */
  stdout: string;
  stderr: string;
  diagnostics: PackerDiagnostic[];
}

function collector(chunks: Buffer[], also?: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      if (also && !also.write(chunk)) also.once('drain', () => done());
      else done();
    },
  });
}

/** Runs `packer validate` (validate never prompts, so it is run off-terminal) and parses its errors. */
export async function validatePacker(options: ValidatePackerOptions): Promise<PackerValidation> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const result = await runPacker({
    packer: options.packer,
    command: 'validate',
    flags: options.flags ?? [],
    template: options.template,
    cwd: options.cwd,
    env: options.env,
    signal: options.signal,
    stdout: collector(out, options.stdout),
    stderr: collector(err, options.stderr),
    interactive: false,
  });
  const stdout = Buffer.concat(out).toString('utf8');
  return {
    ok: result.exitCode === 0,
    exitCode: result.exitCode,
    stdout,
    stderr: Buffer.concat(err).toString('utf8'),
    diagnostics: parsePackerErrors(stdout),
  };
}
