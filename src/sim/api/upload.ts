// POST .../upload: the body is streamed to a spool file (PVE: /var/tmp/pveupload-*), parameters
// are verified once the body is in, then an `imgcopy` task moves the file into place. Unlike
// download-url, an existing file is overwritten silently.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ApiError, handlerError, paramError } from '../api-error.js';
import { methodInfo } from '../api-schema.js';
import { principal } from '../auth.js';
import { hashFile } from '../hashing.js';
import { MultipartError, boundaryOf, readMultipart } from '../multipart.js';
import type { FileSink } from '../multipart.js';
import { verifyParams, strParam } from '../param-schema.js';
import type { RouteDef } from '../sim-context.js';
import { TaskFailure, taskSleep } from '../tasks.js';
import { ok, requireNode } from './common.js';
import { checkTarget } from './storage.js';

export const uploadRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/nodes/{node}/storage/{storage}/upload',
    upload: true,
    async handle({ sim, params, identity, req }) {
      const node = requireNode(sim, params.node);
      if (params.tmpfilename !== undefined) throw handlerError("parameter 'tmpfilename' may only be set by the server (trusted localhost port)");
      const boundary = boundaryOf(req.headers['content-type']);
      if (!boundary) throw new ApiError(501, 'Unexpected content type - expected multipart/form-data');
      await fsp.mkdir(sim.spoolDir, { recursive: true });
      const spool = join(sim.spoolDir, `pveupload-${randomBytes(16).toString('hex')}`);
      let filename: string | undefined;
      let received = 0;
      const limit = sim.faults.peek('rate-limit', (f) => f.target === 'upload')?.bytesPerSec;
      const started = Date.now();
      const abort = new AbortController();
      req.once('close', () => {
        if (!req.complete) abort.abort();
      });
      let fields: Record<string, string>;
      try {
        fields = await readMultipart(req, boundary, async (part) => {
          filename = part.filename;
          const fh = await fsp.open(spool, 'w');
          const sink: FileSink = {
            write: async (chunk) => {
              await fh.write(chunk);
              received += chunk.length;
              sim.stats.uploaded(chunk.length);
              if (limit) {
                const due = started + (received / limit) * 1000;
                if (due > Date.now()) await taskSleep(due - Date.now(), abort.signal);
              }
            },
            end: () => fh.close(),
          };
          return sink;
        });
      } catch (e) {
        await fsp.rm(spool, { force: true });
        if (e instanceof MultipartError) throw handlerError(`error parsing upload: ${e.message}`);
        throw e;
      }
      try {
        const all: Record<string, unknown> = { ...fields, ...(filename !== undefined ? { filename } : {}), node: params.node, storage: params.storage };
        for (const [k, v] of Object.entries(params)) if (!(k in all)) all[k] = v;
        const errors = verifyParams(methodInfo('/nodes/{node}/storage/{storage}/upload', 'POST')!.parameters, all);
        if (Object.keys(errors).length) throw paramError(errors);
        if (filename === undefined) throw paramError({ filename: 'property is missing and it is not optional' });
        const storage = String(params.storage);
        const content = String(all.content);
        const { name } = checkTarget(sim, node, storage, content, filename);
        const dir = sim.storages.contentDir(storage, node, content);
        await fsp.mkdir(dir, { recursive: true });
        const dest = join(dir, name);
        const checksum = strParam(all.checksum);
        const algorithm = strParam(all['checksum-algorithm']);
        const task = sim.tasks.start(node, 'imgcopy', '', principal(identity), async (t) => {
          try {
            t.log(`starting file import from: ${spool}`);
            if (checksum && algorithm) {
              t.logPartial('calculating checksum...');
              const { hex, size } = await hashFile(spool, algorithm, t.signal, sim.hashRate);
              sim.stats.hashed(size);
              if (hex !== checksum.toLowerCase()) throw new TaskFailure(`checksum mismatch: got '${hex}' != expect '${checksum}'`);
              t.log('OK, checksum verified');
            }
            const size = (await fsp.stat(spool)).size;
            t.log(`target node: ${node}`);
            t.log(`target file: ${dest}`);
            t.log(`file size is: ${size}`);
            t.log(`command: cp -- ${spool} ${dest}`);
            const existing = await fsp.stat(dest).then((s) => s.size, () => 0);
            if (size > (await sim.storages.space(storage, node)).avail + existing) {
              t.log(`cp: error writing '${dest}': No space left on device`);
              throw new TaskFailure(`command 'cp -- ${spool} ${dest}' failed: exit code 1`);
            }
            await fsp.rename(spool, dest).catch(async (e: NodeJS.ErrnoException) => {
              if (e.code !== 'EXDEV') throw e;
              await fsp.copyFile(spool, dest);
            });
            t.log('finished file import successfully');
          } finally {
            await fsp.rm(spool, { force: true });
          }
        });
        return ok(task.upid);
      } catch (e) {
        await fsp.rm(spool, { force: true });
        throw e;
      }
    },
  },
];
