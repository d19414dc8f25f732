// Finds the Packer executable hclx runs and asks it its version. Order: the --packer option, then
// PACKER_BIN, then PATH. An explicit choice that does not work is an error, never a silent fallback
// to another Packer.

import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ToolError } from '../errors.js';
import { hasBuiltinProxmox, parsePackerVersion } from './version.js';

/** Where Packer is, without asking it anything (what `--target modern|legacy` needs). */
export interface PackerLocation {
  /** Absolute path of the executable. */
  path: string;
}

export interface PackerInfo extends PackerLocation {
  /** e.g. `1.6.6`. */
  version: string;
  /** Packer < 1.7: the built-in proxmox builder (legacy dialect only, no required_plugins, no token). */
  builtinProxmox: boolean;
}

export interface LocateOptions {
  /** Value of hclx's --packer option. */
  packerOption?: string | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Bound on `packer version` (default 30 s). */
  timeoutMs?: number;
}

const INSTALL_HINT =
  'Install Packer (Debian/Ubuntu: `apt-get install packer`, version 1.6.6 with the built-in proxmox-iso builder; ' +
  'or a current release from HashiCorp, developer.hashicorp.com/packer/install), ' +
  'or point hclx at it with --packer PATH or PACKER_BIN=PATH.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function executableNames(name: string, env: NodeJS.ProcessEnv): string[] {
  if (process.platform !== 'win32' || /\.[^\\/]+$/.test(name)) return [name];
  const exts = (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean);
  return [name, ...exts.map((e) => name + e.toLowerCase())];
}

/** Looks a command name up on PATH, as a shell would; undefined when it is not there. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory.
    const base = resolve(cwd, dir || '.');
    for (const candidate of executableNames(name, env)) {
      const path = join(base, candidate);
      if (isExecutableFile(path)) return path;
    }
  }
  return undefined;
}

/** Resolves an explicit choice: a path (relative to cwd) when it has a slash, otherwise a name on PATH. */
function resolveExplicit(value: string, from: string, env: NodeJS.ProcessEnv, cwd: string): string {
  const hasSlash = value.includes('/') || (process.platform === 'win32' && value.includes('\\'));
  const path = hasSlash || isAbsolute(value) ? resolve(cwd, value) : (findOnPath(value, env, cwd) ?? resolve(cwd, value));
  if (!isExecutableFile(path)) {
    throw new ToolError(`${from} names '${value}', but ${path} is not an executable file.`, {
      code: 'E_PACKER_NOT_FOUND',
      hint: `Fix ${from}, or unset it to use the packer on PATH. ${INSTALL_HINT}`,
    });
  }
  return path;
}

/** Where the Packer executable is: --packer, then PACKER_BIN, then PATH. Throws ToolError when none. */
export function findPacker(options: LocateOptions): string {
  if (options.packerOption) return resolveExplicit(options.packerOption, 'the --packer option', options.env, options.cwd);
  if (options.env.PACKER_BIN) return resolveExplicit(options.env.PACKER_BIN, 'PACKER_BIN', options.env, options.cwd);
  const onPath = findOnPath('packer', options.env, options.cwd);
  if (onPath) return onPath;
  throw new ToolError('Packer was not found: no --packer option, no PACKER_BIN, and no `packer` on PATH.', {
    code: 'E_PACKER_NOT_FOUND',
    hint: INSTALL_HINT,
  });
}

/** Runs `packer version` and reads the version from it. */
export function packerVersionOf(path: string, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    // CHECKPOINT_DISABLE: `packer version` would otherwise ask HashiCorp whether it is out of date.
    execFile(path, ['version'], { env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const version = parsePackerVersion(stdout ?? '');
      if (version) return resolvePromise(version.text);
      const why = error ? error.message.split('\n')[0] : `it printed ${JSON.stringify((stdout + stderr).trim().slice(0, 200))}`;
      reject(
        new ToolError(`could not read the version of Packer at ${path}: ${why}.`, {
          code: 'E_PACKER_VERSION',
          hint: `Check that \`${path} version\` prints 'Packer vX.Y.Z'. ${INSTALL_HINT}`,
          cause: error ?? undefined,
        }),
      );
    });
  });
}

/** Whether `packer version` was run for this location (only `--target auto` needs the version). */
export function hasVersion(packer: PackerLocation | undefined): packer is PackerInfo {
  return packer !== undefined && 'version' in packer;
}

/** Finds Packer and reads its version and what that version implies. */
export async function locatePacker(options: LocateOptions): Promise<PackerInfo> {
  const path = findPacker(options);
  const version = await packerVersionOf(path, options.env, options.timeoutMs);
  return { path, version, builtinProxmox: hasBuiltinProxmox(parsePackerVersion(version)!) };
}
