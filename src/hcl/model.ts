// The syntax model shared by the whole core: a lossless view of one Packer configuration file,
// native HCL (`.pkr.hcl`, `.pkrvars.hcl`) or HCL's JSON syntax (`.pkr.json`, `.pkrvars.json`).
//
// Every node keeps its source range (UTF-16 offsets into `SourceFile.text`, plus 1-based line and
// column), so later stages can report file:line:col and express edits as splices of the original
// text. Nothing here re-prints a file: unedited bytes are always copied verbatim.
//
// This file is the contract between src/hcl (parsing, evaluation, edit primitives) and the stages
// that use it (src/template, src/rewrite, src/emit, src/migrate). Change it with care.

import type { SourceRange } from '../errors.js';

export type { Position, SourceRange } from '../errors.js';

export type Syntax = 'hcl' | 'json';

export interface SourceFile {
  /** Absolute path of the file that was read (after following a git-symlink placeholder). */
  path: string;
  /** The path as shown in messages: relative to the cwd when inside it, else absolute. */
  displayPath: string;
  /** The exact text of the file (decoded as UTF-8, BOM and CRLF kept). */
  text: string;
  syntax: Syntax;
  /** The dominant line ending, used for inserted lines. */
  eol: '\n' | '\r\n';
  /** The root body (top-level blocks and attributes). */
  body: Body;
}

/**
 * Which properties of a JSON-syntax body are blocks and how many labels each has. Native HCL bodies
 * know their blocks syntactically and ignore the schema, except that `content()` still reports only
 * what exists. Properties not named in `blocks` are attributes.
 */
export interface BodySchema {
  blocks: Record<string, { labels: number }>;
}

export interface Body {
  readonly syntax: Syntax;
  readonly file: SourceFile;
  /** The range of the body's content (inside the braces of a block, or the whole file). */
  readonly range: SourceRange;
  /**
   * Attributes and blocks in source order. For JSON syntax the schema decides which properties are
   * blocks (labels are taken from nested object levels, arrays of bodies expand to several blocks).
   */
  content(schema?: BodySchema): BodyItem[];
}

export type BodyItem = Attribute | Block;

export interface Attribute {
  readonly kind: 'attribute';
  readonly name: string;
  readonly nameRange: SourceRange;
  readonly expr: Expression;
  /** From the name to the end of the expression (native) or the whole property (JSON). */
  readonly range: SourceRange;
  /** The body this attribute belongs to. */
  readonly parent: Body;
}

export interface Block {
  readonly kind: 'block';
  readonly type: string;
  readonly labels: string[];
  readonly typeRange: SourceRange;
  readonly labelRanges: SourceRange[];
  readonly body: Body;
  /** From the block type to the closing brace (native) or the enclosing JSON property/element. */
  readonly range: SourceRange;
  readonly parent: Body;
}

/**
 * An expression as written. It is evaluated with `evaluate()` from src/hcl/evaluate.ts; its
 * syntax-specific tree is private to src/hcl.
 */
export interface Expression {
  readonly syntax: Syntax;
  readonly file: SourceFile;
  readonly range: SourceRange;
  /** The exact source text of the expression (for JSON: the JSON value's text). */
  readonly text: string;
  /** Top-level names it refers to, e.g. [['var','iso_url'], ['local','x'], ['each','value']]. */
  traversals(): string[][];
}

/** A text replacement in one file: `text` replaces `[start, end)` (UTF-16 offsets of the original). */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

// ---- Values -------------------------------------------------------------------------------------

/** A value that is not known before `packer build` runs (vault(), timestamp(), data.*, build.*...). */
export class UnknownValue {
  constructor(
    /** Why it is unknown, e.g. `vault() is evaluated by Packer at build time`. */
    readonly reason: string,
    /** The sub-expression that made it unknown. */
    readonly range?: SourceRange,
  ) {}
}

export type Value = null | string | number | boolean | Value[] | { [key: string]: Value } | UnknownValue;

export function isUnknown(v: unknown): v is UnknownValue {
  return v instanceof UnknownValue;
}

/** Declared or inferred type of a variable, as Packer's type constraints. */
export type TypeConstraint =
  | { kind: 'any' }
  | { kind: 'string' | 'number' | 'bool' }
  | { kind: 'list' | 'set' | 'map'; element: TypeConstraint }
  | { kind: 'tuple'; elements: TypeConstraint[] }
  | { kind: 'object'; attributes: Record<string, TypeConstraint>; optional: string[] };
