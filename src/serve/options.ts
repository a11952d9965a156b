/**
 * The HTTP service's settings, their defaults and their checks, in one place so the CLI's help, the
 * README and the server agree.
 */
import { DanflowError, type BackendRequest } from '../index.js';

export interface ServerOptions {
  /** Largest request body in bytes (raw or multipart). Default 20 MiB. */
  maxBodyBytes?: number;
  /**
   * Largest image in pixels (width × height), read from the file header before anything is decoded,
   * so a small file that claims a huge size (a decompression bomb) costs nothing. Default 40 000 000.
   */
  maxPixels?: number;
  /** Requests allowed to wait for the model; beyond that the answer is 503 with Retry-After. Default 64. */
  maxQueue?: number;
  /**
   * Most waiting requests one localize call may take at once. Batches form only from requests
   * already waiting, so a lone request never waits for company. Default 1 (no batching): on the
   * wasm backend a batch costs as much per image as single calls, and `danflow bench --serve`
   * measured lower throughput and twice the p99 latency with batches of 8 (README, "Serve over
   * HTTP"); measure on your backend before raising it.
   */
  maxBatch?: number;
  /** Per-request deadline in ms, from arrival to answer (upload included). Default 30 000. */
  timeoutMs?: number;
  /** Gaussian smoothing of the maps (localize's `sigma`). Default: each model's own (`detector.sigma`). */
  sigma?: number;
  /** Bearer token of `POST /v1/admin/reload`; without one the route does not exist. */
  adminToken?: string;
  /** The model `/v1/localize` uses. Default: the first one given. */
  defaultModel?: string;
  /** Backend for models the server loads itself (given as paths, and every reload of them). Default 'auto'. */
  backend?: BackendRequest;
  /** One line per event worth a log entry (reloads, internal errors). Default: nothing. */
  log?: (line: string) => void;
}

export type ResolvedServerOptions = Required<Omit<ServerOptions, 'adminToken' | 'defaultModel' | 'log' | 'sigma'>> & Pick<ServerOptions, 'adminToken' | 'defaultModel' | 'sigma'> & { log: (line: string) => void };

export const SERVE_DEFAULTS = {
  maxBodyBytes: 20 * 1024 * 1024,
  maxPixels: 40_000_000,
  maxQueue: 64,
  maxBatch: 1,
  timeoutMs: 30_000,
  backend: 'auto' as BackendRequest,
} as const;

function positiveInt(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new DanflowError('BAD_ARGUMENT', `createServer: ${name} must be a positive integer (got ${v}).`);
  return v;
}

export function resolveServerOptions(o: ServerOptions): ResolvedServerOptions {
  const sigma = o.sigma;
  if (sigma !== undefined && (!Number.isFinite(sigma) || sigma < 0)) throw new DanflowError('BAD_ARGUMENT', `createServer: sigma must be ≥ 0 (got ${sigma}).`);
  if (o.adminToken !== undefined && o.adminToken.length < 8) {
    throw new DanflowError('BAD_ARGUMENT', 'createServer: adminToken must be at least 8 characters (it guards model reloads).');
  }
  return {
    maxBodyBytes: positiveInt('maxBodyBytes', o.maxBodyBytes ?? SERVE_DEFAULTS.maxBodyBytes),
    maxPixels: positiveInt('maxPixels', o.maxPixels ?? SERVE_DEFAULTS.maxPixels),
    maxQueue: positiveInt('maxQueue', o.maxQueue ?? SERVE_DEFAULTS.maxQueue),
    maxBatch: positiveInt('maxBatch', o.maxBatch ?? SERVE_DEFAULTS.maxBatch),
    timeoutMs: positiveInt('timeoutMs', o.timeoutMs ?? SERVE_DEFAULTS.timeoutMs),
    sigma,
    backend: o.backend ?? SERVE_DEFAULTS.backend,
    adminToken: o.adminToken,
    defaultModel: o.defaultModel,
    log: o.log ?? (() => {}),
  };
}
