// Entry points of the syntax layer: a whole file (native HCL or JSON syntax) or one expression.
// Both are lossless views: every node keeps its range in the original text, nothing is re-printed.

import { basename } from 'node:path';
import { initHclParser, parseCst } from './cst.js';
import { HclExpression } from './expression.js';
import { setFileInfo } from './file-info.js';
import { JsonBody, parseJsonTree } from './json-syntax.js';
import type { Body, Expression, SourceFile, Syntax } from './model.js';
import { buildNativeBody, collectComments, NativeBody } from './native-body.js';
import { checkNativeSyntax } from './native-errors.js';
import { parseExpressionFragment } from './native-snippet.js';
import { detectEol, SourceText } from './source-text.js';

export { initHclParser } from './cst.js';

export interface ParseFileInput {
  /** Absolute path of the file. */
  path: string;
  /** The path as shown in messages. */
  displayPath: string;
  /** The exact file content (BOM and CRLF kept). */
  text: string;
  /** Defaults to `json` for names ending in `.json`, else `hcl`. */
  syntax?: Syntax;
}

/** The syntax Packer uses for a file name: JSON syntax for `.json`, native HCL otherwise. */
export function syntaxOf(path: string): Syntax {
  return basename(path).toLowerCase().endsWith('.json') ? 'json' : 'hcl';
}

/**
 * Parses one configuration or variable file. Throws HclSyntaxError (file:line:col, what is wrong)
 * when the text is not valid HCL / HCL JSON.
 */
export async function parseFile(input: ParseFileInput): Promise<SourceFile> {
  await initHclParser();
  return parseFileSync(input);
}

/** parseFile() for callers that already awaited initHclParser(). */
export function parseFileSync(input: ParseFileInput): SourceFile {
  const syntax = input.syntax ?? syntaxOf(input.path);
  const src = new SourceText(input.text, input.displayPath);
  const file = {
    path: input.path,
    displayPath: input.displayPath,
    text: input.text,
    syntax,
    eol: detectEol(input.text),
  } as { -readonly [K in keyof SourceFile]: SourceFile[K] };
  if (syntax === 'json') {
    const tree = parseJsonTree(input.text, src);
    file.body = new JsonBody(file as SourceFile, src.range(tree.offset + 1, tree.offset + tree.length - 1), tree, src, []);
    setFileInfo(file as SourceFile, { src, comments: [], json: tree });
    // Which properties are blocks depends on the schema the caller reads the body with (a var
    // file has none), so structural errors surface from content(), not here.
    return file as SourceFile;
  }
  // A BOM is not HCL; blank it out with a same-length space so offsets stay those of the file.
  const input16 = input.text.charCodeAt(0) === 0xfeff ? ` ${input.text.slice(1)}` : input.text;
  const { root, hasError } = parseCst(input16);
  checkNativeSyntax(root, src, 'file', hasError);
  const body = buildNativeBody(root, file as SourceFile, src);
  file.body = body;
  setFileInfo(file as SourceFile, { src, comments: collectComments(root) });
  return file as SourceFile;
}

/**
 * Parses a standalone native expression (a `-var` or `PKR_VAR_` value of a complex type, or a
 * generated snippet). Ranges refer to `text` itself, reported under `displayPath`.
 */
export async function parseExpression(text: string, displayPath: string): Promise<Expression> {
  await initHclParser();
  return parseExpressionSync(text, displayPath);
}

export function parseExpressionSync(text: string, displayPath: string): Expression {
  const src = new SourceText(text, displayPath);
  const ast = parseExpressionFragment(text, { src });
  const file = {
    path: displayPath,
    displayPath,
    text,
    syntax: 'hcl',
    eol: detectEol(text),
  } as SourceFile;
  (file as { body: Body }).body = new NativeBody(file, src.range(0, text.length), undefined);
  setFileInfo(file, { src, comments: [] });
  const trimmedStart = text.length - text.trimStart().length;
  const trimmedEnd = text.trimEnd().length;
  return new HclExpression('hcl', file, src.range(trimmedStart, Math.max(trimmedStart, trimmedEnd)), text.slice(trimmedStart, trimmedEnd), src, ast);
}

