// Proxmox volume ids (`<storage>:<vtype>/<file>`): the client takes the storage of a volume call
// from the volid. ISO file-name rules live in src/resolve/names.ts.

export interface Volid {
  storage: string;
  /** `iso`, `vztmpl`, `import`, ... */
  vtype: string;
  filename: string;
}

export function parseVolid(volid: string): Volid | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9\-_.]*):([a-z]+)\/(.+)$/.exec(volid);
  return m ? { storage: m[1]!, vtype: m[2]!, filename: m[3]! } : undefined;
}

export function formatVolid(v: Volid): string {
  return `${v.storage}:${v.vtype}/${v.filename}`;
}
