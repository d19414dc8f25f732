// A scripted Proxmox node for unit tests of the engine's task handling, on a virtual clock: sleeping
// advances time instantly, so stall and timeout tests take no real time.
import type { NodeApi } from '../../src/provision/request.js';
import type { ContentItem, DownloadUrlParams, TaskListItem, TaskStatus } from '../../src/pve/types.js';
import { ProxmoxError } from '../../src/errors.js';

export interface TaskScript {
  /** Log lines and the virtual time (ms after start) they appear at. */
  lines: Array<[number, string]>;
  /** When the task ends (undefined = never) and how. */
  endAt?: number;
  exitstatus?: string;
  /** The file appears on success. */
  size?: number;
}

interface FakeTask {
  upid: string;
  id: string;
  start: number;
  script: TaskScript;
  stoppedAt?: number;
  stoppedBy?: 'stop';
}

export class FakeNode {
  t = 0;
  calls: string[] = [];
  files = new Map<string, number>();
  tasks: FakeTask[] = [];
  /** What the next download-url calls do, in order (the last one repeats). */
  scripts: Array<TaskScript | (() => never)> = [];
  private seq = 0;
  readonly connection = { url: 'https://fake:8006/api2/json', auth: { kind: 'token' as const, tokenId: 'ci@pve!t', secret: 's' } };

  now = () => this.t;
  sleep = async (ms: number, signal?: AbortSignal) => {
    if (signal?.aborted) throw signal.reason;
    this.t += ms;
    if (signal?.aborted) throw signal.reason;
  };

  private running(task: FakeTask): boolean {
    return task.stoppedAt === undefined && (task.script.endAt === undefined || this.t < task.start + task.script.endAt);
  }
  private settle(task: FakeTask): void {
    if (task.stoppedAt === undefined && !this.running(task) && task.script.exitstatus === 'OK' && task.script.size !== undefined) {
      this.files.set(`local:iso/${task.id}`, task.script.size);
    }
  }
  find(upid: string): FakeTask {
    const task = this.tasks.find((x) => x.upid === upid);
    if (!task) throw new ProxmoxError('no such task', { code: 'E_PVE_NO_SUCH_TASK', status: 400 });
    return task;
  }
  runningTasks(): string[] {
    return this.tasks.filter((x) => this.running(x)).map((x) => x.upid);
  }

  api(): NodeApi {
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias
    const api: Partial<NodeApi> = {
      connection: this.connection,
      async nodes() {
        return [{ node: 'pve', status: 'online' }];
      },
      async storages() {
        return [{ storage: 'local', type: 'dir', content: ['iso'], enabled: true, active: true, shared: false, avail: 10 ** 12 }];
      },
      async content(): Promise<ContentItem[]> {
        self.calls.push('content');
        self.tasks.forEach((x) => self.settle(x));
        return [...self.files].map(([volid, size]) => ({ volid, format: 'iso', size }));
      },
      async downloadUrl(_node: string, _storage: string, p: DownloadUrlParams): Promise<string> {
        self.calls.push(`download-url ${p.url}`);
        const next = self.scripts.length > 1 ? self.scripts.shift()! : self.scripts[0]!;
        if (typeof next === 'function') next();
        const upid = `UPID:pve:${(++self.seq).toString(16).padStart(8, '0')}:00000001:00000001:download:${p.filename}:ci@pve!t:`;
        self.tasks.push({ upid, id: p.filename, start: self.t, script: next as TaskScript });
        return upid;
      },
      async taskStatus(upid: string): Promise<TaskStatus> {
        const task = self.find(upid);
        self.settle(task);
        const running = self.running(task);
        const exitstatus = task.stoppedBy ? 'download failed: received interrupt' : task.script.exitstatus;
        return { upid, node: 'pve', status: running ? 'running' : 'stopped', ...(running ? {} : { exitstatus: exitstatus ?? 'unexpected status' }), type: 'download', id: task.id, user: 'ci@pve!t', starttime: 1, pid: 1 };
      },
      async taskLog(upid: string, range: { start?: number; limit?: number } = {}) {
        const task = self.find(upid);
        const visible = task.script.lines.filter(([at]) => task.start + at <= (task.stoppedAt ?? self.t)).map(([, t], i) => ({ n: i + 1, t }));
        const start = range.start ?? 0;
        return { lines: visible.slice(start, start + (range.limit ?? 50)), total: visible.length };
      },
      async tasks(): Promise<TaskListItem[]> {
        return self.tasks.filter((x) => self.running(x)).map((x) => ({ upid: x.upid, node: 'pve', type: 'download', id: x.id, user: 'other@pve', starttime: 1, status: 'RUNNING' }));
      },
      async stopTask(upid: string) {
        self.calls.push(`stop ${upid}`);
        const task = self.find(upid);
        if (self.running(task)) {
          task.stoppedAt = self.t;
          task.stoppedBy = 'stop';
        }
      },
      async queryUrlMetadata() {
        return {};
      },
      async deleteContent(_node: string, volid: string) {
        self.calls.push(`delete ${volid}`);
        self.files.delete(volid);
        return null;
      },
    };
    return api as NodeApi;
  }
}

export const MIB = 1024 * 1024;
/** A successful download-url task log for a file of `size` bytes (lines every `step` ms). */
export function okScript(size: number, step = 1000): TaskScript {
  return {
    lines: [
      [0, 'downloading http://m/x.iso to /var/lib/vz/template/iso/x.iso'],
      [step, `Length: ${size} (${Math.round(size / MIB)}M) [application/octet-stream]`],
      [2 * step, `     0K ........ ........ ........ ........ 50% 32.0M 1s`],
      [3 * step, `2026-01-01 00:00:00 (32 MB/s) - 'x.tmp_dwnl.1' saved [${size}/${size}]`],
      [3 * step, 'calculating checksum...OK, checksum verified'],
      [4 * step, 'TASK OK'],
    ],
    endAt: 4 * step,
    exitstatus: 'OK',
    size,
  };
}
