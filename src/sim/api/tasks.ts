// Task endpoints: list (source, typefilter, userfilter, vmid, errors, since/until, statusfilter,
// start/limit), status, log (start/limit/total, `no content`, download) and stop.
import { handlerError, paramError } from '../api-error.js';
import type { Identity } from '../auth.js';
import { boolParam, intParam, splitList } from '../param-schema.js';
import type { RouteDef, SimContext } from '../sim-context.js';
import type { Task } from '../tasks.js';
import { parseUpid } from '../upid.js';
import { ok, requireNode } from './common.js';

/** The task's owner is the caller, or the caller is the user of the token that started it. */
function ownsUser(id: Identity, user: string): boolean {
  if (id.tokenid) return user === id.tokenid;
  return user === id.userid || user.startsWith(`${id.userid}!`);
}

const owns = (id: Identity, task: Task) => ownsUser(id, task.info.user);

function findTask(sim: SimContext, node: string, upid: string): Task {
  if (!parseUpid(upid)) throw paramError({ upid: 'unable to parse worker upid' });
  const task = sim.tasks.find(upid);
  // Like PVE, a task is only known on the node it ran on.
  if (!task || task.info.node !== node) throw paramError({ upid: 'no such task' });
  return task;
}

function userFields(task: Task): { user: string; tokenid?: string } {
  const [user, token] = task.info.user.split('!');
  return token ? { user: user!, tokenid: token } : { user: user! };
}

function statusClass(exitstatus: string | undefined): string {
  if (exitstatus === 'OK') return 'ok';
  if (exitstatus?.startsWith('WARNINGS')) return 'warning';
  if (exitstatus === undefined || exitstatus === 'unexpected status') return 'unknown';
  return 'error';
}

export const taskRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/nodes/{node}/tasks',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const source = (params.source as string | undefined) ?? 'archive';
      const audit = sim.perms.has(identity, `/nodes/${node}`, 'Sys.Audit');
      const typefilter = params.typefilter as string | undefined;
      const userfilter = (params.userfilter as string | undefined)?.toLowerCase();
      const vmid = params.vmid !== undefined ? String(params.vmid) : undefined;
      const since = intParam(params.since);
      const until = intParam(params.until);
      const statuses = params.statusfilter !== undefined ? splitList(String(params.statusfilter)).map((s) => s.toLowerCase()) : undefined;
      const onlyErrors = boolParam(params.errors, false);
      const list = sim.tasks
        .all()
        .filter((t) => t.info.node === node)
        .filter((t) => (source === 'active' ? t.status === 'running' : source === 'archive' ? t.status === 'stopped' : true))
        .filter((t) => audit || owns(identity, t))
        .filter((t) => !typefilter || t.info.type === typefilter)
        .filter((t) => !userfilter || t.info.user.toLowerCase().includes(userfilter))
        .filter((t) => vmid === undefined || t.info.id === vmid)
        .filter((t) => since === undefined || t.info.starttime >= since)
        .filter((t) => until === undefined || t.info.starttime <= until)
        .filter((t) => !onlyErrors || (t.status === 'stopped' && statusClass(t.exitstatus) === 'error'))
        .filter((t) => !statuses || t.status === 'running' || statuses.includes(statusClass(t.exitstatus)))
        .sort((a, b) => b.info.starttime - a.info.starttime || b.info.pid - a.info.pid);
      const start = intParam(params.start, 0);
      const limit = intParam(params.limit, 50);
      const page = list.slice(start, start + limit).map((t) => ({
        upid: t.upid,
        node: t.info.node,
        pid: t.info.pid,
        pstart: t.info.pstart,
        starttime: t.info.starttime,
        type: t.info.type,
        id: t.info.id,
        ...userFields(t),
        ...(t.status === 'stopped' ? { endtime: t.endtime, status: t.exitstatus } : source !== 'archive' ? { status: 'RUNNING' } : {}),
      }));
      return ok(page, list.length);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/status',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const task = findTask(sim, node, String(params.upid));
      if (!owns(identity, task)) sim.perms.check(identity, `/nodes/${node}`, ['Sys.Audit']);
      return ok({
        upid: task.upid,
        node: task.info.node,
        pid: task.info.pid,
        pstart: task.info.pstart,
        starttime: task.info.starttime,
        type: task.info.type,
        id: task.info.id,
        ...userFields(task),
        status: task.status,
        ...(task.status === 'stopped' ? { exitstatus: task.exitstatus } : {}),
      });
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/tasks/{upid}/log',
    async handle({ sim, params, identity, res }) {
      const node = requireNode(sim, params.node);
      const upid = String(params.upid);
      const info = parseUpid(upid);
      if (!info) throw paramError({ upid: 'unable to parse worker upid' });
      // read_task_log checks no existence: the owner comes from the UPID, a missing log file is a line.
      if (!ownsUser(identity, info.user)) sim.perms.check(identity, `/nodes/${node}`, ['Sys.Audit']);
      const found = sim.tasks.find(upid);
      const task = found && found.info.node === node ? found : undefined;
      if (!task) {
        if (boolParam(params.download, false)) throw handlerError(`Could not open file '/var/log/pve/tasks/${info.starttime.toString(16).toUpperCase().slice(-1)}/${upid}' - No such file or directory`);
        // PVE::Tools::dump_logfile returns a single line object (not a list) when it cannot open the file.
        return ok({ n: 1, t: 'unable to open file - No such file or directory' }, 1);
      }
      if (boolParam(params.download, false)) {
        if (params.start !== undefined || params.limit !== undefined) throw paramError({ download: "Parameter 'download' can't be used with other parameters" });
        const stamp = new Date(task.info.starttime * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
        const body = task.lines.join('\n') + '\n';
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Disposition': `attachment; filename="task-${node}-${task.info.type}-${stamp}.log"`, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return { raw: true };
      }
      const start = intParam(params.start, 0);
      const limit = intParam(params.limit, 50);
      const lines = task.lines;
      if (lines.length === 0) return ok([{ n: 1, t: 'no content' }], 1);
      const end = limit === 0 ? lines.length : Math.min(lines.length, start + limit);
      const page = [];
      for (let i = start; i < end; i++) page.push({ n: i + 1, t: lines[i] });
      return ok(page, lines.length);
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/tasks/{upid}',
    async handle({ sim, params, identity }) {
      const node = requireNode(sim, params.node);
      const task = findTask(sim, node, String(params.upid));
      if (!owns(identity, task)) sim.perms.check(identity, `/nodes/${node}`, ['Sys.Modify']);
      await sim.tasks.stop(task);
      return ok(null);
    },
  },
];

