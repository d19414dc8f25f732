// Logging and secret hygiene. Every secret hclx reads (passwords, token secrets, tickets, values of
// sensitive variables) is registered here, and everything hclx prints or writes passes through
// redactSecrets(), so a secret never reaches output, logs, NDJSON events or emitted files.
//
// What is redacted (docs/reference/proxmox.md, "Connection settings"):
//   - the userinfo of every URL (`https://user:pass@host/x` → `https://***@host/x`), whoever wrote it;
//   - a registered secret of 16 characters or more wherever it appears, even inside other text;
//   - a shorter one only where it stands as a whole value: quoted on both sides (`"packer"`, a
//     JSON string), after `=` (`password=packer`, `-var=pw=packer`), after `:` at the end of a
//     line or before a separator (`password: packer`), or alone on a line. A password "packer"
//     is redacted there, but `./packer-proxmox_template`, `packer@pve` and "next: packer build"
//     stay as they are; hclx quotes the values it prints, so a value never stands bare in prose;
//   - Proxmox tickets, CSRF tokens, API token secrets and `password=` query values by pattern.

const secrets = new Set<string>();

/** Registers a secret value; from now on it is replaced by `<sensitive>` in all output. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** From this length on, a secret is redacted as any substring: such text is no ordinary word. */
const LONG_SECRET = 16;

/** `scheme://userinfo@`: the userinfo (up to the last `@` before the path) is replaced by `***`. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>`]*@/gi;

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [URL_USERINFO, '$1***@'],
  [/(PVEAPIToken[= ][^!\s]+![^=\s]+=)[^\s"',;&]+/g, '$1<sensitive>'],
  [/(PVEAuthCookie=)[^\s"';&]+/g, '$1<sensitive>'],
  [/(CSRFPreventionToken["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, '$1<sensitive>'],
  [/((?:^|[?&\s])password=)[^&\s]+/g, '$1<sensitive>'],
];

const shortPatterns = new Map<string, Array<[RegExp, string]>>();

/** Where a short secret stands as a whole value (see the header), with what replaces it there. */
function shortSecretPatterns(text: string): Array<[RegExp, string]> {
  let patterns = shortPatterns.get(text);
  if (!patterns) {
    const e = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const end = String.raw`[,;&)\]}"'\x60]`;
    patterns = [
      [new RegExp(`(["'\x60])${e}\\1`, 'g'), '$1<sensitive>$1'],
      [new RegExp(`(=\\s*)${e}(?=$|\\s|${end})`, 'gm'), '$1<sensitive>'],
      [new RegExp(`(:[ \\t]*)${e}(?=[ \\t]*(?:$|${end}))`, 'gm'), '$1<sensitive>'],
      [new RegExp(`^${e}$`, 'gm'), '<sensitive>'],
    ];
    shortPatterns.set(text, patterns);
  }
  return patterns;
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  for (const secret of secrets) {
    // As written, and as it appears inside a JSON string (quotes and backslashes escaped).
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
      if (!out.includes(form)) continue;
      if (form.length >= LONG_SECRET) out = out.split(form).join('<sensitive>');
      else for (const [pattern, replacement] of shortSecretPatterns(form)) out = out.replace(pattern, replacement);
    }
  }
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
