// Packer reports its errors against the rendered copy it was given (`on /tmp/hclx-build-x/template/
// t.pkr.hcl line 14`), which the user never sees. This maps such a place back to the user's own
// file and line: copied files keep their lines; edited ones are mapped through a line diff of the
// original and the rendered text. Lines hclx wrote itself (the new iso_file) map to the line of
// the block they replace.

import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { diffLines } from 'diff';
import type { PackerDiagnostic } from '../packer/errors.js';
import type { Template } from '../template/load.js';

/** The text with every run of spaces or tabs as one space: line for line the same lines. */
const spacesCollapsed = (text: string): string => text.replace(/[ \t]+/g, ' ');

/** rendered line (1-based) → original line (1-based). */
export function lineMap(original: string, rendered: string): (line: number) => number {
  const map: number[] = [0];
  let oldLine = 1;
  let replaced: number | undefined;
  // Lines that differ only in spaces (packer fmt's realignment around an edit) are the same line.
  for (const part of diffLines(spacesCollapsed(original), spacesCollapsed(rendered))) {
    const count = part.count ?? 0;
    if (part.removed) {
      replaced ??= oldLine;
      oldLine += count;
      continue;
    }
    if (part.added) {
      for (let i = 0; i < count; i++) map.push(replaced ?? oldLine);
    } else {
      for (let i = 0; i < count; i++) map.push(oldLine + i);
      oldLine += count;
    }
    replaced = undefined;
  }
  return (line) => map[line] ?? Math.max(1, oldLine - 1);
}

export interface MappedDiagnostic {
  diagnostic: PackerDiagnostic;
  /** `file:line` in the user's template. */
  at: string;
}

/**
 * Maps the diagnostics that name a file of the rendered directory to the user's files. `cwd` is
 * Packer's working directory (Packer names files as it was given them).
 */
export function mapDiagnostics(diagnostics: readonly PackerDiagnostic[], template: Template, renderedDir: string, cwd: string): MappedDiagnostic[] {
  const mapped: MappedDiagnostic[] = [];
  const maps = new Map<string, (line: number) => number>();
  for (const d of diagnostics) {
    if (!d.file || d.line === undefined) continue;
    const path = resolve(cwd, d.file);
    if (dirname(path) !== renderedDir) continue;
    const file = [...template.files, ...template.autoVarFiles].find((f) => f.entryName === basename(path));
    if (!file) continue;
    let map = maps.get(file.entryName);
    if (!map) {
      let rendered: string;
      try {
        rendered = readFileSync(path, 'utf8');
      } catch {
        rendered = file.source.text;
      }
      map = rendered === file.source.text ? (l: number) => l : lineMap(file.source.text, rendered);
      maps.set(file.entryName, map);
    }
    mapped.push({ diagnostic: d, at: `${file.source.displayPath}:${map(d.line)}` });
  }
  return mapped;
}
