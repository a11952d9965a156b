/**
 * The bounded queue in front of the models. One localize call runs at a time (the wasm and cpu
 * backends use one core, so two calls at once only slow both down); requests wait in a queue of
 * bounded length, and when the running call ends, the next call takes up to `maxBatch` waiting
 * requests for the same model at once. A full queue refuses at once (OVERLOADED), a request past its
 * deadline is answered TIMEOUT — while waiting it leaves the queue, while running its result is
 * dropped (a tfjs call cannot be interrupted).
 */
import { DanflowError, type Detector, type LocalizeResult, type RawImage } from '../index.js';

export interface SchedulerOptions {
  maxQueue: number;
  maxBatch: number;
  /** Undefined: each detector's own. */
  sigma: number | undefined;
  /** Called after every localize call with its size and duration. */
  onBatch?: (size: number, seconds: number) => void;
}

interface Pending {
  detector: Detector;
  image: RawImage;
  state: 'queued' | 'running' | 'settled';
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(r: LocalizeResult): void;
  reject(e: unknown): void;
}

export class Scheduler {
  private readonly queue: Pending[] = [];
  private running = 0;
  private busy = false;
  /** Seconds per image, smoothed over recent calls; drives Retry-After. */
  private secondsPerImage = 0.1;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions) {}

  /** Requests waiting for the model (not counting the ones it is working on). */
  get depth(): number {
    return this.queue.length;
  }

  /** Requests inside the localize call now running. */
  get active(): number {
    return this.running;
  }

  /** Seconds until the queue has room again, as a client's Retry-After: at least 1. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.queue.length + this.running) * this.secondsPerImage));
  }

  /** Queues one image for `detector`; rejects with OVERLOADED when the queue is full, TIMEOUT after `timeoutMs`. */
  localize(detector: Detector, image: RawImage, timeoutMs: number): Promise<LocalizeResult> {
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new DanflowError('OVERLOADED', `The model queue is full (${this.options.maxQueue} requests waiting); retry after ${this.retryAfterSeconds()} s.`, { details: { retryAfter: this.retryAfterSeconds() } }));
    }
    return new Promise<LocalizeResult>((resolve, reject) => {
      const p: Pending = { detector, image, state: 'queued', timer: undefined, resolve, reject };
      p.timer = setTimeout(() => this.expire(p, timeoutMs), timeoutMs);
      this.queue.push(p);
      this.pump();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private expire(p: Pending, timeoutMs: number): void {
    if (p.state === 'settled') return;
    if (p.state === 'queued') this.queue.splice(this.queue.indexOf(p), 1);
    p.state = 'settled';
    p.reject(new DanflowError('TIMEOUT', `No answer within ${timeoutMs} ms (${this.queue.length} requests waiting); retry later.`, { details: { retryAfter: this.retryAfterSeconds() } }));
    this.notifyIdle();
  }

  private takeBatch(): Pending[] {
    const first = this.queue.shift()!;
    const batch = [first];
    for (let i = 0; i < this.queue.length && batch.length < this.options.maxBatch; ) {
      if (this.queue[i].detector === first.detector) batch.push(...this.queue.splice(i, 1));
      else i++;
    }
    return batch;
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    // Let the requests that arrived meanwhile join the batch (and the event loop answer health checks) first.
    setImmediate(() => void this.runBatch());
  }

  private async runBatch(): Promise<void> {
    const batch = this.queue.length ? this.takeBatch() : [];
    for (const p of batch) p.state = 'running';
    this.running = batch.length;
    const t0 = performance.now();
    try {
      if (batch.length) {
        const results = await batch[0].detector.localize(batch.map((p) => p.image), { sigma: this.options.sigma, batchSize: batch.length });
        const seconds = (performance.now() - t0) / 1000;
        this.secondsPerImage = 0.7 * this.secondsPerImage + 0.3 * (seconds / batch.length);
        this.options.onBatch?.(batch.length, seconds);
        batch.forEach((p, i) => this.settle(p, () => p.resolve(results[i])));
      }
    } catch (e) {
      for (const p of batch) this.settle(p, () => p.reject(e));
    } finally {
      this.running = 0;
      this.busy = false;
      if (this.queue.length) this.pump();
      else this.notifyIdle();
    }
  }

  private settle(p: Pending, fn: () => void): void {
    clearTimeout(p.timer);
    if (p.state === 'settled') return;
    p.state = 'settled';
    fn();
  }

  private notifyIdle(): void {
    if (this.busy || this.queue.length) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
