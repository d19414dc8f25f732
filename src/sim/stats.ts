// Counters of where requests and bytes flowed, for tests and benchmarks (`GET /sim/stats`).
import type { SimStats } from './types.js';

export function emptyStats(): SimStats {
  return {
    requests: 0,
    requestsByRoute: {},
    tasksStarted: 0,
    tasksByType: {},
    bytesDownloadedByNode: 0,
    bytesReceivedByUpload: 0,
    bytesServedByMirror: 0,
    hashPasses: 0,
    bytesHashed: 0,
  };
}

export class StatsCounter {
  private s: SimStats = emptyStats();

  snapshot(): SimStats {
    return { ...this.s, requestsByRoute: { ...this.s.requestsByRoute }, tasksByType: { ...this.s.tasksByType } };
  }

  reset(): void {
    this.s = emptyStats();
  }

  request(route: string): void {
    this.s.requests++;
    this.s.requestsByRoute[route] = (this.s.requestsByRoute[route] ?? 0) + 1;
  }

  task(type: string): void {
    this.s.tasksStarted++;
    this.s.tasksByType[type] = (this.s.tasksByType[type] ?? 0) + 1;
  }

  downloaded(bytes: number): void {
    this.s.bytesDownloadedByNode += bytes;
  }

  uploaded(bytes: number): void {
    this.s.bytesReceivedByUpload += bytes;
  }

  served(bytes: number): void {
    this.s.bytesServedByMirror += bytes;
  }

  hashed(bytes: number, passes = 1): void {
    this.s.hashPasses += passes;
    this.s.bytesHashed += bytes;
  }
}
