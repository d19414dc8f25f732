// Entry points of the syntax layer: a whole file (native HCL or JSON syntax) or one expression.
// Both are lossless views: every node keeps its range in the original text, nothing is re-printed.

import { basename } from 'node:path';
import { HclSyntaxError, TemplateError } from '../errors.js';
import { initHclParser, MAX_PARSE_LENGTH, parseCst } from './cst.js';
import { HclExpression } from './expression.js';
import { setFileInfo } from './file-info.js';
import { JsonBody, parseJsonTree } from './json-syntax.js';
import type { Body, Expression, SourceFile, Syntax } from './model.js';
import { buildNativeBody, collectComments, NativeBody } from './native-body.js';
import { checkNativeSyntax } from './native-errors.js';
import { parseExpressionFragment } from './native-snippet.js';
import { detectEol, SourceText } from './source-text.js';
import { showBytes } from './utf8.js';
import type { InvalidUtf8 } from './utf8.js';

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
  /**
   * Where the file's bytes were not UTF-8 (decodeUtf8() of src/hcl/utf8.ts). Native HCL refuses
   * them outside comments, as Packer does; JSON syntax takes them as U+FFFD, as Packer does.
   */
  invalidUtf8?: readonly InvalidUtf8[];
}

/** Deepest `[`/`{` nesting read in JSON syntax (the JSON reader and the passes over it are recursive). */
export const MAX_JSON_NESTING = 500;

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
    checkJsonLimits(input.text, src);
    const tree = parseJsonTree(input.text, src);
    file.body = new JsonBody(file as SourceFile, src.range(tree.offset + 1, tree.offset + tree.length - 1), tree, src, []);
    setFileInfo(file as SourceFile, { src, comments: [], json: tree });
    // Which properties are blocks depends on the schema the caller reads the body with (a var
    // file has none), so structural errors surface from content(), not here.
    return file as SourceFile;
  }
  // A BOM is not HCL; blank it out with a same-length space so offsets stay those of the file.
  const input16 = input.text.charCodeAt(0) === 0xfeff ? ` ${input.text.slice(1)}` : input.text;
  const { root, hasError } = parseCst(input16, (o) => src.range(o, o));
  const comments = collectComments(root);
  checkEncoding(input.invalidUtf8 ?? [], comments, src);
  checkNativeSyntax(root, src, 'file', hasError);
  const body = buildNativeBody(root, file as SourceFile, src);
  file.body = body;
  setFileInfo(file as SourceFile, { src, comments });
  return file as SourceFile;
}

/** HCL reads comments as bytes but every token as UTF-8: a byte that is not UTF-8 outside a comment is an error. */
function checkEncoding(invalid: readonly InvalidUtf8[], comments: ReadonlyArray<readonly [number, number]>, src: SourceText): void {
  let c = 0;
  for (const bad of invalid) {
    while (c < comments.length && (comments[c] as readonly [number, number])[1] <= bad.at) c++;
    const comment = comments[c];
    if (comment && comment[0] <= bad.at) continue;
    throw new HclSyntaxError(`invalid character encoding: the byte${bad.bytes.length > 1 ? 's' : ''} ${showBytes(bad.bytes)} here ${bad.bytes.length > 1 ? 'are' : 'is'} not UTF-8.`, {
      range: src.range(bad.at, bad.at),
      hint: 'All template files must be UTF-8 encoded (Packer refuses this file too); save it as UTF-8 in your editor.',
    });
  }
}

/** Refuses JSON text too long or nested too deeply to read safely, before the recursive JSON reader sees it. */
function checkJsonLimits(text: string, src: SourceText): void {
  if (text.length > MAX_PARSE_LENGTH) {
    throw new TemplateError(`${(text.length / 1024 / 1024).toFixed(1)} MiB of JSON here: more than the ${MAX_PARSE_LENGTH / 1024 / 1024} MiB hclx reads (real templates are a few KiB).`, {
      code: 'E_TOO_LARGE',
      range: src.range(0, 0),
      hint: 'Check that this is the file you meant (not generated data or a binary file).',
    });
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > MAX_JSON_NESTING) {
        throw new TemplateError(`the JSON arrays and objects here nest deeper than hclx reads (${MAX_JSON_NESTING} levels; real templates nest fewer than 10).`, {
          code: 'E_TOO_DEEP',
          range: src.range(i, i),
          hint: 'Flatten the nesting; generated input this deep is probably broken.',
        });
      }
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
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

