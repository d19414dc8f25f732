// `hclx render TEMPLATE...`: several templates in one process, so CI that renders a whole
// repository pays Node's start-up and the parser's WebAssembly set-up once instead of per template.
// Each template renders exactly as alone (renderTemplate), into its own subdirectory of --out; a
// template that fails is reported and the next one still renders. Exit code: the highest of the
// templates' codes (2 when any template has an error, else 1 when any failed otherwise, else 0);
// an interrupt stops the batch (130).

import { resolve, sep } from 'node:path';
import { ExitCode, HclxError, InterruptedError, UsageError } from '../errors.js';
import { renderTemplate } from './render.js';
import type { RenderOptions, RenderReport } from './render.js';

export interface BatchEntry {
  /** The template as given on the command line. */
  template: string;
  /** Its output directory; undefined = renderTemplate's default (under the OS temp dir). */
  outDir?: string;
}

export type BatchResult = { template: string; exitCode: 0; report: RenderReport } | { template: string; exitCode: number; error: unknown };

/**
 * The subdirectory of `outRoot` each template renders into: the template path as given, relative
 * to the working directory, with its separators turned into `-` and `.`/`..` segments and the file
 * suffix (.pkr.hcl, .pkr.json) left out: `templates/debian/12` → `templates-debian-12`. Stable
 * whatever else is in the batch; two templates that map to one name are a usage error.
 */
export function batchOutDirs(templates: readonly string[], outRoot: string | undefined, cwd: string): BatchEntry[] {
  if (outRoot === undefined) return templates.map((template) => ({ template }));
  const byName = new Map<string, string>();
  return templates.map((template) => {
    const absolute = resolve(cwd, template);
    const relative = absolute.startsWith(cwd.endsWith(sep) ? cwd : cwd + sep) ? absolute.slice(cwd.length).replace(/^[\\/]+/, '') : absolute;
    const name =
      relative
        .replace(/\.pkr\.(hcl|json)$/, '')
        .split(/[\\/]+/)
        .filter((part) => part !== '' && part !== '.' && part !== '..')
        .join('-') || 'template';
    const other = byName.get(name);
    if (other !== undefined && resolve(cwd, other) !== absolute) {
      throw new UsageError(`'${other}' and '${template}' would both render into ${name}/ under --out.`, { hint: 'Render them in separate runs, or give the paths so they differ after / becomes -.' });
    }
    if (other !== undefined) throw new UsageError(`'${template}' is given twice.`, { hint: 'Give each template once.' });
    byName.set(name, template);
    return { template, outDir: resolve(cwd, outRoot, name) };
  });
}

/** The batch's exit code: the highest of the templates' (0 < 1 < 2; 130 when interrupted). */
export function batchExitCode(results: readonly BatchResult[]): number {
  return results.reduce((worst, r) => Math.max(worst, r.exitCode), ExitCode.ok as number);
}

export interface BatchOptions extends Omit<RenderOptions, 'templatePath' | 'outDir'> {
  entries: readonly BatchEntry[];
  /** Stops the batch between templates (the current one finishes). */
  signal?: AbortSignal;
  /** Told each template's result as soon as it is known (to print it before the next starts). */
  onResult?: (result: BatchResult, index: number) => void;
  /** Told before each template starts. */
  onStart?: (entry: BatchEntry, index: number) => void;
}

/**
 * Renders every entry in order. A template's HclxError (template, usage or operational) becomes
 * its result; an interrupt ends the batch with InterruptedError. Anything else is a bug and is
 * rethrown.
 */
export async function renderBatch(options: BatchOptions): Promise<BatchResult[]> {
  const { entries, signal, onResult, onStart, ...render } = options;
  const results: BatchResult[] = [];
  for (const [index, entry] of entries.entries()) {
    if (signal?.aborted) throw new InterruptedError(`interrupted after ${results.length} of ${entries.length} templates.`);
    onStart?.(entry, index);
    let result: BatchResult;
    try {
      const report = await renderTemplate({ ...render, templatePath: entry.template, ...(entry.outDir !== undefined ? { outDir: entry.outDir } : {}) });
      result = { template: entry.template, exitCode: 0, report };
    } catch (error) {
      if (!(error instanceof HclxError) || error instanceof InterruptedError) throw error;
      result = { template: entry.template, exitCode: error.exitCode, error };
    }
    results.push(result);
    onResult?.(result, index);
  }
  return results;
}
