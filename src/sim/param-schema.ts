// Parameter verification as PVE's JSONSchema.pm does it for API calls (check_object/check_prop):
// same order of checks, same per-parameter messages, patterns anchored as `m/^$pattern$/`, booleans
// only as 1/0 (or JSON true/false), integers as /^[+-]?\d+$/, named formats validated by the
// registered verifier ("invalid format - ..."). Driven entirely by the schema objects it is given.

export interface PropSchema {
  type?: string;
  optional?: number | boolean;
  enum?: string[] | null;
  pattern?: string;
  format?: string;
  maxLength?: number;
  minLength?: number;
  maximum?: number;
  minimum?: number;
  requires?: string;
  default?: unknown;
  description?: string;
  [extra: string]: unknown;
}

export interface ParamsSchema {
  additionalProperties?: number | boolean;
  properties?: Record<string, PropSchema>;
}

/** A request parameter as it arrives: strings from forms/query, any JSON value from JSON bodies. */
export type ParamValue = unknown;

export const CONTENT_TYPES = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import', 'none'];

// The simulator knows these privilege names (AC `AccessControl.pm` privgroups).
export const KNOWN_PRIVILEGES = [
  'Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.AllocateTemplate', 'Datastore.Audit',
  'Sys.Audit', 'Sys.Console', 'Sys.Incoming', 'Sys.Modify', 'Sys.PowerMgmt', 'Sys.Syslog', 'Sys.AccessNetwork',
  'VM.Allocate', 'VM.Audit', 'VM.Backup', 'VM.Clone', 'VM.Config.CDROM', 'VM.Config.CPU', 'VM.Config.Cloudinit',
  'VM.Config.Disk', 'VM.Config.HWType', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.Options',
  'VM.Console', 'VM.Migrate', 'VM.PowerMgmt', 'VM.Snapshot', 'VM.Snapshot.Rollback', 'VM.GuestAgent.Audit',
  'Pool.Allocate', 'Pool.Audit', 'Permissions.Modify', 'Realm.Allocate', 'Realm.AllocateUser', 'User.Modify',
  'Group.Allocate', 'SDN.Allocate', 'SDN.Audit', 'SDN.Use', 'Mapping.Audit', 'Mapping.Modify', 'Mapping.Use',
];

type Verifier = (value: string) => void;

const fail = (msg: string): never => {
  throw new Error(`${msg}\n`);
};

/** Named formats (PC `JSONSchema.pm`, ST `Plugin.pm`, AC `AccessControl.pm`); the die texts are PVE's. */
const FORMATS: Record<string, Verifier> = {
  'pve-node': (v) => {
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(v)) fail('value does not look like a valid node name');
  },
  'pve-storage-id': (v) => {
    if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v)) fail(`storage ID '${v}' contains illegal characters`);
  },
  'pve-vmid': (v) => {
    if (!/^[1-9][0-9]{2,8}$/.test(v)) fail('value does not look like a valid VM ID');
  },
  'pve-storage-content': (v) => {
    if (!CONTENT_TYPES.includes(v)) fail(`invalid content type '${v}'`);
  },
  'pve-realm': (v) => {
    if (!/^[A-Za-z][A-Za-z0-9.\-_]+$/.test(v)) fail('value does not look like a valid realm');
  },
  'pve-priv': (v) => {
    if (!KNOWN_PRIVILEGES.includes(v)) fail(`invalid privilege '${v}'`);
  },
  'pve-task-status-type': (v) => {
    if (!/^(ok|error|warning|unknown)$/i.test(v)) fail(`invalid status '${v}'`);
  },
  'pve-configid': (v) => {
    if (!/^[a-z][a-z0-9_-]+$/i.test(v)) fail(`invalid configuration ID '${v}'`);
  },
  'pve-tag': (v) => {
    if (!/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v)) fail('invalid characters in tag');
  },
};

/** PC `Tools.pm` split_list. */
export function splitList(text: string): string[] {
  if (text.includes('\0')) return text.split('\0');
  return text.replace(/[,;]/g, ' ').trim().split(/\s+/).filter((s) => s !== '');
}

function checkFormat(format: string, value: string): void {
  const m = /^(.*?)(?:-(list|opt))?$/.exec(format)!;
  const name = m[1]!;
  const kind = m[2] ?? 'none';
  const verify = FORMATS[name];
  // Formats the simulator does not model are accepted as they are (none of the simulated endpoints
  // rely on one), rather than rejecting requests PVE would take.
  if (!verify) return;
  if (kind === 'list') for (const item of splitList(value)) verify(item);
  else if (kind === 'opt') {
    if (value) verify(value);
  } else verify(value);
}

function isNumber(text: string): boolean {
  return /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(text);
}

/** Perl's `m/^$pattern$/`: no grouping around the pattern, and `$` also matches before a final newline. */
function perlAnchoredMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern}$`);
  return re.test(value) || (value.endsWith('\n') && re.test(value.slice(0, -1)));
}

function refName(value: unknown): string | undefined {
  if (typeof value === 'boolean') return 'JSON::PP::Boolean';
  if (Array.isArray(value)) return 'ARRAY';
  if (value !== null && typeof value === 'object') return 'HASH';
  return undefined;
}

function addError(errors: Record<string, string>, path: string, msg: string): void {
  errors[path] = errors[path] ? `${errors[path]}\n${msg}` : msg;
}

function checkProp(value: unknown, schema: PropSchema, path: string, errors: Record<string, string>): void {
  if (value === undefined || value === null) {
    if (!schema.optional) addError(errors, path, 'property is missing and it is not optional');
    return;
  }
  const type = schema.type;
  const ref = refName(value);
  if (type && type !== 'any') {
    if (type === 'array' || type === 'object') {
      if (ref !== (type === 'array' ? 'ARRAY' : 'HASH')) return addError(errors, path, `type check ('${type}') failed`);
      return;
    }
    if (ref) {
      if (!(type === 'boolean' && typeof value === 'boolean')) return addError(errors, path, `type check ('${type}') failed - got ${ref}`);
    } else {
      const text = String(value);
      if (type === 'boolean' && text !== '1' && text !== '0') return addError(errors, path, `type check ('${type}') failed - got '${text}'`);
      if (type === 'integer' && !/^[+-]?\d+$/.test(text)) return addError(errors, path, `type check ('${type}') failed - got '${text}'`);
      if (type === 'number' && !isNumber(text)) return addError(errors, path, `type check ('${type}') failed - got '${text}'`);
    }
  }
  if (ref) return;
  const text = String(value);
  if (schema.format) {
    try {
      checkFormat(schema.format, text);
    } catch (e) {
      return addError(errors, path, `invalid format - ${(e as Error).message}`);
    }
  }
  if (schema.pattern && !perlAnchoredMatch(schema.pattern, text)) return addError(errors, path, 'value does not match the regex pattern');
  if (schema.maxLength !== undefined && [...text].length > schema.maxLength) return addError(errors, path, `value may only be ${schema.maxLength} characters long`);
  if (schema.minLength !== undefined && [...text].length < schema.minLength) return addError(errors, path, `value must be at least ${schema.minLength} characters long`);
  if (isNumber(text)) {
    if (schema.maximum !== undefined && Number(text) > schema.maximum) return addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
    if (schema.minimum !== undefined && Number(text) < schema.minimum) return addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
  }
  if (schema.enum && !schema.enum.includes(text)) {
    addError(errors, path, `value '${text}' does not have a value in the enumeration '${schema.enum.join(', ')}'`);
  }
}

/**
 * Verifies request parameters against an API method's `parameters` schema. Returns the
 * per-parameter error map (empty when the parameters are valid), exactly as PVE would report it.
 */
export function verifyParams(schema: ParamsSchema, params: Record<string, ParamValue>): Record<string, string> {
  const errors: Record<string, string> = {};
  const props = schema.properties ?? {};
  for (const [name, prop] of Object.entries(props)) checkProp(params[name], prop, name, errors);
  for (const name of Object.keys(params)) {
    const prop = props[name];
    if (prop) {
      const requires = prop.requires;
      if (typeof requires === 'string' && (params[requires] === undefined || params[requires] === null)) {
        addError(errors, requires, `missing property - '${name}' requires this property`);
      }
      continue;
    }
    if (!schema.additionalProperties) {
      addError(errors, name, 'property is not defined in schema and the schema does not allow additional properties');
    }
  }
  return errors;
}

/** Reads a verified boolean parameter (1/0, JSON true/false) with its default. */
export function boolParam(value: ParamValue, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  return String(value) === '1';
}

/** Reads a verified integer parameter with its default. */
export function intParam(value: ParamValue, fallback: number): number;
export function intParam(value: ParamValue, fallback?: number): number | undefined;
export function intParam(value: ParamValue, fallback?: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  return parseInt(String(value), 10);
}

/** Reads a verified string parameter. */
export function strParam(value: ParamValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(value);
}
