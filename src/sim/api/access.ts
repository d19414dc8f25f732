// POST /access/ticket: password login, ticket renewal (a valid ticket as password) and the
// verify-only mode (path + privs). Bad credentials answer 401 `authentication failure`.
// GET /access/permissions: the effective permissions of the caller (or, with Sys.Audit on
// /access, of another user or token), as pve-access-control's `permissions` method returns them.
import { ApiError, permError } from '../api-error.js';
import { principal } from '../auth.js';
import type { Identity } from '../auth.js';
import type { RouteDef } from '../sim-context.js';
import { splitList } from '../param-schema.js';
import { ok } from './common.js';

export const accessRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/access/ticket',
    async handle({ sim, params }) {
      let username = String(params.username);
      if (params.realm !== undefined && !username.includes('@')) username = `${username}@${String(params.realm)}`;
      const password = String(params.password);
      const fromTicket = password.startsWith('PVE:') ? sim.auth.verifyTicket(password) : undefined;
      const valid = fromTicket ? fromTicket === username : sim.auth.checkPassword(username, password);
      if (!valid) {
        const delay = sim.authFailureDelayMs();
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        throw new ApiError(401, 'authentication failure');
      }
      if (params.path !== undefined) {
        // Verify-only mode: answer whether the user holds the privileges on the path.
        for (const priv of splitList(String(params.privs))) if (!sim.perms.has({ userid: username }, String(params.path), priv)) throw permError();
        return ok({ username });
      }
      const { ticket, csrf } = sim.auth.issueTicket(username);
      return ok({ username, ticket, CSRFPreventionToken: csrf, cap: {} });
    },
  },
  {
    method: 'GET',
    path: '/access/permissions',
    async handle({ sim, params, identity }) {
      const authid = principal(identity);
      const userid = params.userid !== undefined ? String(params.userid) : authid;
      const bang = userid.indexOf('!');
      const owner = bang > 0 ? userid.slice(0, bang) : undefined;
      // Each user or token may dump its own permissions, a user also those of its tokens.
      if (userid !== authid && owner !== authid) sim.perms.check(identity, '/access', ['Sys.Audit']);
      const subject: Identity = owner ? { userid: owner, tokenid: userid } : { userid };
      // `if (my $path = $param->{path})`: an empty path (or Perl-false '0') dumps the whole tree.
      const path = params.path === undefined ? '' : String(params.path);
      if (path !== '' && path !== '0') return ok({ [path]: sim.perms.privilegesOn(subject, path) });
      return ok(sim.perms.effective(subject));
    },
  },
];
