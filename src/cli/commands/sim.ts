// `hclx sim`: parses options, starts the Proxmox VE API simulator with its ISO mirror, prints
// where it is and how to log in, and runs until SIGINT/SIGTERM.
import { randomBytes } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { defineCommand } from '../command.js';
import { UsageError } from '../../errors.js';
import { registerSecret } from '../../log.js';
import { DEFAULT_PASSWORD, loadConfigFile, parseFault, parseListen, parseMirrorFileSpec, parseSize, parseTokenSpec, parseUserSpec, startSimulator } from '../../sim/index.js';
import type { SimConfig } from '../../sim/index.js';

interface SimOptions {
  listen?: string;
  tls?: boolean;
  dataDir?: string;
  node?: string[];
  config?: string;
  user?: string[];
  token?: string[];
  mirror?: string;
  mirrorFile?: string[];
  fault?: string[];
  ticketLifetime?: number;
  hashRate?: string;
  guestAddress?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** `--hash-rate`: bytes per second, with K/M/G (1024-based) like the fault sizes. */
function parseRate(text: string): number {
  const bytes = parseSize(text);
  if (!bytes) throw new UsageError(`--hash-rate '${text}' is not a rate in bytes per second.`, { hint: 'Example: --hash-rate 200M (200 MiB/s, about a SATA SSD).' });
  return bytes;
}

export const command = defineCommand<SimOptions>({
  name: 'sim',
  describe: 'Run the Proxmox VE 9.1 API simulator with an ISO mirror (for demos, tests and CI).',
  usage: 'sim [--listen HOST:PORT] [--tls] [--data-dir DIR] [--node NAME]... [--config FILE] [--user USER@REALM:PASSWORD]... [--token USER@REALM!ID=SECRET]... [--mirror DIR] [--mirror-file NAME:SIZE]... [--fault SPEC]... [--hash-rate BYTES_PER_SEC] [--guest-address IPV4]',
  options: (y) =>
    y
      .option('listen', { type: 'string', describe: 'address to serve on (default 127.0.0.1:8006; port 0 picks a free port)' })
      .option('tls', { type: 'boolean', describe: 'serve HTTPS with a CA made at start (its file is printed)' })
      .option('data-dir', { type: 'string', describe: 'keep storage files here (default: a temporary directory removed on exit)' })
      .option('node', { type: 'string', array: true, describe: 'node name (repeatable; default pve)' })
      .option('config', { type: 'string', describe: 'JSON config file (storages, users, tokens, ACLs, faults, ...)' })
      .option('user', { type: 'string', array: true, describe: 'add a user USER@REALM:PASSWORD (repeatable)' })
      .option('token', { type: 'string', array: true, describe: 'add an API token USER@REALM!ID=SECRET (repeatable)' })
      .option('mirror', { type: 'string', describe: 'serve this directory under /mirror/' })
      .option('mirror-file', { type: 'string', array: true, describe: 'serve a generated ISO-like file NAME:SIZE (repeatable)' })
      .option('fault', { type: 'string', array: true, describe: 'inject a fault, e.g. api-error:status=503,count=3 (repeatable)' })
      .option('ticket-lifetime', { type: 'number', describe: 'ticket lifetime in seconds (Proxmox: 7200)' })
      .option('hash-rate', { type: 'string', describe: 'hash files on the node at this rate, bytes/s with K/M/G (default: unpaced)' })
      .option('guest-address', { type: 'string', describe: 'IPv4 address the guest agent reports on the first NIC' }) as never,
  async run(options, _packerFlags, positionals, ctx) {
    if (positionals.length) throw new UsageError(`hclx sim takes no positional arguments, got: ${positionals.join(' ')}.`, { hint: 'Run `hclx sim --help`.' });
    const config: SimConfig = options.config ? loadConfigFile(options.config) : {};
    const listen = parseListen(options.listen ?? `${config.host ?? '127.0.0.1'}:${config.port ?? 8006}`);
    config.host = listen.host ?? config.host ?? '127.0.0.1';
    config.port = listen.port;
    if (options.tls !== undefined) config.tls = options.tls;
    if (options.dataDir) config.dataDir = options.dataDir;
    if (options.node?.length) config.nodes = options.node;
    if (options.mirror) config.mirrorDir = options.mirror;
    if (options.ticketLifetime !== undefined) config.ticketLifetime = options.ticketLifetime;
    if (options.hashRate !== undefined) config.hashRate = parseRate(options.hashRate);
    if (options.guestAddress !== undefined) {
      if (!isIPv4(options.guestAddress)) throw new UsageError(`--guest-address '${options.guestAddress}' is not an IPv4 address.`, { hint: 'Example: --guest-address 192.0.2.10.' });
      config.guestAddress = options.guestAddress;
    }
    config.users = [...(config.users ?? []), ...(options.user ?? []).map((u) => parseUserSpec(u))];
    config.tokens = [...(config.tokens ?? []), ...(options.token ?? []).map((t) => parseTokenSpec(t))];
    config.mirrorFiles = { ...(config.mirrorFiles ?? {}), ...Object.fromEntries((options.mirrorFile ?? []).map(parseMirrorFileSpec)) };
    config.faults = [...(config.faults ?? []), ...(options.fault ?? [])];
    for (const f of config.faults) parseFault(f);
    // Reachable from other machines: do not fall back to the well-known default password.
    if (!config.users.some((u) => u.userid === 'root@pam')) {
      const password = LOOPBACK.has(config.host) ? DEFAULT_PASSWORD : randomBytes(12).toString('base64url');
      config.users.unshift({ userid: 'root@pam', password });
    }
    for (const u of config.users) registerSecret(u.password);
    for (const t of config.tokens) registerSecret(t.secret);

    const sim = await startSimulator(config);
    const out: string[] = [];
    out.push(`hclx sim: Proxmox VE ${config.version ?? '9.1.2'} API simulator is running`);
    out.push(`  API URL:    ${sim.apiUrl}`);
    out.push(`  mirror:     ${sim.mirrorUrl}  (${Object.keys(config.mirrorFiles).length} generated file(s)${config.mirrorDir ? `, directory ${config.mirrorDir}` : ''}; SHA256SUMS, SHA512SUMS)`);
    if (sim.caFile) out.push(`  CA file:    ${sim.caFile}  (trust it, e.g. NODE_EXTRA_CA_CERTS=${sim.caFile}; Packer: insecure_skip_tls_verify = true)`);
    out.push(`  nodes:      ${(config.nodes ?? ['pve']).join(', ')}`);
    out.push(`  data dir:   ${sim.dataDir}${config.dataDir ? '' : ' (temporary, removed on exit)'}`);
    // The one place hclx prints a credential: the user needs it to log in to the simulator.
    out.push('  log in with (printed on purpose so you can use them):');
    for (const u of config.users) out.push(`    username ${u.userid}  password ${u.password}`);
    for (const t of config.tokens) out.push(`    token ${t.tokenid}  (secret as given on the command line or in the config file)`);
    if (config.faults.length) out.push(`  faults:     ${config.faults.join('  ')}`);
    if (config.hashRate) out.push(`  hash rate:  ${config.hashRate} bytes/s for every node-side checksum pass`);
    out.push('  stats: GET /sim/stats; faults at run time: POST/DELETE /sim/faults. Press Ctrl-C to stop.');
    ctx.stdout.write(out.join('\n') + '\n');

    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await sim.stop();
    ctx.stdout.write('hclx sim: stopped.\n');
    return 0;
  },
});
