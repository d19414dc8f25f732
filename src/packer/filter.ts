// Which builds `-only` / `-except` leave to run, decided exactly as Packer decides it
// (hcl2template GetBuilds + convertFilterOption): every flag value is split on commas (Go flag
// slice), each piece is a gobwas/glob pattern, a build runs when some -only pattern matches its
// name (or there is no -only) and no -except pattern does. hclx uses this to download only the
// ISOs of the builds Packer will run.

import { UsageError } from '../errors.js';
import { compileGlob, GlobSyntaxError, type Glob } from './glob.js';

/** The parts of a build's name: `[<build.name>.]<source type>.<source name>`. */
export interface BuildRef {
  /** The `name` of the `build {}` block; empty or undefined when the block has none. */
  buildName?: string | undefined;
  /** e.g. `proxmox-iso`. */
  sourceType: string;
  /** The source's name, or the `name` given where the build block uses it. */
  sourceName: string;
}

/** The name Packer matches -only/-except against (and prints in `==> name:` lines). */
export function packerBuildName(ref: BuildRef): string {
  const source = `${ref.sourceType}.${ref.sourceName}`;
  return ref.buildName ? `${ref.buildName}.${source}` : source;
}

/** Flag values as Packer stores them: each value split on every comma (so `{a,b}` cannot be passed). */
export function splitFilterValues(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(','));
}

function compileAll(patterns: readonly string[], flag: 'only' | 'except'): Glob[] {
  return patterns.map((pattern) => {
    try {
      return compileGlob(pattern);
    } catch (error) {
      if (!(error instanceof GlobSyntaxError)) throw error;
      throw new UsageError(`invalid -${flag} pattern '${pattern}': ${error.reason}.`, {
        hint: `-${flag} takes comma-separated globs (* ? [abc] [!a] [a-z] {a}) matched against names like 'build.proxmox-iso.name'; write \\ before a character to match it literally.`,
      });
    }
  });
}

/**
 * The build names, in their given order, that `packer build -only=... -except=...` would run.
 * `only` and `except` are the raw flag values (comma-split here, as Packer does).
 * Throws UsageError for a pattern Packer would reject.
 */
export function selectBuilds(buildNames: readonly string[], only: readonly string[], except: readonly string[]): string[] {
  const onlyGlobs = compileAll(splitFilterValues(only), 'only');
  const exceptGlobs = compileAll(splitFilterValues(except), 'except');
  return buildNames.filter(
    (name) => (onlyGlobs.length === 0 || onlyGlobs.some((g) => g.match(name))) && !exceptGlobs.some((g) => g.match(name)),
  );
}
