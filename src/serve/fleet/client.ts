/**
 * The library side of the fleet: enqueue a job, await its result. Retries (with exponential backoff)
 * are BullMQ's, set on each job; a job that finally fails rejects with the DanflowError its worker
 * threw, code and message intact, and the job id in `details`.
 */
import { Queue, QueueEvents } from 'bullmq';
import { DanflowError } from '../../index.js';
import { decodeReason, FIT_JOB, LOCALIZE_JOB, type FitJob, type FitJobResult, type LocalizeJob, type LocalizeJobResult } from './jobs.js';
import { connectRedis } from './redis.js';

export interface FleetClientOptions {
  /** redis://HOST:PORT shared with the workers. */
  redis: string;
  queue: string;
  /** Tries per job before it fails (transient errors only; a bad image fails at once). Default 3. */
  attempts?: number;
  /** First retry delay in ms, doubled per retry. Default 1000. */
  backoffMs?: number;
  /** How long to await a result before rejecting with TIMEOUT (the job itself goes on). Default 10 min. */
  timeoutMs?: number;
}

export interface EnqueueOptions {
  /**
   * Your id for the job. Enqueueing the same id again does not add a second job, so a client that
   * retries after a lost connection cannot duplicate work. Not a plain integer (BullMQ's rule).
   */
  jobId?: string;
}

export interface FleetClient {
  localize(job: LocalizeJob, options?: EnqueueOptions): Promise<LocalizeJobResult>;
  fit(job: FitJob, options?: EnqueueOptions): Promise<FitJobResult>;
  /** Jobs by state (waiting, active, delayed, completed, failed …), for dashboards and autoscalers. */
  counts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function createFleetClient(options: FleetClientOptions): Promise<FleetClient> {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 600_000;
  // Separate connections: QueueEvents blocks on its own reads.
  const queueConnection = connectRedis(options.redis);
  const eventsConnection = connectRedis(options.redis);
  const queue = new Queue(options.queue, { connection: queueConnection });
  const events = new QueueEvents(options.queue, { connection: eventsConnection });
  // Every awaited job listens for the queue's 'closing' (BullMQ's waitUntilFinished): as many listeners as jobs in flight.
  queue.setMaxListeners(0);
  queue.on('error', () => {});
  events.on('error', () => {});
  await events.waitUntilReady();

  const run = async <R>(name: string, data: LocalizeJob | FitJob, opts: EnqueueOptions): Promise<R> => {
    const job = await queue.add(name, data, {
      ...(opts.jobId !== undefined ? { jobId: opts.jobId } : {}),
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      // Results are also delivered by event, so stored ones only need to outlive a slow reader.
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
    try {
      return (await job.waitUntilFinished(events, timeoutMs)) as R;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/timed out before finishing/.test(message)) {
        throw new DanflowError('TIMEOUT', `Job ${job.id} gave no result within ${timeoutMs} ms (it may still run; are workers listening on "${options.queue}"?).`, { details: { jobId: job.id } });
      }
      throw decodeReason(message, { jobId: job.id });
    }
  };

  return {
    localize: (job, opts = {}) => run<LocalizeJobResult>(LOCALIZE_JOB, job, opts),
    fit: (job, opts = {}) => run<FitJobResult>(FIT_JOB, job, opts),
    counts: () => queue.getJobCounts(),
    async close() {
      await events.close();
      await queue.close();
      queueConnection.disconnect();
      eventsConnection.disconnect();
    },
  };
}
