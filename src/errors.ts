// The one module of typed errors. Every error a user can cause or meet carries a stable code,
// an exit code and a one-paragraph message that names the place (file:line:col) and the fix.
// The CLI catches HclxError once at the top; anything else is a bug (InternalError).

export const ExitCode = {
  ok: 0,
  /** Proxmox, network, download or other operational failure. */
  operational: 1,
  /** Usage error or template error (syntax, schema, variables). */
  usage: 2,
  /** `migrate --check`: changes are needed. */
  changesNeeded: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A place in a source file. Lines and columns are 1-based; offset is a UTF-16 index into the text. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface SourceRange {
  /** Path of the file as shown to the user (relative to the cwd when inside it). */
  file: string;
  start: Position;
  end: Position;
}

export function formatRange(range: SourceRange): string {
  return `${range.file}:${range.start.line}:${range.start.column}`;
}

export interface HclxErrorOptions {
  /** Where in the user's files the problem is. */
  range?: SourceRange;
  /** What to do about it (appended to the message as its last sentence). */
  hint?: string;
  cause?: unknown;
  /** Extra machine-readable fields for --json output. */
  details?: Record<string, unknown>;
}

/** Base class: a problem hclx reports to the user with a clear message and a distinct exit code. */
export abstract class HclxError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCodeValue;
  readonly range: SourceRange | undefined;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: HclxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.range = options.range;
    this.hint = options.hint;
    this.details = options.details;
  }

  /** The one-paragraph text shown to the user: place, problem, fix. */
  describe(): string {
    const where = this.range ? `${formatRange(this.range)}: ` : '';
    const hint = this.hint ? ` ${this.hint}` : '';
    return `${where}${this.message}${hint}`.replace(/\s*\n\s*/g, ' ');
  }
}

/** Wrong command-line usage: unknown flag, missing argument, bad flag value. Exit 2. */
export class UsageError extends HclxError {
  readonly code = 'E_USAGE';
  readonly exitCode = ExitCode.usage;
}

/** The template does not parse. Exit 2. */
export class HclSyntaxError extends HclxError {
  readonly code = 'E_SYNTAX';
  readonly exitCode = ExitCode.usage;
}

/** The template parses but is wrong: schema, variables, an expression hclx needs but cannot evaluate. Exit 2. */
export class TemplateError extends HclxError {
  readonly code: string;
  readonly exitCode = ExitCode.usage;
  constructor(message: string, options: HclxErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'E_TEMPLATE';
  }
}

/** Several template problems found together (all are reported, then hclx stops). Exit 2. */
export class TemplateErrors extends HclxError {
  readonly code = 'E_TEMPLATE_MULTI';
  readonly exitCode = ExitCode.usage;
  constructor(readonly errors: HclxError[]) {
    super(`${errors.length} problems found in the template.`);
  }
  override describe(): string {
    return this.errors.map((e) => e.describe()).join('\n');
  }
}

/** A Proxmox API call failed (HTTP status, permission, missing storage...). Exit 1. */
export class ProxmoxError extends HclxError {
  readonly code: string;
  readonly exitCode = ExitCode.operational;
  readonly status: number | undefined;
  constructor(message: string, options: HclxErrorOptions & { code?: string; status?: number } = {}) {
    super(message, options);
    this.code = options.code ?? 'E_PROXMOX';
    this.status = options.status;
  }
}

/** Network-level failure talking to Proxmox or a mirror (connection refused, TLS, timeout). Exit 1. */
export class NetworkError extends HclxError {
  readonly code: string;
  readonly exitCode = ExitCode.operational;
  constructor(message: string, options: HclxErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'E_NETWORK';
  }
}

/** A download task on the node failed, stalled or timed out. Exit 1. */
export class DownloadError extends HclxError {
  readonly code: string;
  readonly exitCode = ExitCode.operational;
  constructor(message: string, options: HclxErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'E_DOWNLOAD';
  }
}

/** An external tool (packer) could not be run. Exit 1. */
export class ToolError extends HclxError {
  readonly code: string;
  readonly exitCode = ExitCode.operational;
  constructor(message: string, options: HclxErrorOptions & { code?: string } = {}) {
    super(message, options);
    this.code = options.code ?? 'E_TOOL';
  }
}

/** The user interrupted (SIGINT/SIGTERM); cleanup has been done. Exit 130. */
export class InterruptedError extends HclxError {
  readonly code = 'E_INTERRUPTED';
  readonly exitCode = ExitCode.interrupted;
}

/** End the process with this exit code and no message (e.g. Packer's own exit code, `migrate --check`). */
export class ExitError extends HclxError {
  readonly code = 'E_EXIT';
  readonly exitCode: ExitCodeValue;
  constructor(exitCode: number, message = `exit ${exitCode}`) {
    super(message);
    this.exitCode = exitCode as ExitCodeValue;
  }
}

/** A bug in hclx. Shown with a request to report it; exit 1. */
export class InternalError extends HclxError {
  readonly code = 'E_INTERNAL';
  readonly exitCode = ExitCode.operational;
}

export function isHclxError(e: unknown): e is HclxError {
  return e instanceof HclxError;
}
