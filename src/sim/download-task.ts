// The worker of `download-url` (PVE::Tools::download_file_from_url): existing-file rules, wget
// into `<dest>.tmp_dwnl.<pid>`, checksum of the downloaded bytes (hashed while they are written),
// optional decompression, atomic rename, and removal of every temporary file on any failure or stop.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { hashFile, paceTo } from './hashing.js';
import type { SimContext } from './sim-context.js';
import { TaskFailure, hangUntilAborted } from './tasks.js';
import type { TaskContext } from './tasks.js';
import { LaggedLog, WgetFailure, wget } from './wget.js';

export interface DownloadJob {
  node: string;
  storage: string;
  content: string;
  url: string;
  dest: string;
  checksum?: string;
  algorithm?: string;
  compression?: string;
  verify: boolean;
}

const DECOMPRESSORS: Record<string, string> = { gz: 'zcat', lzo: 'lzop -d -c', zst: 'zstd -q -d -c', bz2: 'bzcat -q' };

async function exists(path: string): Promise<boolean> {
  return fsp.stat(path).then((s) => s.isFile(), () => false);
}

export function downloadWorker(sim: SimContext, job: DownloadJob) {
  return async (task: TaskContext): Promise<void> => {
    if (job.compression) {
      if (job.content !== 'iso') throw new TaskFailure(`decompression not supported for ${job.content}`);
      if (!DECOMPRESSORS[job.compression]) throw new TaskFailure('no decompression method found');
    }
    task.log(`downloading ${job.url} to ${job.dest}`);
    if (await exists(job.dest)) {
      if (!job.checksum || !job.algorithm) throw new TaskFailure(`refusing to override existing file '${job.dest}'`);
      task.logPartial('calculating checksum of existing file...');
      const { hex, size } = await hashFile(job.dest, job.algorithm, task.signal, sim.hashRate);
      sim.stats.hashed(size);
      if (hex !== job.checksum.toLowerCase()) throw new TaskFailure(`checksum mismatch: got '${hex}' != expect '${job.checksum}', aborting`);
      task.log('OK, got correct file already, no need to download');
      return;
    }
    const tmp = `${job.dest}.tmp_dwnl.${task.pid}`;
    const tmpDecompressed = `${job.dest}.tmp_dcom.${task.pid}`;
    try {
      const hang = sim.faults.take('task-hang', (f) => !f.type || f.type === 'download');
      if (hang) {
        // A download that never makes progress: the temp file exists, nothing arrives.
        await fsp.writeFile(tmp, '');
        try {
          await hangUntilAborted(task.signal);
        } catch (e) {
          throw new TaskFailure(`download failed: ${(e as Error).message}`);
        }
      }
      let hash = job.algorithm ? createHash(job.algorithm) : undefined;
      let hashed = 0;
      const corrupt = sim.faults.take('corrupt-download', (f) => f.target === 'download');
      const out = new LaggedLog((line) => task.log(line));
      try {
        await wget({
          url: job.url,
          dest: tmp,
          verify: job.verify,
          signal: task.signal,
          out,
          spaceLeft: async () => (await sim.storages.space(job.storage, job.node)).avail,
          onData: (chunk, offset) => {
            let data = chunk;
            const at = corrupt?.offset ?? -1;
            if (corrupt && at >= offset && at < offset + chunk.length) {
              data = Buffer.from(chunk);
              data[at - offset] = data[at - offset]! ^ 0xff;
            }
            sim.stats.downloaded(data.length);
            hash?.update(data);
            hashed += data.length;
            return data;
          },
          onRestart: () => {
            hash = job.algorithm ? createHash(job.algorithm) : undefined;
            hashed = 0;
          },
          takeDrop: () => sim.faults.take('download-drop')?.after,
          rateLimit: () => sim.faults.peek('rate-limit', (f) => f.target === 'download')?.bytesPerSec,
        });
      } catch (e) {
        if (e instanceof WgetFailure) throw new TaskFailure(`download failed: ${e.message}`);
        throw e;
      }
      if (job.checksum && job.algorithm && hash) {
        task.logPartial('calculating checksum...');
        // PVE hashes the downloaded file in a pass of its own; the bytes were hashed as they
        // arrived, so only that pass's duration is modelled here.
        await paceTo(hashed, sim.hashRate, Date.now(), task.signal);
        const got = hash.digest('hex');
        sim.stats.hashed(hashed);
        if (got !== job.checksum.toLowerCase()) throw new TaskFailure(`checksum mismatch: got '${got}' != expect '${job.checksum}'`);
        task.log('OK, checksum verified');
      }
      let finalTmp = tmp;
      if (job.compression) {
        task.log(`decompressing ${tmp} to ${tmpDecompressed}`);
        if (job.compression !== 'gz') throw new TaskFailure(`command '${DECOMPRESSORS[job.compression]}' failed: not available in the simulator (only gz is)`);
        try {
          await pipeline(createReadStream(tmp), createGunzip(), createWriteStream(tmpDecompressed), { signal: task.signal });
        } catch (e) {
          throw new TaskFailure(`command '${DECOMPRESSORS.gz}' failed: ${(e as Error).message}`);
        }
        await fsp.unlink(tmp);
        finalTmp = tmpDecompressed;
      }
      await fsp.rename(finalTmp, job.dest);
      task.log(`download of '${job.url}' to '${job.dest}' finished`);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      await fsp.rm(tmpDecompressed, { force: true });
      if (task.signal.aborted && !(e instanceof TaskFailure)) throw new TaskFailure('download failed: received interrupt');
      throw e;
    }
  };
}
