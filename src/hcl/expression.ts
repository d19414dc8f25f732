// The Expression objects handed out by the parser: the public view from model.ts plus the private
// tree that evaluate() walks. The tree is built lazily for JSON syntax (a JSON string is parsed as
// a template only when someone evaluates or inspects it).

import type { Expression, SourceFile, SourceRange, Syntax } from './model.js';
import { collectTraversals, type Expr } from './expr-ast.js';
import type { SourceText } from './source-text.js';

export class HclExpression implements Expression {
  private tree: Expr | undefined;

  constructor(
    readonly syntax: Syntax,
    readonly file: SourceFile,
    readonly range: SourceRange,
    readonly text: string,
    /** The text positions of `ast` are offsets into `src` (the file of the expression). */
    readonly src: SourceText,
    private readonly build: Expr | (() => Expr),
  ) {}

  get ast(): Expr {
    this.tree ??= typeof this.build === 'function' ? this.build() : this.build;
    return this.tree;
  }

  traversals(): string[][] {
    return collectTraversals(this.ast);
  }
}

export function isHclExpression(e: Expression): e is HclExpression {
  return e instanceof HclExpression;
}
