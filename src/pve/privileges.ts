// The least-privilege grant hclx asks for when Proxmox answers 403. pve-api.md §1.2 and §8:
// download-url needs Datastore.AllocateTemplate on the storage and Sys.AccessNetwork on the node
// (or, before PVE 8.1, Sys.Audit + Sys.Modify on `/`); listing content needs Datastore.Audit.
// Sys.AccessNetwork is in no built-in role except Administrator, so a custom role is the answer.

export const DOWNLOAD_ROLE = 'HclxDownload';
export const DOWNLOAD_ROLE_PRIVILEGES = ['Datastore.AllocateTemplate', 'Datastore.Audit', 'Sys.AccessNetwork'] as const;

/** Who the ACL is for: an API token (`user@realm!id`) or a user (`user@realm`). */
export interface Principal {
  kind: 'token' | 'user';
  id: string;
}

export interface GrantTarget {
  principal: Principal;
  node?: string;
  storage?: string;
  /** Also grant Datastore.Allocate (deleting or replacing files on the storage). */
  allowDelete?: boolean;
}

const quote = (s: string) => (/^[\w@.\-/:]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The `pveum` commands that give `principal` exactly what hclx needs, as one sentence. */
export function leastPrivilegeGrant(target: GrantTarget): string {
  const privs = [...DOWNLOAD_ROLE_PRIVILEGES, ...(target.allowDelete ? ['Datastore.Allocate'] : [])].join(' ');
  const who = `--${target.principal.kind === 'token' ? 'tokens' : 'users'} ${quote(target.principal.id)}`;
  const storagePath = `/storage/${target.storage ?? '<storage>'}`;
  const nodePath = `/nodes/${target.node ?? '<node>'}`;
  const commands = [
    `pveum role add ${DOWNLOAD_ROLE} --privs "${privs}"`,
    `pveum acl modify ${storagePath} ${who} --roles ${DOWNLOAD_ROLE}`,
    `pveum acl modify ${nodePath} ${who} --roles ${DOWNLOAD_ROLE}`,
  ];
  const tokenNote =
    target.principal.kind === 'token'
      ? ' An API token with privilege separation (the default) only has what is granted to the token itself, so name the token in the ACL, not only its user.'
      : '';
  return (
    `Grant the least privilege hclx needs (as root on a node): ${commands.map((c) => `\`${c}\``).join(', then ')} ` +
    `(use \`pveum role modify\` if the role exists).${tokenNote} ` +
    'Proxmox VE before 8.1 has no Sys.AccessNetwork: grant Sys.Audit and Sys.Modify on / instead.'
  );
}

/** Privileges a known API call needs, for 403 answers that do not name them (the `or` checks). */
export function requiredPrivileges(method: string, path: string): Array<{ path: string; privs: string }> | undefined {
  const m = /^\/nodes\/([^/]+)(?:\/storage\/([^/]+))?\/([^/]+)/.exec(path);
  if (!m) return undefined;
  const [, node, storage, leaf] = m;
  if (method === 'POST' && leaf === 'download-url' && storage) {
    return [
      { path: `/storage/${storage}`, privs: 'Datastore.AllocateTemplate' },
      { path: `/nodes/${node}`, privs: 'Sys.AccessNetwork (or Sys.Audit + Sys.Modify on /)' },
    ];
  }
  if (path.endsWith('/query-url-metadata')) return [{ path: `/nodes/${node}`, privs: 'Sys.AccessNetwork (or Sys.Audit + Sys.Modify on /)' }];
  if (leaf === 'content' && storage) {
    return method === 'DELETE'
      ? [{ path: `/storage/${storage}`, privs: 'Datastore.Allocate' }]
      : [{ path: `/storage/${storage}`, privs: 'Datastore.Audit' }];
  }
  if (leaf === 'tasks') return [{ path: `/nodes/${node}`, privs: 'Sys.Audit (to see tasks of other users)' }];
  return undefined;
}
