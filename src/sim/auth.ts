// Authentication like pveproxy: tickets (`PVE:user:HEXTIME::signature`) in the PVEAuthCookie
// cookie (or `Authorization: PVEAuthCookie=`), a CSRFPreventionToken for non-GET requests, and
// API tokens (`Authorization: PVEAPIToken=user@realm!id=secret`, or a space instead of `=`).
// Signatures are HMAC-SHA256 with a key made at start (PVE uses RSA; the format is the same).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AuthLayerError } from './api-error.js';
import type { SimToken, SimUser } from './types.js';

export interface Identity {
  /** `user@realm`. */
  userid: string;
  /** Full token id `user@realm!name` when authenticated by token. */
  tokenid?: string;
  /** The ticket that authenticated the request (for renewal), if any. */
  ticket?: string;
}

/** The `user` field of tasks and ACL subjects: the token id for tokens, else the user id. */
export function principal(id: Identity): string {
  return id.tokenid ?? id.userid;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

export class Authenticator {
  private readonly key = randomBytes(32);
  private readonly csrfKey = randomBytes(32);

  constructor(
    private readonly users: SimUser[],
    private readonly tokens: SimToken[],
    /** Current ticket lifetime in seconds (the ticket-expire fault may shorten it). */
    private readonly lifetime: () => number,
  ) {}

  checkPassword(userid: string, password: string): boolean {
    const user = this.users.find((u) => u.userid === userid);
    if (!user) return false;
    const a = Buffer.from(user.password);
    const b = Buffer.from(password);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  userExists(userid: string): boolean {
    return this.users.some((u) => u.userid === userid);
  }

  private sign(data: string, key: Buffer): string {
    return createHmac('sha256', key).update(data).digest('base64');
  }

  issueTicket(userid: string, nowMs = Date.now()): { ticket: string; csrf: string } {
    const stamp = hex8(Math.floor(nowMs / 1000));
    const plain = `PVE:${userid.replace(/:/g, '%3A')}:${stamp}`;
    const ticket = `${plain}::${this.sign(plain, this.key)}`;
    const csrf = `${stamp}:${this.sign(`${stamp}:${userid}`, this.csrfKey).replace(/=+$/, '')}`;
    return { ticket, csrf };
  }

  /** The user of a valid, unexpired ticket, or undefined. */
  verifyTicket(ticket: string, nowMs = Date.now()): string | undefined {
    const m = /^(PVE:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!m) return undefined;
    if (this.sign(m[1]!, this.key) !== m[4]) return undefined;
    const age = nowMs / 1000 - parseInt(m[3]!, 16);
    if (age < -300 || age >= this.lifetime()) return undefined;
    const userid = m[2]!.replace(/%3A/g, ':');
    return this.userExists(userid) ? userid : undefined;
  }

  verifyCsrf(token: string | undefined, userid: string, nowMs = Date.now()): boolean {
    if (!token) return false;
    const m = /^([0-9A-F]{8}):(.+)$/.exec(token);
    if (!m) return false;
    if (this.sign(`${m[1]}:${userid}`, this.csrfKey).replace(/=+$/, '') !== m[2]) return false;
    const age = nowMs / 1000 - parseInt(m[1]!, 16);
    return age >= -300 && age < this.lifetime();
  }

  /**
   * Authenticates a request. Returns undefined for no credentials at all; throws AuthLayerError for
   * bad credentials or a missing/invalid CSRF token (checked only when `needCsrf`).
   */
  authenticate(req: IncomingMessage, needCsrf: boolean): Identity | undefined {
    const authz = req.headers.authorization ?? '';
    const tokenMatch = /^PVEAPIToken[= ](([^!\s]+)![^=\s]+)=(.+)$/.exec(authz.trim());
    if (tokenMatch) {
      const tokenid = tokenMatch[1]!;
      const token = this.tokens.find((t) => t.tokenid === tokenid);
      if (!token || !this.userExists(tokenMatch[2]!)) throw new AuthLayerError('Authentication failed!');
      const a = Buffer.from(token.secret);
      const b = Buffer.from(tokenMatch[3]!);
      if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AuthLayerError('Authentication failed!');
      return { userid: tokenMatch[2]!, tokenid };
    }
    const ticket = cookieTicket(req.headers.cookie) ?? /^PVEAuthCookie=(.+)$/.exec(authz.trim())?.[1];
    if (!ticket) return undefined;
    const userid = this.verifyTicket(decodeURIComponent(ticket));
    if (!userid) throw new AuthLayerError('Authentication failed!');
    if (needCsrf) {
      const csrf = req.headers.csrfpreventiontoken;
      if (!this.verifyCsrf(Array.isArray(csrf) ? csrf[0] : csrf, userid)) throw new AuthLayerError('Permission denied - invalid csrf token');
    }
    return { userid, ticket };
  }

  token(tokenid: string): SimToken | undefined {
    return this.tokens.find((t) => t.tokenid === tokenid);
  }
}

function cookieTicket(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const m = /^\s*PVEAuthCookie=(.*)$/.exec(part);
    if (m && m[1]) return m[1].trim();
  }
  return undefined;
}
