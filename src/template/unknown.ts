// Explains an UnknownValue to the user: why hclx cannot know it and how to supply it.

import type { Expression, UnknownValue } from '../hcl/model.js';

export interface UnknownExplanation {
  reason: string;
  hint: string;
}

export function describeUnknown(expr: Expression, unknown: UnknownValue | undefined): UnknownExplanation {
  const reason = unknown?.reason ?? 'it is only known when Packer runs the build';
  const refs = expr.traversals();
  const vars = unique(refs.filter((r) => r[0] === 'var' && r[1]).map((r) => r[1]!));
  const locals = unique(refs.filter((r) => r[0] === 'local' && r[1]).map((r) => r[1]!));
  const secretStore = /vault|aws_secretsmanager|consul_key/.test(reason) || /\b(vault|aws_secretsmanager(_raw)?|consul_key)\s*\(/.test(expr.text);
  const undeclared = /no variable named "([^"]+)"/.exec(reason)?.[1];
  let hint: string;
  if (undeclared) {
    hint = `Declare it (variable "${undeclared}" { type = string }) and give it a value with -var '${undeclared}=...', a -var-file or a default; Packer refuses references to undeclared variables too.`;
  } else if (secretStore) {
    hint =
      'hclx does not read secret stores; render such a template by giving the value another way: ' +
      (vars.length > 0
        ? `pass ${vars.map((v) => `-var '${v}=...'`).join(' ')}.`
        : 'declare a variable for it (variable "x" {}), use var.x here, and pass -var \'x=...\' or a -var-file.');
  } else if (vars.length > 0) {
    hint = `Supply it with ${vars.map((v) => `-var '${v}=...'`).join(' ')} (or in a -var-file).`;
  } else if (locals.length > 0) {
    hint = `It comes from ${locals.map((l) => `local.${l}`).join(', ')}; make the variables that local reads known with -var or a -var-file, or write the value directly.`;
  } else {
    hint = 'Write the value directly or take it from a variable that you pass with -var.';
  }
  return { reason, hint };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
