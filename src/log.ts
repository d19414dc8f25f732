// Logging and secret hygiene. Every secret hclx reads (passwords, token secrets, tickets, values of
// sensitive variables) is registered here, and everything hclx prints or writes passes through
// redactSecrets(), so a secret never reaches output, logs, NDJSON events or emitted files.

const secrets = new Set<string>();

/** Registers a secret value; from now on it is replaced by `<sensitive>` in all output. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(PVEAPIToken[= ][^!\s]+![^=\s]+=)[^\s"',;&]+/g, '$1<sensitive>'],
  [/(PVEAuthCookie=)[^\s"';&]+/g, '$1<sensitive>'],
  [/(CSRFPreventionToken["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1<sensitive>'],
  [/((?:^|[?&\s])password=)[^&\s]+/g, '$1<sensitive>'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('<sensitive>');
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  level: LogLevel;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** A logger writing `prefix message` lines to a stream, redacted, filtered by level. */
export function createLogger(stream: NodeJS.WritableStream, options: { level?: LogLevel; prefix?: string } = {}): Logger {
  const envLevel = process.env.HCLX_LOG as LogLevel | undefined;
  const level: LogLevel = options.level ?? (envLevel && envLevel in ORDER ? envLevel : 'info');
  const prefix = options.prefix ?? 'hclx:';
  const write = (at: LogLevel, tag: string, message: string) => {
    if (ORDER[at] <= ORDER[logger.level]) stream.write(redactSecrets(`${prefix}${tag} ${message}`) + '\n');
  };
  const logger: Logger = {
    level,
    error: (m) => write('error', ' error:', m),
    warn: (m) => write('warn', ' warning:', m),
    info: (m) => write('info', '', m),
    debug: (m) => write('debug', ' debug:', m),
  };
  return logger;
}
