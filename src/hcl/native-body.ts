// Native HCL bodies, blocks and attributes built from the tree-sitter CST (model.ts interfaces).

import { HclSyntaxError } from '../errors.js';
import type { CstNode } from './cst.js';
import { HclExpression } from './expression.js';
import type { Attribute, Block, Body, BodyItem, SourceFile, SourceRange } from './model.js';
import { buildExpr, stringLiteralValue, type BuildContext } from './native-expr.js';
import type { SourceText } from './source-text.js';

export class NativeBody implements Body {
  readonly syntax = 'hcl' as const;
  readonly items: BodyItem[] = [];

  constructor(
    readonly file: SourceFile,
    readonly range: SourceRange,
    /** The block whose body this is (undefined for the file's root body). */
    readonly owner: NativeBlock | undefined,
  ) {}

  content(): BodyItem[] {
    return this.items.slice();
  }
}

export class NativeAttribute implements Attribute {
  readonly kind = 'attribute' as const;
  constructor(
    readonly name: string,
    readonly nameRange: SourceRange,
    readonly expr: HclExpression,
    readonly range: SourceRange,
    readonly parent: NativeBody,
  ) {}
}

export class NativeBlock implements Block {
  readonly kind = 'block' as const;
  body!: NativeBody;
  constructor(
    readonly type: string,
    readonly labels: string[],
    readonly typeRange: SourceRange,
    readonly labelRanges: SourceRange[],
    readonly range: SourceRange,
    readonly parent: NativeBody,
  ) {}
}

/** Builds the root body of a native file from its (already checked) CST. */
export function buildNativeBody(root: CstNode, file: SourceFile, src: SourceText): NativeBody {
  const ctx: BuildContext = { text: src.text, map: (o) => o };
  const body = new NativeBody(file, src.range(0, src.text.length), undefined);
  const cstBody = root.children.find((c) => c.type === 'body');
  if (cstBody) fillBody(body, cstBody, ctx, src);
  return body;
}

function fillBody(body: NativeBody, node: CstNode, ctx: BuildContext, src: SourceText): void {
  const seen = new Map<string, NativeAttribute>();
  for (const item of node.children) {
    if (item.type === 'attribute') {
      const attr = buildAttribute(item, body, ctx, src);
      const first = seen.get(attr.name);
      if (first) {
        throw new HclSyntaxError(`argument "${attr.name}" is set twice (first at line ${first.range.start.line})`, {
          range: attr.nameRange,
          hint: 'Each argument may be set only once in a block; remove one of them.',
        });
      }
      seen.set(attr.name, attr);
      body.items.push(attr);
    } else if (item.type === 'block') {
      body.items.push(buildBlock(item, body, ctx, src));
    }
  }
}

function buildAttribute(node: CstNode, parent: NativeBody, ctx: BuildContext, src: SourceText): NativeAttribute {
  const id = node.children.find((c) => c.type === 'identifier') as CstNode;
  const exprNode = node.children.find((c) => c.type === 'expression') as CstNode;
  const expr = new HclExpression(
    'hcl',
    parent.file,
    src.range(exprNode.start, exprNode.end),
    src.text.slice(exprNode.start, exprNode.end),
    src,
    buildExpr(exprNode, ctx),
  );
  return new NativeAttribute(src.text.slice(id.start, id.end), src.range(id.start, id.end), expr, src.range(node.start, exprNode.end), parent);
}

function buildBlock(node: CstNode, parent: NativeBody, ctx: BuildContext, src: SourceText): NativeBlock {
  const kids = node.children.filter((c) => c.type !== 'comment');
  const typeNode = kids[0] as CstNode;
  const labels: string[] = [];
  const labelRanges: SourceRange[] = [];
  for (const k of kids.slice(1)) {
    if (k.type === 'block_start') break;
    labels.push(k.type === 'string_lit' ? stringLiteralValue(k, src.text) : src.text.slice(k.start, k.end));
    labelRanges.push(src.range(k.start, k.end));
  }
  const open = kids.find((c) => c.type === 'block_start') as CstNode;
  const close = kids.find((c) => c.type === 'block_end') as CstNode;
  const block = new NativeBlock(src.text.slice(typeNode.start, typeNode.end), labels, src.range(typeNode.start, typeNode.end), labelRanges, src.range(node.start, close.end), parent);
  block.body = new NativeBody(parent.file, src.range(open.end, close.start), block);
  const cstBody = kids.find((c) => c.type === 'body');
  if (cstBody) fillBody(block.body, cstBody, ctx, src);
  return block;
}

/** Every comment of the CST as [start, end) offsets, in text order. */
export function collectComments(root: CstNode): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const walk = (n: CstNode): void => {
    if (n.type === 'comment') out.push([n.start, n.end]);
    else for (const c of n.children) walk(c);
  };
  walk(root);
  return out;
}
