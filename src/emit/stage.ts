// Writes a rendered template to its own output directory, never next to the user's files and never
// over them: the directory must be new, empty, or one hclx wrote before (it carries a marker that
// lists what hclx put there). Running `packer build OUT` from the same working directory must
// behave like the original, so (packer-hcl.md §A.1, "Design consequence"):
//   - configuration and auto var files are written (byte-identical unless edited);
//   - every other entry of the template directory is mirrored as a symlink to the original, so
//     `${path.root}/http`, file("scripts/x.sh") and templatefile() relative to path.root find
//     the same files; cwd-relative paths are untouched because the cwd is the same.
// What a symlink cannot keep is reported as a warning: paths that climb out of path.root
// (`../x`) and path.root used as a value (it is now the output directory).

import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import { applyEdits } from '../hcl/edit.js';
import type { TextEdit } from '../hcl/model.js';
import type { Template } from '../template/load.js';
import { displayPath } from '../template/load.js';

/** The file that marks a directory as written by hclx render (not a name Packer loads). */
export const MARKER = '.hclx-render.json';

export interface EmitInput {
  template: Template;
  /** Edits by absolute path of the file read (`SourceFile.path`). */
  edits: ReadonlyMap<string, readonly TextEdit[]>;
  /** The output directory, relative to the cwd or absolute. */
  outDir: string;
}

export interface EmittedEntry {
  name: string;
  kind: 'edited' | 'copied' | 'symlink';
}

export interface EmitResult {
  outDir: string;
  /** What to give `packer build` (the directory, or the file in single-file mode), as shown to the user. */
  buildPath: string;
  entries: EmittedEntry[];
  warnings: string[];
}

interface Marker {
  tool: 'hclx';
  command: 'render';
  template: string;
  entries: string[];
}

const PACKER_SUFFIXES = ['.pkr.hcl', '.pkr.json', '.auto.pkrvars.hcl', '.auto.pkrvars.json'];

export function emitTemplate(input: EmitInput): EmitResult {
  const { template, edits } = input;
  const out = resolve(template.cwd, input.outDir);
  checkOutputDirectory(out, template);
  prepareOutputDirectory(out, input.outDir, template.cwd);

  const entries: EmittedEntry[] = [];
  const written = new Set<string>();
  for (const file of [...template.files, ...template.autoVarFiles]) {
    const fileEdits = edits.get(file.source.path) ?? [];
    const target = join(out, file.entryName);
    if (fileEdits.length > 0) {
      writeFileSync(target, applyEdits(file.source.text, fileEdits), 'utf8');
      entries.push({ name: file.entryName, kind: 'edited' });
    } else {
      writeFileSync(target, file.bytes);
      entries.push({ name: file.entryName, kind: 'copied' });
    }
    written.add(file.entryName);
  }
  for (const name of readdirSync(template.dir).sort()) {
    if (written.has(name) || name === '.git' || name === MARKER) continue;
    if (PACKER_SUFFIXES.some((s) => name.endsWith(s))) continue; // other configs must not join the build
    const source = join(template.dir, name);
    if (out === source || out.startsWith(source + sep)) continue; // the output directory itself
    symlinkSync(source, join(out, name));
    entries.push({ name, kind: 'symlink' });
  }
  const marker: Marker = { tool: 'hclx', command: 'render', template: template.dir, entries: entries.map((e) => e.name) };
  writeFileSync(join(out, MARKER), JSON.stringify(marker, null, 2) + '\n', 'utf8');

  const shownOut = displayPath(out, template.cwd);
  const buildPath = template.mode === 'directory' ? shownOut : join(shownOut, template.files[0]!.entryName);
  return { outDir: out, buildPath, entries, warnings: pathWarnings(template, shownOut) };
}

function checkOutputDirectory(out: string, template: Template): void {
  const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith(sep) ? b : b + sep);
  if (inside(template.dir, out)) {
    throw new UsageError(`the output directory '${displayPath(out, template.cwd)}' is the template directory or contains it.`, {
      hint: 'hclx never writes next to your files (Packer would load both copies); choose a new directory, e.g. --out .hclx/render.',
    });
  }
  for (const file of template.files) {
    if (inside(file.source.path, out)) {
      throw new UsageError(`the output directory '${displayPath(out, template.cwd)}' contains the template's own files.`, { hint: 'Choose a new directory for --out.' });
    }
  }
}

function prepareOutputDirectory(out: string, shown: string, cwd: string): void {
  if (!existsSync(out)) {
    mkdirSync(out, { recursive: true });
    return;
  }
  if (!lstatSync(out).isDirectory()) throw new UsageError(`--out '${shown}' exists and is not a directory.`, { hint: 'Choose a new directory for --out.' });
  const present = readdirSync(out);
  if (present.length === 0) return;
  const marker = readMarker(join(out, MARKER));
  if (!marker) {
    throw new UsageError(`--out '${displayPath(out, cwd)}' is not empty and was not written by hclx render.`, {
      hint: 'hclx never overwrites your files: give a new or empty directory, or one an earlier hclx render wrote.',
    });
  }
  const ours = new Set([...marker.entries, MARKER]);
  const foreign = present.filter((n) => !ours.has(n));
  if (foreign.length > 0) {
    throw new UsageError(`--out '${displayPath(out, cwd)}' holds files hclx did not write (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', ...' : ''}).`, {
      hint: 'Move them away or choose another directory; hclx replaces only what it wrote there before.',
    });
  }
  for (const name of ours) rmSync(join(out, name), { force: true });
}

function readMarker(path: string): Marker | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Marker>;
    return parsed.tool === 'hclx' && Array.isArray(parsed.entries) ? (parsed as Marker) : undefined;
  } catch {
    return undefined;
  }
}

const FILE_FUNCTIONS = /\b(file|fileexists|fileset|templatefile)\(\s*"\.\.[/\\]/;

/** References a symlink mirror cannot keep pointing at the same place. */
function pathWarnings(template: Template, shownOut: string): string[] {
  const warnings: string[] = [];
  for (const file of template.files) {
    const lines = file.source.text.split('\n');
    lines.forEach((line, i) => {
      const code = stripLineComment(line);
      const at = `${file.source.displayPath}:${i + 1}`;
      if (FILE_FUNCTIONS.test(code) || /path\.root\}?\s*\/\.\./.test(code) || /path\.root\}\/\.\./.test(code)) {
        warnings.push(`${at}: this path climbs out of path.root ('../'); from ${shownOut} it resolves elsewhere. Use an absolute path or one relative to path.cwd.`);
        return;
      }
      for (const m of code.matchAll(/path\.root/g)) {
        const rest = code.slice(m.index + 'path.root'.length);
        if (/^\)*\}?\//.test(rest) || /^\s*,\s*"/.test(rest)) continue; // `${path.root}/x`, `${abspath(path.root)}/x`: mirrored
        warnings.push(`${at}: path.root is used as a value; when Packer runs on ${shownOut} it is '${shownOut}', not '${template.path.root}'.`);
        break;
      }
    });
  }
  return warnings;
}

function stripLineComment(line: string): string {
  const t = line.trimStart();
  return t.startsWith('#') || t.startsWith('//') ? '' : line;
}

/** Whether a path is inside a directory (used by the render command's default output location). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

