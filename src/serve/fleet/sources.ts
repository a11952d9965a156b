/**
 * A localize job's image as bytes: read from the shared file system, downloaded from a URL, or
 * carried in the job. Every source is capped in size, and each failure is typed so the worker knows
 * whether another attempt can help (a server error or dropped connection: DOWNLOAD, retried) or not
 * (a missing file, a 404: NOT_FOUND).
 */
import { readFile, stat } from 'node:fs/promises';
import { DanflowError } from '../../index.js';
import type { LocalizeJob } from './jobs.js';

export interface SourceLimits {
  maxBytes: number;
  /** For downloads. */
  timeoutMs: number;
}

function tooLarge(name: string, bytes: number, max: number): DanflowError {
  return new DanflowError('TOO_LARGE', `${name} is ${bytes} bytes; workers take images up to ${max} bytes.`);
}

async function download(url: string, limits: SourceLimits): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutMs) });
  } catch (e) {
    throw new DanflowError('DOWNLOAD', `Could not download ${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}.`, { cause: e });
  }
  if (res.status === 404 || res.status === 410) throw new DanflowError('NOT_FOUND', `${url} answered ${res.status}: no such image.`);
  if (res.status >= 500 || res.status === 408 || res.status === 429) throw new DanflowError('DOWNLOAD', `${url} answered ${res.status}; the job will be retried.`);
  if (!res.ok) throw new DanflowError('BAD_ARGUMENT', `${url} answered ${res.status}.`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) throw tooLarge(url, declared, limits.maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limits.maxBytes) {
        await reader.cancel();
        throw tooLarge(url, total, limits.maxBytes);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof DanflowError) throw e;
    throw new DanflowError('DOWNLOAD', `Download of ${url} broke off: ${e instanceof Error ? e.message : String(e)}.`, { cause: e });
  }
  return Buffer.concat(chunks);
}

async function readLocal(file: string, limits: SourceLimits): Promise<Uint8Array> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new DanflowError('BAD_ARGUMENT', `${file} is not a file.`);
    if (s.size > limits.maxBytes) throw tooLarge(file, s.size, limits.maxBytes);
    return await readFile(file);
  } catch (e) {
    if (e instanceof DanflowError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new DanflowError('NOT_FOUND', `No image at ${file} on worker storage (paths must be valid on every worker).`, { cause: e });
    throw new DanflowError('BAD_ARGUMENT', `Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}.`, { cause: e });
  }
}

/** The job's image bytes and a name for messages. */
export async function jobImageBytes(job: LocalizeJob, limits: SourceLimits): Promise<{ bytes: Uint8Array; name: string }> {
  if ((job.image === undefined) === (job.bytes === undefined)) {
    throw new DanflowError('BAD_ARGUMENT', 'A localize job carries exactly one of "image" (a path or URL) and "bytes" (base64).');
  }
  if (job.bytes !== undefined) {
    if (typeof job.bytes !== 'string') throw new DanflowError('BAD_ARGUMENT', '"bytes" must be a base64 string.');
    if (job.bytes.length > Math.ceil(limits.maxBytes / 3) * 4) throw tooLarge('the image in the job', Math.floor((job.bytes.length * 3) / 4), limits.maxBytes);
    return { bytes: Buffer.from(job.bytes, 'base64'), name: 'the image in the job' };
  }
  const src = job.image!;
  if (typeof src !== 'string' || src === '') throw new DanflowError('BAD_ARGUMENT', '"image" must be a path or an http(s) URL.');
  if (/^https?:\/\//i.test(src)) return { bytes: await download(src, limits), name: src };
  return { bytes: await readLocal(src, limits), name: src };
}
