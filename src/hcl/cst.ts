// The concrete syntax tree of native HCL, produced by tree-sitter-hcl (WASM) and copied once into
// plain objects: later passes walk it many times, and plain property reads are much cheaper than
// calls across the WASM boundary. The WASM runtime and the grammar load once, lazily, and are
// shared by every parse in the process.

import { fileURLToPath } from 'node:url';
import { Language, Parser, type TreeCursor } from 'web-tree-sitter';
import { InternalError } from '../errors.js';

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

/** Parses native HCL text (the parser must be initialised first). */
export function parseCst(text: string): CstParse {
  if (!parser) throw new InternalError('the HCL parser was used before initHclParser() finished');
  const tree = parser.parse(text);
  if (!tree) throw new InternalError('tree-sitter returned no tree');
  try {
    const cursor = tree.walk();
    try {
      return { root: copyNode(cursor), hasError: tree.rootNode.hasError };
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
}

function copyNode(cursor: TreeCursor): CstNode {
  const children: CstNode[] = [];
  const node: CstNode = {
    type: cursor.nodeType,
    named: cursor.nodeIsNamed,
    missing: cursor.nodeIsMissing,
    start: cursor.startIndex,
    end: cursor.endIndex,
    children,
  };
  if (cursor.gotoFirstChild()) {
    do children.push(copyNode(cursor));
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return node;
}

/** Children that are not comments. */
export function significant(node: CstNode): CstNode[] {
  return node.children.filter((c) => c.type !== 'comment');
}

export function childOfType(node: CstNode, type: string): CstNode | undefined {
  return node.children.find((c) => c.type === type);
}
