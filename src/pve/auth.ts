// Authentication state for the Proxmox client. API tokens are stateless (one header). Password
// auth logs in for a ticket + CSRF token (pve-api.md §5), renews the ticket before its 2 h
// lifetime ends by posting the ticket as password (as proxmoxer does after 1 h), and logs in
// again once when Proxmox answers 401 to a ticket it no longer accepts.

import { registerSecret } from '../log.js';
import type { PveAuth } from './connection.js';

export interface Ticket {
  ticket: string;
  csrfToken: string;
  /** Local time (ms) when it was issued. */
  issuedAt: number;
}

/** Performs `POST /access/ticket`; `password` is the password or, to renew, the current ticket. */
export type LoginFn = (username: string, password: string) => Promise<{ ticket: string; CSRFPreventionToken: string }>;

export interface AuthSession {
  /** Headers that authenticate a request with this method. */
  headers(method: string): Promise<Record<string, string>>;
  /** After a 401: gets fresh credentials if that can help; true when the request should be retried once. */
  refreshAfterRejection(): Promise<boolean>;
}

export function createAuthSession(auth: PveAuth, login: LoginFn, options: { now?: () => number; renewAfterMs?: number } = {}): AuthSession {
  if (auth.kind === 'token') {
    registerSecret(auth.secret);
    const header = { Authorization: `PVEAPIToken=${auth.tokenId}=${auth.secret}` };
    return { headers: async () => header, refreshAfterRejection: async () => false };
  }
  return new TicketSession(auth, login, options.now ?? Date.now, options.renewAfterMs ?? 3_600_000);
}

class TicketSession implements AuthSession {
  private current: Ticket | undefined;
  /** One login at a time; concurrent requests share it. */
  private pending: Promise<Ticket> | undefined;

  constructor(
    private readonly auth: Extract<PveAuth, { kind: 'password' }>,
    private readonly login: LoginFn,
    private readonly now: () => number,
    private readonly renewAfterMs: number,
  ) {
    registerSecret(auth.password);
  }

  async headers(method: string): Promise<Record<string, string>> {
    const t = await this.ticket();
    const h: Record<string, string> = { Cookie: `PVEAuthCookie=${encodeURIComponent(t.ticket)}` };
    if (method !== 'GET') h.CSRFPreventionToken = t.csrfToken;
    return h;
  }

  async refreshAfterRejection(): Promise<boolean> {
    this.current = undefined;
    await this.ticket(true);
    return true;
  }

  private ticket(forceLogin = false): Promise<Ticket> {
    if (this.pending) return this.pending;
    const cur = this.current;
    if (cur && !forceLogin && this.now() - cur.issuedAt < this.renewAfterMs) return Promise.resolve(cur);
    this.pending = (async () => {
      try {
        if (cur && !forceLogin) {
          try {
            return (this.current = await this.obtain(cur.ticket));
          } catch {
            // The old ticket may already be past its lifetime; a full login settles it.
          }
        }
        return (this.current = await this.obtain(this.auth.password));
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  private async obtain(password: string): Promise<Ticket> {
    const r = await this.login(this.auth.username, password);
    registerSecret(r.ticket);
    registerSecret(r.CSRFPreventionToken);
    return { ticket: r.ticket, csrfToken: r.CSRFPreventionToken, issuedAt: this.now() };
  }
}
