// The one error a failed pre-flight throws: every problem, one per line, each with its place and its
// fix, so a user with three broken ISO blocks fixes all three in one go.

import { ProxmoxError, TemplateError, TemplateErrors, formatRange, type HclxError } from '../errors.js';
import type { PreflightProblem } from './planner.js';

/** Problems that are the template's fault (exit 2) rather than the cluster's (exit 1). */
const TEMPLATE_CODES = new Set(['E_ISO_NAME', 'E_ISO_CONFLICT']);

export class PreflightError extends ProxmoxError {
  constructor(readonly problems: PreflightProblem[]) {
    super(`pre-flight found ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was downloaded.`, {
      code: 'E_PREFLIGHT',
      details: { problems: problems.map((p) => ({ code: p.code, message: p.message, specs: p.specs, ...(p.range ? { at: formatRange(p.range) } : {}) })) },
    });
  }

  override describe(): string {
    const lines = this.problems.map((p) => `  ${p.range ? `${formatRange(p.range)}: ` : ''}${p.message.replace(/\s*\n\s*/g, ' ')}`);
    return [this.message, ...lines].join('\n');
  }
}

/** The error for a list of problems (undefined when there are none). */
export function preflightError(problems: PreflightProblem[]): HclxError | undefined {
  if (problems.length === 0) return undefined;
  if (problems.every((p) => TEMPLATE_CODES.has(p.code))) {
    return new TemplateErrors(problems.map((p) => new TemplateError(p.message, { code: p.code, ...(p.range ? { range: p.range } : {}) })));
  }
  return new PreflightError(problems);
}
