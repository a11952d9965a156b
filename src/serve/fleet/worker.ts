/**
 * A fleet worker: a BullMQ worker that answers localize jobs with its models and runs fit jobs.
 * BullMQ gives the guarantees — a job is held under a lock the worker keeps renewing; if the worker
 * dies, the lock lapses, another worker's stalled-job check puts the job back, and it runs again; a
 * result is recorded only by the holder of the lock, so each job completes once. The jobs a worker
 * holds at once (its concurrency) overlap their downloads and decoding with the model's work, and go
 * through one Scheduler: one localize call at a time, batched only when asked (maxBatch).
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { DanflowError, type BackendRequest, type Detector } from '../../index.js';
import { decodeUntrusted } from '../image-input.js';
import { ModelRegistry, namedModels, type ModelInfo, type ModelSource } from '../models.js';
import { SERVE_DEFAULTS } from '../options.js';
import { toAnswer } from '../response.js';
import { Scheduler } from '../scheduler.js';
import { runFitJob } from './fit-job.js';
import { asDanflowError, encodeReason, FIT_JOB, isTransient, LOCALIZE_JOB, type FitJob, type FitJobResult, type LocalizeJob, type LocalizeJobResult } from './jobs.js';
import { connectRedis } from './redis.js';
import { jobImageBytes } from './sources.js';

export interface FleetWorkerOptions {
  /** redis://HOST:PORT of the Redis every worker and client shares. */
  redis: string;
  /** Queue name; workers and clients of one queue form a fleet. */
  queue: string;
  /** Models for localize jobs (one Detector is served as "default"); none for a fit-only worker. */
  models?: Detector | Record<string, ModelSource>;
  /** Jobs held at once (their I/O overlaps the model's work). Default 4. */
  concurrency?: number;
  /** Jobs in hand one localize call may take (see ServerOptions.maxBatch). Default 1. */
  maxBatch?: number;
  /**
   * BullMQ's job lock in ms: how long a dead worker's jobs wait before another worker takes them
   * over (the stalled-job check runs as often). Must exceed the longest pause of the event loop (one
   * training step of a fit job). Default 30 000.
   */
  lockMs?: number;
  maxPixels?: number;
  /** Largest image file a job may point at. Default 20 MiB. */
  maxBytes?: number;
  /** Gaussian smoothing of the maps. Default 4. */
  sigma?: number;
  /** Backend for models loaded from paths and for fit jobs. Default 'auto'. */
  backend?: BackendRequest;
  /** The name results carry in `worker`. Default host:pid. */
  name?: string;
  /** One line per event worth a log entry (failed jobs, Redis errors). */
  log?: (line: string) => void;
}

export interface FleetWorker {
  readonly name: string;
  /** Resolves once the worker is connected and taking jobs. */
  ready(): Promise<void>;
  models(): ModelInfo[];
  /** Stops taking jobs, lets the ones it holds finish, disconnects and disposes the models it loaded. */
  close(): Promise<void>;
}

export async function startWorker(options: FleetWorkerOptions): Promise<FleetWorker> {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => {});
  const backend = options.backend ?? SERVE_DEFAULTS.backend;
  const concurrency = options.concurrency ?? 4;
  const lockMs = options.lockMs ?? 30_000;
  const maxPixels = options.maxPixels ?? SERVE_DEFAULTS.maxPixels;
  const maxBytes = options.maxBytes ?? SERVE_DEFAULTS.maxBodyBytes;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new DanflowError('BAD_ARGUMENT', `concurrency must be a positive integer (got ${concurrency}).`);
  if (!Number.isSafeInteger(lockMs) || lockMs < 1000) throw new DanflowError('BAD_ARGUMENT', `lockMs must be at least 1000 (got ${lockMs}).`);

  const models = options.models === undefined ? undefined : await ModelRegistry.create(namedModels(options.models), backend);
  // BullMQ never hands a worker more than `concurrency` jobs, so the queue cannot overflow.
  const maxBatch = options.maxBatch ?? SERVE_DEFAULTS.maxBatch;
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new DanflowError('BAD_ARGUMENT', `maxBatch must be a positive integer (got ${maxBatch}).`);
  const scheduler = new Scheduler({ maxQueue: concurrency, maxBatch, sigma: options.sigma });

  const localize = async (job: LocalizeJob): Promise<LocalizeJobResult> => {
    if (!models) throw new DanflowError('NOT_FOUND', `Worker ${name} serves no models (it was started for fit jobs only).`);
    const lease = models.acquire(job.model ?? models.names()[0]);
    try {
      const { bytes, name: what } = await jobImageBytes(job, { maxBytes, timeoutMs: 30_000 });
      const image = await decodeUntrusted(bytes, maxPixels, what);
      const result = await scheduler.localize(lease.detector, image, lockMs * 4);
      return { ...(await toAnswer(lease, result, { mask: job.mask === true, heatmap: job.heatmap === true })), worker: name };
    } finally {
      lease.release();
    }
  };

  // One line per change of Redis's state, not one per reconnect attempt (every 2 s while it is down).
  let lastProblem = '';
  const problem = (message: string) => {
    if (message !== lastProblem) log(`redis: ${message} (retrying)`);
    lastProblem = message;
  };
  const connection = connectRedis(options.redis, (e) => problem(e.message));
  connection.on('ready', () => {
    if (lastProblem) log('redis: connected again');
    lastProblem = '';
  });
  const worker = new Worker<LocalizeJob | FitJob, LocalizeJobResult | FitJobResult>(
    options.queue,
    async (job: Job) => {
      try {
        if (typeof job.data !== 'object' || job.data === null) throw new DanflowError('BAD_ARGUMENT', `Job ${job.id}: its data must be an object (got ${JSON.stringify(job.data)}).`);
        if (job.name === LOCALIZE_JOB) return await localize(job.data as LocalizeJob);
        if (job.name === FIT_JOB) return await runFitJob(job.data as FitJob, { backend, worker: name }, (p) => void job.updateProgress(p).catch(() => {}));
        throw new DanflowError('BAD_ARGUMENT', `Unknown job "${job.name}"; workers run "${LOCALIZE_JOB}" and "${FIT_JOB}" jobs.`);
      } catch (e) {
        const err = asDanflowError(e);
        // BullMQ retries plain errors (with the job's backoff) and fails UnrecoverableError at once.
        throw isTransient(err.code) ? new Error(encodeReason(err)) : new UnrecoverableError(encodeReason(err));
      }
    },
    { connection, concurrency, lockDuration: lockMs, stalledInterval: lockMs, autorun: true },
  );
  worker.on('error', (e) => problem(e.message));
  let connected = false;
  const ready = worker.waitUntilReady().then(() => {
    connected = true;
  });
  ready.catch(() => {});
  worker.on('failed', (job, e) => log(`job ${job?.id ?? '?'} (${job?.name ?? '?'}) failed: ${e.message}`));

  let closing: Promise<void> | undefined;
  return {
    name,
    ready: () => ready,
    models: () => models?.info() ?? [],
    close() {
      closing ??= (async () => {
        // Never connected: there are no jobs to finish, and BullMQ would wait for Redis to say so.
        if (!connected) connection.disconnect();
        await worker.close(!connected);
        await scheduler.idle();
        models?.close();
        connection.disconnect();
      })();
      return closing;
    },
  };
}
