// Fault injection: a small grammar, parsed once, and the deterministic state each fault keeps
// (how many times it still fires). Grammar:
//
//   SPEC  := KIND [ ':' PARAM { ',' PARAM } ]        PARAM := KEY '=' VALUE
//
//   mirror-drop:after=BYTES[,count=N][,path=SUBSTR]   the mirror cuts the connection at file offset BYTES
//   download-drop:after=BYTES[,count=N]               the node's downloader loses the connection at BYTES (any URL)
//   rate-limit:bytes-per-sec=N[,target=download|mirror|upload]
//   api-error:status=5xx|4xx[,count=N][,path=SUBSTR][,method=M]   next N API requests fail (default N=1)
//   api-drop:[count=N][,path=SUBSTR][,method=M]       next N API requests get the connection closed (default N=1)
//   task-hang[:type=TYPE][,count=N]                   matching tasks never finish until stopped
//   corrupt-download[:offset=BYTES][,count=N][,target=download|mirror]   one byte flipped
//   storage-full[:storage=ID]                         no space left (avail 0, writes fail)
//   ticket-expire:after=DURATION                      tickets expire after DURATION (e.g. 5s, 500ms, 0)
//   slow-401:ms=N                                     every 401 answer is delayed N ms
//
// Sizes accept K/M/G (KiB-based) suffixes, durations ms/s/m. `count` omitted means "every time"
// except for api-error and api-drop, where it means once.

import { UsageError } from '../errors.js';

export type FaultKind =
  | 'mirror-drop' | 'download-drop' | 'rate-limit' | 'api-error' | 'api-drop' | 'task-hang'
  | 'corrupt-download' | 'storage-full' | 'ticket-expire' | 'slow-401';

export interface Fault {
  kind: FaultKind;
  spec: string;
  /** Remaining firings; undefined = unlimited. */
  remaining?: number;
  after?: number;
  path?: string;
  method?: string;
  status?: number;
  bytesPerSec?: number;
  target?: 'download' | 'mirror' | 'upload';
  type?: string;
  offset?: number;
  storage?: string;
  ms?: number;
}

const KEYS: Record<FaultKind, string[]> = {
  'mirror-drop': ['after', 'count', 'times', 'path'],
  'download-drop': ['after', 'count', 'times'],
  'rate-limit': ['bytes-per-sec', 'target'],
  'api-error': ['status', 'count', 'times', 'path', 'method'],
  'api-drop': ['count', 'times', 'path', 'method'],
  'task-hang': ['type', 'count', 'times'],
  'corrupt-download': ['offset', 'count', 'times', 'target'],
  'storage-full': ['storage'],
  'ticket-expire': ['after'],
  'slow-401': ['ms'],
};

export function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase()]!;
  return Number(m[1]) * unit;
}

export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  return Math.round(Number(m[1]) * unit);
}

function bad(spec: string, why: string): never {
  throw new UsageError(`invalid fault '${spec}': ${why}.`, {
    hint: 'Write KIND[:key=value,...], e.g. mirror-drop:after=1M,count=1 or api-error:status=503,count=3; see docs/reference/sim.md for the kinds.',
  });
}

export function parseFault(spec: string): Fault {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const kind = (colon < 0 ? text : text.slice(0, colon)) as FaultKind;
  if (!(kind in KEYS)) bad(spec, `unknown kind '${kind}' (known: ${Object.keys(KEYS).join(', ')})`);
  const params = new Map<string, string>();
  if (colon >= 0 && text.slice(colon + 1).trim() !== '') {
    for (const part of text.slice(colon + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq < 1) bad(spec, `'${part}' is not key=value`);
      const key = part.slice(0, eq).trim();
      if (!KEYS[kind].includes(key)) bad(spec, `'${key}' is not a parameter of ${kind} (allowed: ${KEYS[kind].join(', ')})`);
      params.set(key, part.slice(eq + 1).trim());
    }
  }
  const fault: Fault = { kind, spec: text };
  const size = (key: string, required: boolean) => {
    const v = params.get(key);
    if (v === undefined) return required ? bad(spec, `${key}= is required`) : undefined;
    return parseSize(v) ?? bad(spec, `${key}=${v} is not a size (bytes, or with K/M/G)`);
  };
  const count = params.get('count') ?? params.get('times');
  if (count !== undefined) {
    if (!/^\d+$/.test(count)) bad(spec, `count=${count} is not a whole number`);
    fault.remaining = Number(count);
  } else if (kind === 'api-error' || kind === 'api-drop') fault.remaining = 1;
  fault.path = params.get('path');
  fault.method = params.get('method')?.toUpperCase();
  switch (kind) {
    case 'mirror-drop':
    case 'download-drop':
      fault.after = size('after', true);
      break;
    case 'rate-limit':
      fault.bytesPerSec = size('bytes-per-sec', true);
      if (!fault.bytesPerSec) bad(spec, 'bytes-per-sec must be above 0');
      fault.target = target(spec, params.get('target') ?? 'download');
      break;
    case 'api-error': {
      const status = Number(params.get('status') ?? bad(spec, 'status= is required'));
      if (!Number.isInteger(status) || status < 400 || status > 599) bad(spec, 'status must be 400..599');
      fault.status = status;
      break;
    }
    case 'task-hang':
      fault.type = params.get('type');
      break;
    case 'corrupt-download':
      fault.offset = size('offset', false) ?? 0;
      fault.target = target(spec, params.get('target') ?? 'download');
      break;
    case 'storage-full':
      fault.storage = params.get('storage');
      break;
    case 'ticket-expire': {
      const v = params.get('after') ?? bad(spec, 'after= is required');
      fault.ms = parseDurationMs(v) ?? bad(spec, `after=${v} is not a duration (e.g. 5s, 500ms)`);
      break;
    }
    case 'slow-401': {
      const v = params.get('ms') ?? bad(spec, 'ms= is required');
      fault.ms = parseDurationMs(v.endsWith('s') ? v : `${v}ms`) ?? bad(spec, `ms=${v} is not a number of milliseconds`);
      break;
    }
    default:
      break;
  }
  return fault;
}

function target(spec: string, value: string): 'download' | 'mirror' | 'upload' {
  if (value === 'download' || value === 'mirror' || value === 'upload') return value;
  return bad(spec, `target=${value} must be download, mirror or upload`);
}

/** The active faults. `take()` consumes one firing of the first matching fault. */
export class FaultSet {
  private faults: Fault[] = [];

  constructor(specs: string[] = []) {
    for (const s of specs) this.add(s);
  }

  /** Adds a fault; one of the same kind (and target) replaces the earlier one. */
  add(spec: string): Fault {
    const fault = parseFault(spec);
    this.faults = this.faults.filter((f) => !(f.kind === fault.kind && f.target === fault.target));
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The first live fault of this kind matching `pred`, without consuming it. */
  peek(kind: FaultKind, pred: (f: Fault) => boolean = () => true): Fault | undefined {
    return this.faults.find((f) => f.kind === kind && (f.remaining === undefined || f.remaining > 0) && pred(f));
  }

  /** Like peek, but counts one firing. */
  take(kind: FaultKind, pred: (f: Fault) => boolean = () => true): Fault | undefined {
    const f = this.peek(kind, pred);
    if (f && f.remaining !== undefined) f.remaining--;
    return f;
  }
}
