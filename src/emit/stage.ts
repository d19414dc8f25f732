// Writes a rendered template to its own output directory, never next to the user's files and never
// over them: the directory must be new, empty, or one hclx wrote before (it carries a marker that
// lists what hclx put there). Running `packer build OUT` from the same working directory must
// behave like the original, so (packer-hcl.md §A.1, "Design consequence"):
//   - configuration and auto var files are written (byte-identical unless edited);
//   - every other entry of the template directory is mirrored as a symlink to the original, so
//     `${path.root}/http`, file("scripts/x.sh") and templatefile() relative to path.root find
//     the same files; cwd-relative paths are untouched because the cwd is the same.
//   - paths that climb out of path.root (`${path.root}/../x`, file("../x")) keep working: the
//     copy is written as many directories deep inside the output directory as the template
//     climbs, under the same names, and each of those directories mirrors the original one
//     with symlinks (OUT/proj/packer/ for /src/proj/packer/ climbing once: OUT/proj/x links to
//     /src/proj/x). This holds for every Packer version, as path.root stays the directory given.
// What a symlink cannot keep is reported as a warning: path.root used as a value (it is now the
// copy's directory).

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
  /** The directory the template's files are written to (the output directory, or a mirror inside it: see above). */
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

  const { dir: copyDir, top, complete } = mirrorParents(out, template);
  const entries: EmittedEntry[] = [];
  const written = new Set<string>();
  for (const file of [...template.files, ...template.autoVarFiles]) {
    const fileEdits = edits.get(file.source.path) ?? [];
    const target = join(copyDir, file.entryName);
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
    symlinkSync(source, join(copyDir, name));
    entries.push({ name, kind: 'symlink' });
  }
  const marker: Marker = { tool: 'hclx', command: 'render', template: template.dir, entries: top ? [top] : entries.map((e) => e.name) };
  writeFileSync(join(out, MARKER), JSON.stringify(marker, null, 2) + '\n', 'utf8');

  const shownOut = displayPath(copyDir, template.cwd);
  const buildPath = template.mode === 'directory' ? shownOut : join(shownOut, template.files[0]!.entryName);
  return { outDir: copyDir, buildPath, entries, warnings: pathWarnings(template, shownOut, complete) };
}

/** The most directories a `..` chain in the template's files climbs (`../../x`: 2). */
export function climbDepth(template: Template): number {
  let depth = 0;
  for (const file of [...template.files, ...template.autoVarFiles]) {
    for (const m of file.source.text.matchAll(/(?<![\w.-])\.\.(?:[/\\]\.\.)*(?![\w.-])/g)) depth = Math.max(depth, m[0].split(/[/\\]/).length);
  }
  return depth;
}

/**
 * Where the copy goes so that `..` from it finds what `..` from the template directory finds: with
 * a climb of N, OUT/<the N parent names>/<the directory's name>, each level a directory whose other
 * entries link to the original's (never the one that holds the output directory). N = 0: OUT.
 */
function mirrorParents(out: string, template: Template): { dir: string; top?: string; complete: boolean } {
  const parts = template.dir.split(sep).filter((p) => p !== '');
  const climb = climbDepth(template);
  const depth = Math.min(climb, parts.length - 1);
  // complete: every climb is mirrored (none goes above the filesystem root).
  const complete = depth === climb;
  if (depth <= 0) return { dir: out, complete };
  const root = template.dir.slice(0, template.dir.indexOf(parts[0]!));
  const names = parts.slice(parts.length - 1 - depth);
  let dir = out;
  for (let i = 0; i < depth; i++) {
    dir = join(dir, names[i]!);
    mkdirSync(dir);
    const original = join(root, ...parts.slice(0, parts.length - depth + i));
    for (const name of readdirSync(original).sort()) {
      const source = join(original, name);
      if (name === names[i + 1] || out === source || out.startsWith(source + sep)) continue;
      symlinkSync(source, join(dir, name));
    }
  }
  dir = join(dir, names[depth]!);
  mkdirSync(dir);
  return { dir, top: names[0]!, complete };
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
  // A mirror of parent directories (see mirrorParents) is a directory: its symlinks go, never what they point at.
  for (const name of ours) rmSync(join(out, name), { force: true, recursive: true });
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

/** References a symlink mirror cannot keep pointing at the same place (`mirrored`: mirrorParents kept every climb). */
function pathWarnings(template: Template, shownOut: string, mirrored: boolean): string[] {
  const warnings: string[] = [];
  for (const file of template.files) {
    const lines = file.source.text.split('\n');
    lines.forEach((line, i) => {
      const code = stripLineComment(line);
      const at = `${file.source.displayPath}:${i + 1}`;
      if (FILE_FUNCTIONS.test(code) || /path\.root\}?\s*\/\.\./.test(code) || /path\.root\}\/\.\./.test(code)) {
        // Climbs are mirrored (mirrorParents) unless they go above the filesystem root.
        if (!mirrored) warnings.push(`${at}: this path climbs out of path.root ('../') above the filesystem root; from ${shownOut} it resolves elsewhere. Use an absolute path or one relative to path.cwd.`);
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

