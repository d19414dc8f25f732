// Unique process IDs of Proxmox tasks: `UPID:node:PID:PSTART:STARTTIME:type:id:user:` with the
// numbers in upper-case hex (8 digits; pstart may grow to 9), note the trailing colon.

export interface Upid {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  /** `user@realm` or `user@realm!tokenid`. */
  user: string;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

export function formatUpid(u: Upid): string {
  return `UPID:${u.node}:${hex8(u.pid)}:${hex8(u.pstart)}:${hex8(u.starttime)}:${u.type}:${u.id}:${u.user}:`;
}

const UPID_RE = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

export function parseUpid(text: string): Upid | undefined {
  const m = UPID_RE.exec(text);
  if (!m) return undefined;
  return {
    node: m[1]!,
    pid: parseInt(m[3]!, 16),
    pstart: parseInt(m[4]!, 16),
    starttime: parseInt(m[5]!, 16),
    type: m[6]!,
    id: m[7]!,
    user: m[8]!,
  };
}

/** PVE's `encode_text` for worker ids: `:` `%` and control/high-bit characters are %-escaped. */
export function encodeWorkerId(text: string): string {
  return [...text].map((c) => {
    const code = c.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f && c !== ':' && c !== '%') return c;
    const bytes = Buffer.from(c, 'utf8');
    return [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }).join('');
}
