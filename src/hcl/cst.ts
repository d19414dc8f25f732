// The concrete syntax tree of native HCL, produced by tree-sitter-hcl (WASM) and copied once into
// plain objects: later passes walk it many times, and plain property reads are much cheaper than
// calls across the WASM boundary. The WASM runtime and the grammar load once, lazily, and are
// shared by every parse in the process.
//
// Two limits keep hostile or broken input from crashing the process: text longer than
// MAX_PARSE_LENGTH is refused before the WASM parser sees it (its memory is bounded, and it aborts
// on tens of MiB), and a tree deeper than MAX_CST_DEPTH is refused where it gets too deep (the
// passes over the tree are recursive). Both are far beyond any real template.

import { fileURLToPath } from 'node:url';
import { Language, Parser, type TreeCursor } from 'web-tree-sitter';
import { InternalError, TemplateError, type SourceRange } from '../errors.js';

/** Longest native HCL text parsed, in UTF-16 units (8 MiB of ASCII; real templates are a few KiB). */
export const MAX_PARSE_LENGTH = 8 * 1024 * 1024;
/**
 * Deepest syntax tree accepted: about 240 levels of nested objects or quoted templates, 320 of
 * lists or function calls, 480 of blocks or chained operators, 860 of parentheses. Real templates
 * nest fewer than 20.
 */
export const MAX_CST_DEPTH = 1000;

export interface CstNode {
  /** Node kind (`attribute`, `identifier`, `ERROR`, ...) or the literal token text (`=`, `{`). */
  readonly type: string;
  readonly named: boolean;
  /** Inserted by error recovery: the token is absent from the text. */
  readonly missing: boolean;
  /** UTF-16 offsets into the parsed text. */
  readonly start: number;
  readonly end: number;
  readonly children: CstNode[];
}

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/**
 * The HCL grammar's WebAssembly build, shipped with hclx (vendor/, `npm run vendor-grammar`) rather
 * than installed from the grammar package, whose install script builds a native binding hclx never
 * loads. The path is the same from src/hcl/, dist/hcl/ and the bundle in dist/bundle/.
 */
export const GRAMMAR_WASM = fileURLToPath(new URL('../../vendor/tree-sitter-hcl/tree-sitter-hcl.wasm', import.meta.url));

/** Loads the WASM runtime and the HCL grammar (once). Parsing is synchronous afterwards. */
export function initHclParser(): Promise<void> {
  loading ??= (async () => {
    await Parser.init();
    const language = await Language.load(GRAMMAR_WASM);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return loading;
}

export function isHclParserReady(): boolean {
  return parser !== undefined;
}

export interface CstParse {
  root: CstNode;
  hasError: boolean;
}

/**
 * Parses native HCL text (the parser must be initialised first). `locate` turns an offset of
 * `text` into the place shown when the text is too long or nests too deeply (TemplateError, exit 2).
 */
export function parseCst(text: string, locate: (offset: number) => SourceRange): CstParse {
  if (!parser) throw new InternalError('the HCL parser was used before initHclParser() finished');
  if (text.length > MAX_PARSE_LENGTH) {
    throw new TemplateError(`${(text.length / 1024 / 1024).toFixed(1)} MiB of HCL here: more than the ${MAX_PARSE_LENGTH / 1024 / 1024} MiB hclx parses (real templates are a few KiB).`, {
      code: 'E_TOO_LARGE',
      range: locate(0),
      hint: 'Check that this is the file you meant (not generated data or a binary file); split a generated template into several files.',
    });
  }
  const tree = parser.parse(text);
  if (!tree) throw new InternalError('tree-sitter returned no tree');
  let copied: { root: CstNode; tooDeepAt?: number };
  try {
    const cursor = tree.walk();
    try {
      copied = copyTree(cursor);
    } finally {
      cursor.delete();
    }
    if (copied.tooDeepAt === undefined) return { root: copied.root, hasError: tree.rootNode.hasError };
  } finally {
    tree.delete();
  }
  throw new TemplateError(`the blocks, brackets, parentheses, templates or operators here nest deeper than hclx reads (${MAX_CST_DEPTH} levels of syntax; real templates nest fewer than 20).`, {
    code: 'E_TOO_DEEP',
    range: locate(copied.tooDeepAt),
    hint: 'Flatten the nesting (a local for an inner part, or a flat list); generated input this deep is probably broken.',
  });
}

function nodeAt(cursor: TreeCursor): CstNode {
  return { type: cursor.nodeType, named: cursor.nodeIsNamed, missing: cursor.nodeIsMissing, start: cursor.startIndex, end: cursor.endIndex, children: [] };
}

/** Copies the tree without recursion; stops at the first node (in text order) deeper than MAX_CST_DEPTH. */
function copyTree(cursor: TreeCursor): { root: CstNode; tooDeepAt?: number } {
  const root = nodeAt(cursor);
  // The nodes from the root to the parent of the cursor's node.
  const path: CstNode[] = [root];
  if (!cursor.gotoFirstChild()) return { root };
  for (;;) {
    const node = nodeAt(cursor);
    (path[path.length - 1] as CstNode).children.push(node);
    if (path.length > MAX_CST_DEPTH) return { root, tooDeepAt: node.start };
    if (cursor.gotoFirstChild()) {
      path.push(node);
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      path.pop();
      if (path.length === 0) return { root };
    }
  }
}

/** Children that are not comments. */
export function significant(node: CstNode): CstNode[] {
  return node.children.filter((c) => c.type !== 'comment');
}

export function childOfType(node: CstNode, type: string): CstNode | undefined {
  return node.children.find((c) => c.type === type);
}
