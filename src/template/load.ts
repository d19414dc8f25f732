// Loads a Packer HCL2 template the way `packer build PATH` chooses its files (packer-hcl.md §A.1):
// a `.pkr.hcl`/`.pkr.json` file, or a directory (non-recursive, lexical order, HCL before JSON, plus
// its `*.auto.pkrvars.hcl` then `*.auto.pkrvars.json`). Legacy JSON templates are refused, git
// symlink placeholders are followed, and duplicate source/variable/local/data blocks are errors.

import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TemplateError, UsageError } from '../errors.js';
import { formatRange } from '../errors.js';
import type { Block, SourceFile, SourceRange, Syntax } from '../hcl/model.js';
import { parseFile } from '../hcl/parse.js';
import { decodeUtf8 } from '../hcl/utf8.js';
import { ROOT_SCHEMA } from '../hcl/json-schema.js';

export type TemplateFileRole = 'config' | 'auto-var';

export interface TemplateFile {
  /** Absolute path of the entry as found (the placeholder itself when it is a git symlink placeholder). */
  entryPath: string;
  /** Name of the entry, as it must appear in an emitted directory. */
  entryName: string;
  role: TemplateFileRole;
  /** The parsed file (for a placeholder: the file it points to). */
  source: SourceFile;
  /** The exact bytes of `source.path`, copied verbatim when the file needs no edit. */
  bytes: Buffer;
  /** For a git symlink placeholder: the relative target written in it. */
  placeholderTarget?: string;
}

export interface Template {
  /** The path argument as given. */
  arg: string;
  mode: 'file' | 'directory';
  /** Absolute directory that Packer uses as `path.root`. */
  dir: string;
  /** What `path.root` and `path.cwd` evaluate to in Packer (root: as given, cwd: absolute; `\` → `/`). */
  path: { root: string; cwd: string };
  cwd: string;
  /** Configuration files: every `.pkr.hcl` in lexical order, then every `.pkr.json`. */
  files: TemplateFile[];
  /** `*.auto.pkrvars.hcl` then `*.auto.pkrvars.json` (directory mode only), lexical order. */
  autoVarFiles: TemplateFile[];
}

export interface LoadOptions {
  cwd: string;
  warn?: (message: string) => void;
}

const CONFIG_HCL = '.pkr.hcl';
const CONFIG_JSON = '.pkr.json';
const AUTO_VARS_HCL = '.auto.pkrvars.hcl';
const AUTO_VARS_JSON = '.auto.pkrvars.json';

/** The path as shown in messages: relative to the cwd when inside it, else absolute. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

/** Syntax of a configuration or variable file, by suffix (`.json` → JSON syntax). */
export function syntaxOf(path: string): Syntax {
  return path.endsWith('.json') ? 'json' : 'hcl';
}

export async function loadTemplate(arg: string, options: LoadOptions): Promise<Template> {
  const { cwd } = options;
  const warn = options.warn ?? (() => undefined);
  if (arg === '' || arg === '-') throw new UsageError(`'${arg}' is not a template path.`, { hint: 'Give a .pkr.hcl/.pkr.json file or a directory of them, as for packer build.' });
  const absolute = resolve(cwd, arg);
  let stats;
  try {
    stats = statSync(absolute);
  } catch (error) {
    throw new UsageError(`template '${arg}' ${whyUnreadable(absolute, error)}.`, { hint: 'Give the path of a .pkr.hcl/.pkr.json file or of a directory that holds them.' });
  }
  const rootArg = (stats.isDirectory() ? arg : dirname(arg)).replace(/\\/g, '/');
  const template: Template = {
    arg,
    mode: stats.isDirectory() ? 'directory' : 'file',
    dir: stats.isDirectory() ? absolute : dirname(absolute),
    path: { root: rootArg, cwd: cwd.replace(/\\/g, '/') },
    cwd,
    files: [],
    autoVarFiles: [],
  };
  if (stats.isDirectory()) {
    const names = readdirSync(absolute).sort(compareGoStrings);
    // Packer reads every entry with a config or auto var-file suffix; one it cannot read (a broken
    // symbolic link, a loop) stops it, so it stops hclx too rather than being left out.
    const isFile = (n: string) => {
      const path = join(absolute, n);
      try {
        return statSync(path).isFile();
      } catch (error) {
        const suffix = [AUTO_VARS_HCL, AUTO_VARS_JSON, CONFIG_HCL, CONFIG_JSON].find((s) => n.endsWith(s));
        throw new TemplateError(`${displayPath(path, cwd)} ${whyUnreadable(path, error)}, and Packer reads every *${suffix} file of the directory: it fails with "Failed to read file".`, {
          code: 'E_TEMPLATE_FILE',
          hint: 'Point the link at an existing file, or remove it.',
        });
      }
    };
    const hcl = names.filter((n) => n.endsWith(CONFIG_HCL) && isFile(n));
    const json = names.filter((n) => n.endsWith(CONFIG_JSON) && isFile(n));
    if (hcl.length + json.length === 0) {
      throw new UsageError(`could not find any config file in '${arg}'.`, {
        hint: 'Packer loads files suffixed .pkr.hcl or .pkr.json from the directory (not from its subdirectories); give such a file or directory.',
      });
    }
    for (const n of [...hcl, ...json]) template.files.push(await readTemplateFile(join(absolute, n), n, 'config', cwd, warn));
    const autoHcl = names.filter((n) => n.endsWith(AUTO_VARS_HCL) && isFile(n));
    const autoJson = names.filter((n) => n.endsWith(AUTO_VARS_JSON) && isFile(n));
    for (const n of [...autoHcl, ...autoJson]) template.autoVarFiles.push(await readTemplateFile(join(absolute, n), n, 'auto-var', cwd, warn));
  } else {
    if (!arg.endsWith(CONFIG_HCL) && !arg.endsWith(CONFIG_JSON)) refuseNonHcl2File(arg, absolute);
    template.files.push(await readTemplateFile(absolute, absolute.slice(absolute.lastIndexOf(sep) + 1), 'config', cwd, warn));
  }
  for (const f of template.files) if (f.source.syntax === 'json') refuseLegacyJson(f);
  checkDuplicates(template.files);
  return template;
}

/**
 * Why `path` cannot be read, for a message ("does not exist", "is a symbolic link to 'x', which
 * does not exist", "is a symlink loop", ...), from the error its stat or read gave.
 */
export function whyUnreadable(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const link = lstatSync(path, { throwIfNoEntry: false });
  const target = link?.isSymbolicLink() ? readlinkSync(path) : undefined;
  if (code === 'ELOOP') return target === undefined ? 'lies under a symlink loop' : `is a symlink loop (a symbolic link to '${target}', whose links lead back to it)`;
  if (code === 'ENOENT' && target !== undefined) return `is a symbolic link to '${target}', which does not exist`;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'is a directory';
  return `cannot be read (${code ?? String(error)})`;
}

/** Go's sort.Strings / os.ReadDir order: byte-wise, not locale-aware. */
function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const MAX_PLACEHOLDER_HOPS = 8;

/**
 * A git symlink checked out with core.symlinks=false is a plain file whose whole content is the
 * relative target path. Packer cannot read it, but it is what the author meant: follow it, say so.
 */
export function placeholderTarget(text: string, entryPath: string): string | undefined {
  const trimmed = text.replace(/\r?\n$/, '');
  if (trimmed === '' || trimmed.length > 1024 || /[\n\r{}="#]/.test(trimmed) || isAbsolute(trimmed)) return undefined;
  const target = resolve(dirname(entryPath), trimmed);
  return statSync(target, { throwIfNoEntry: false })?.isFile() ? trimmed : undefined;
}

function readBytes(path: string, cwd: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TemplateError(`${displayPath(path, cwd)} ${whyUnreadable(path, error)}.`, { code: 'E_TEMPLATE_FILE', hint: 'Packer cannot read it either; fix the file or its link.' });
  }
}

async function readTemplateFile(entryPath: string, entryName: string, role: TemplateFileRole, cwd: string, warn: (m: string) => void): Promise<TemplateFile> {
  let path = entryPath;
  let bytes = readBytes(path, cwd);
  let placeholder: string | undefined;
  for (let hop = 0; hop < MAX_PLACEHOLDER_HOPS; hop++) {
    const target = bytes.length <= 1024 ? placeholderTarget(bytes.toString('utf8'), path) : undefined;
    if (target === undefined) break;
    placeholder ??= target;
    path = resolve(dirname(path), target);
    bytes = readBytes(path, cwd);
  }
  if (placeholder !== undefined) {
    warn(
      `${displayPath(entryPath, cwd)} is a git symlink checked out as a plain file (its content is the path '${placeholder}'); hclx reads ${displayPath(path, cwd)} instead. Packer itself would fail on it: enable symlinks in git (git config core.symlinks true) and check the file out again.`,
    );
  }
  const { text, invalid } = decodeUtf8(bytes);
  const source = await parseFile({ path, displayPath: displayPath(path, cwd), text, syntax: syntaxOf(entryName), invalidUtf8: invalid });
  return { entryPath, entryName, role, source, bytes, ...(placeholder !== undefined ? { placeholderTarget: placeholder } : {}) };
}

const UPGRADE_HINT = 'Convert it with `packer hcl2_upgrade -with-annotations FILE` (Packer ≥ 1.7) and run hclx on the .pkr.hcl it writes.';

function refuseNonHcl2File(arg: string, absolute: string): never {
  const text = readFileSync(absolute, 'utf8');
  if (looksLikeLegacyJson(text)) {
    throw new TemplateError(`${arg} is a legacy JSON template ("builders", {{user ...}}); hclx reads HCL2 templates only.`, { code: 'E_LEGACY_JSON', hint: UPGRADE_HINT });
  }
  throw new UsageError(`'${arg}' does not end in .pkr.hcl or .pkr.json, so Packer would read it as a legacy JSON template.`, {
    hint: `Rename it to end in .pkr.hcl (HCL) or .pkr.json (HCL's JSON syntax), or give its directory. For a legacy JSON template: ${UPGRADE_HINT}`,
  });
}

function looksLikeLegacyJson(text: string): boolean {
  if (/\{\{\s*user\s/.test(text)) return true;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'builders' in parsed;
  } catch {
    return false;
  }
}

function refuseLegacyJson(file: TemplateFile): void {
  if (looksLikeLegacyJson(file.source.text)) {
    throw new TemplateError(`${file.source.displayPath} is a legacy JSON template ("builders", {{user ...}}), not HCL's JSON syntax, although it is named .pkr.json.`, {
      code: 'E_LEGACY_JSON',
      hint: UPGRADE_HINT,
    });
  }
}

/** Packer refuses two source/variable/local/data definitions of the same name across all files. */
function checkDuplicates(files: readonly TemplateFile[]): void {
  const seen = new Map<string, SourceRange>();
  const note = (key: string, what: string, range: SourceRange) => {
    const first = seen.get(key);
    if (first) {
      throw new TemplateError(`duplicate ${what}: it is also defined at ${formatRange(first)}.`, {
        code: 'E_DUPLICATE',
        range,
        hint: 'Packer loads every file of the directory into one configuration and refuses duplicates; rename or remove one of them.',
      });
    }
    seen.set(key, range);
  };
  for (const file of files) {
    for (const item of file.source.body.content(ROOT_SCHEMA)) {
      if (item.kind !== 'block') continue;
      const b: Block = item;
      if (b.type === 'source' || b.type === 'data') note(`${b.type}\u0000${b.labels.join('.')}`, `${b.type} block "${b.labels.join('" "')}"`, b.typeRange);
      else if (b.type === 'variable') note(`variable\u0000${b.labels[0]}`, `variable "${b.labels[0]}"`, b.typeRange);
      else if (b.type === 'local') note(`local\u0000${b.labels[0]}`, `local "${b.labels[0]}"`, b.typeRange);
      else if (b.type === 'variables') for (const a of b.body.content()) if (a.kind === 'attribute') note(`variable\u0000${a.name}`, `variable "${a.name}"`, a.nameRange);
      if (b.type === 'locals') for (const a of b.body.content()) if (a.kind === 'attribute') note(`local\u0000${a.name}`, `local "${a.name}"`, a.nameRange);
    }
  }
}
