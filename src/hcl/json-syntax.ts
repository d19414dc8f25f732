// HCL's JSON syntax (`.pkr.json`, `.pkrvars.json`), per the HCL JSON spec (packer-hcl.md §A.5):
// which properties are blocks comes from a schema, each label is one object level, arrays hold
// several bodies, `"//"` is a comment in bodies, and string values are templates.

import { createRequire } from 'node:module';
import type * as Jsonc from 'jsonc-parser';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import { HclSyntaxError } from '../errors.js';
import { HclExpression } from './expression.js';
import type { Expr, ObjectItem } from './expr-ast.js';
import type { Attribute, Block, Body, BodyItem, BodySchema, SourceFile, SourceRange, Value } from './model.js';
import { parseTemplateFragment } from './native-snippet.js';
import type { SourceText } from './source-text.js';
import { defaultJsonSchema } from './json-schema.js';

// jsonc-parser is needed only for .pkr.json/.pkrvars.json files: required on first use (CommonJS).
let jsoncModule: typeof Jsonc | undefined;
function jsonc(): typeof Jsonc {
  return (jsoncModule ??= createRequire(import.meta.url)('jsonc-parser') as typeof Jsonc);
}

/** Parses JSON text into a jsonc-parser tree (duplicate keys and offsets kept). */
export function parseJsonTree(text: string, src: SourceText): JsonNode {
  const errors: ParseError[] = [];
  // A BOM is not JSON; blank it out (same length) so offsets stay those of the file.
  const input = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const root = jsonc().parseTree(input, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !root) {
    const at = first?.offset ?? 0;
    const [message, hint] = jsonErrorText(first ? jsonc().printParseErrorCode(first.error) : 'ValueExpected');
    throw new HclSyntaxError(message, { range: src.range(at, at), hint });
  }
  if (root.type !== 'object') {
    throw new HclSyntaxError('the root of a JSON configuration must be an object', {
      range: src.range(root.offset, root.offset),
      hint: 'Wrap the content in { } with one property per block type or variable.',
    });
  }
  return root;
}

function jsonErrorText(code: string): [string, string] {
  switch (code) {
    case 'CommaExpected':
      return ["expected ',' here", 'Separate JSON properties and array elements with commas.'];
    case 'ColonExpected':
      return ["expected ':' after the property name", 'Write "name": value.'];
    case 'PropertyNameExpected':
      return ['expected a property name in double quotes', 'JSON property names must be quoted; trailing commas are not allowed.'];
    case 'ValueExpected':
      return ['expected a JSON value', 'Give a value (string, number, true, false, null, object or array); trailing commas are not allowed.'];
    case 'CloseBraceExpected':
      return ["missing '}'", 'Close the object with }.'];
    case 'CloseBracketExpected':
      return ["missing ']'", 'Close the array with ].'];
    case 'EndOfFileExpected':
      return ['unexpected content after the end of the JSON value', 'A JSON file holds exactly one object.'];
    case 'UnexpectedEndOfString':
      return ['unterminated string', 'Close the string with ".'];
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return ['comments are not allowed in JSON', 'Use a "//" property inside a block body for comments.'];
    case 'InvalidEscapeCharacter':
      return ['invalid escape sequence in a string', 'Valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX.'];
    default:
      return [`invalid JSON (${code})`, 'Check the syntax around this point.'];
  }
}

/** How JSON values of one attribute are read: templates (default) or literal values. */
type ValueMode = 'template' | 'literal';

export class JsonBody implements Body {
  readonly syntax = 'json' as const;

  constructor(
    readonly file: SourceFile,
    readonly range: SourceRange,
    readonly node: JsonNode,
    readonly src: SourceText,
    /** Block types from the root down to this body (for the default schema). */
    readonly path: string[],
  ) {}

  content(schema?: BodySchema): BodyItem[] {
    const sch = schema ?? defaultJsonSchema(this.path);
    const items: BodyItem[] = [];
    const literalNames = this.path[this.path.length - 1] === 'variable' ? new Set(['default', 'description']) : undefined;
    for (const prop of this.node.children ?? []) {
      const keyNode = prop.children?.[0];
      const valueNode = prop.children?.[1];
      if (!keyNode || !valueNode) continue;
      const key = String(keyNode.value);
      if (key === '//') continue;
      const spec = Object.hasOwn(sch.blocks, key) ? sch.blocks[key] : undefined;
      if (spec) this.expandBlocks(key, keyNode, valueNode, spec.labels, [], [], [prop], items);
      else items.push(new JsonAttribute(this, prop, keyNode, valueNode, literalNames?.has(key) ? 'literal' : 'template'));
    }
    return items;
  }

  private expandBlocks(
    type: string,
    typeNode: JsonNode,
    node: JsonNode,
    remaining: number,
    labels: string[],
    labelNodes: JsonNode[],
    holders: JsonNode[],
    out: BodyItem[],
  ): void {
    if (node.type === 'array') {
      for (const el of node.children ?? []) this.expandBlocks(type, typeNode, el, remaining, labels, labelNodes, [...holders, el], out);
      return;
    }
    if (node.type !== 'object') {
      const what = remaining > 0 ? `an object whose property names are the labels of block "${type}"` : `an object (the body of block "${type}")`;
      throw new HclSyntaxError(`expected ${what}, found a JSON ${node.type}`, {
        range: this.src.range(node.offset, node.offset),
        hint: `"${type}" is a block here; write its content as a JSON object.`,
      });
    }
    if (remaining === 0) {
      out.push(new JsonBlock(this, type, typeNode, labels, labelNodes, node, holders));
      return;
    }
    for (const prop of node.children ?? []) {
      const k = prop.children?.[0];
      const v = prop.children?.[1];
      if (!k || !v || k.value === '//') continue;
      this.expandBlocks(type, typeNode, v, remaining - 1, [...labels, String(k.value)], [...labelNodes, k], [...holders, prop], out);
    }
  }
}

function nodeRange(src: SourceText, n: JsonNode): SourceRange {
  return src.range(n.offset, n.offset + n.length);
}

export class JsonAttribute implements Attribute {
  readonly kind = 'attribute' as const;
  readonly name: string;
  readonly nameRange: SourceRange;
  readonly expr: HclExpression;
  readonly range: SourceRange;

  constructor(
    readonly parent: JsonBody,
    /** The property node (key and value). */
    readonly node: JsonNode,
    keyNode: JsonNode,
    valueNode: JsonNode,
    mode: ValueMode,
  ) {
    const src = parent.src;
    this.name = String(keyNode.value);
    this.nameRange = nodeRange(src, keyNode);
    this.range = nodeRange(src, node);
    this.expr = jsonExpression(parent.file, src, valueNode, mode);
  }
}

export class JsonBlock implements Block {
  readonly kind = 'block' as const;
  readonly typeRange: SourceRange;
  readonly labelRanges: SourceRange[];
  readonly range: SourceRange;
  readonly body: JsonBody;

  constructor(
    readonly parent: JsonBody,
    readonly type: string,
    typeNode: JsonNode,
    readonly labels: string[],
    labelNodes: JsonNode[],
    bodyNode: JsonNode,
    /** Property/element nodes from the block-type property down to the one holding the body. */
    readonly holders: JsonNode[],
  ) {
    const src = parent.src;
    this.typeRange = nodeRange(src, typeNode);
    this.labelRanges = labelNodes.map((n) => nodeRange(src, n));
    this.range = nodeRange(src, holders[holders.length - 1] as JsonNode);
    this.body = new JsonBody(parent.file, src.range(bodyNode.offset + 1, bodyNode.offset + bodyNode.length - 1), bodyNode, src, [...parent.path, type]);
  }
}

export function jsonExpression(file: SourceFile, src: SourceText, node: JsonNode, mode: ValueMode): HclExpression {
  return new HclExpression('json', file, nodeRange(src, node), src.text.slice(node.offset, node.offset + node.length), src, () =>
    jsonExpr(node, src, mode),
  );
}

/** The expression tree of a JSON value. Strings become templates unless `mode` is literal. */
export function jsonExpr(node: JsonNode, src: SourceText, mode: ValueMode): Expr {
  const s = node.offset;
  const e = node.offset + node.length;
  switch (node.type) {
    case 'string': {
      const value = String(node.value);
      if (mode === 'literal' || (!value.includes('${') && !value.includes('%{'))) return { t: 'literal', s, e, value };
      return parseTemplateFragment(value, { src, map: jsonStringOffsets(src.text, node) });
    }
    case 'number':
    case 'boolean':
      return { t: 'literal', s, e, value: node.value as Value };
    case 'null':
      return { t: 'literal', s, e, value: null };
    case 'array':
      return { t: 'tuple', s, e, items: (node.children ?? []).map((c) => jsonExpr(c, src, mode)) };
    case 'object': {
      const items: ObjectItem[] = [];
      for (const prop of node.children ?? []) {
        const k = prop.children?.[0];
        const v = prop.children?.[1];
        if (!k || !v) continue;
        items.push({ key: jsonExpr(k, src, mode), value: jsonExpr(v, src, mode) });
      }
      return { t: 'object', s, e, items };
    }
    default:
      return { t: 'literal', s, e, value: null };
  }
}

/** Maps offsets in the decoded value of a JSON string to offsets in the file (escapes differ in length). */
function jsonStringOffsets(text: string, node: JsonNode): (o: number) => number {
  const start = node.offset + 1;
  const end = node.offset + node.length - 1;
  if (!text.slice(start, end).includes('\\')) return (o) => start + o;
  const map: number[] = [];
  for (let i = start; i < end; ) {
    map.push(i);
    if (text[i] === '\\') i += text[i + 1] === 'u' ? 6 : 2;
    else i++;
  }
  map.push(end);
  return (o) => map[Math.min(o, map.length - 1)] as number;
}
