import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, modelSpecs } from '../common.js';
import { EXIT_OK, UsageError } from '../exit.js';
import type { CliIo } from '../io.js';
import { watchSignals } from '../lifecycle.js';
import type { Output } from '../output.js';

export const WORKER: CommandDef = {
  name: 'worker',
  summary: 'fleet worker: take localize and fit jobs from a BullMQ queue in Redis',
  usage: ['danflow worker --redis redis://HOST:PORT --queue <name> [--model <dir> | --model <name>=<dir> …] [--concurrency 4]'],
  description:
    'Takes jobs from a BullMQ queue until SIGTERM or Ctrl-C (jobs in hand are finished first). Start any\n' +
    'number of workers on any number of machines against one Redis: each job goes to one worker, and the\n' +
    "jobs of a worker that dies are taken over by another once its lock lapses (--lock).\n" +
    '\n' +
    '  localize job: { image: "<path or URL>" } or { bytes: "<base64>" }, optional model, mask, heatmap\n' +
    '                → { score, isAnomalous, threshold, width, height, defectPixels, … }\n' +
    '  fit job:      { dataset: { format: "folder", normalDir }, out: "<shared path>", config, fit }\n' +
    '                → { out, images, epochs, seconds, threshold }\n' +
    '\n' +
    'Enqueue from code with createFleetClient() from danflow/serve. Paths in jobs must be valid on every\n' +
    'worker (shared storage). Failed jobs keep a typed reason ("BAD_IMAGE: …"); network errors are retried.',
  options: {
    redis: { type: 'string', value: '<url>', help: 'the Redis all workers and clients share (or $DANFLOW_REDIS)', group: 'Queue' },
    queue: { type: 'string', value: '<name>', help: 'queue name', default: 'danflow', group: 'Queue' },
    concurrency: { type: 'string', short: 'c', value: '<n>', help: 'jobs held at once (their downloads and decoding overlap the model)', default: '4', group: 'Queue' },
    lock: { type: 'string', value: '<s>', help: "job lock: a dead worker's jobs move to another after this long; must exceed one training step of a fit job", default: '30', group: 'Queue' },
    model: { type: 'string', short: 'm', multiple: true, value: '<dir|name=dir>', help: 'models for localize jobs (job field "model" picks by name; default the first); none for a fit-only worker', group: 'Models' },
    'max-megapixels': { type: 'string', value: '<MP>', help: 'largest image, read from its header before decoding', default: '40', group: 'Models' },
    'max-batch': { type: 'string', value: '<n>', help: 'jobs in hand one localize call may take; 1 = no batching (see danflow serve --help)', default: '1', group: 'Models' },
    sigma: { type: 'string', value: '<px>', help: 'Gaussian smoothing of the maps', default: "each model's", group: 'Models' },
    ...BACKEND_OPTION,
    ...GLOBAL_OPTIONS,
  },
  examples: [
    'danflow worker --redis redis://10.0.0.5:6379 --queue inspect --model models/bottle --concurrency 4',
    'danflow worker --redis redis://10.0.0.5:6379 --queue training   # fit jobs only',
  ],
};

export async function runWorker(args: Args, io: CliIo, out: Output): Promise<number> {
  const redis = args.str('redis') ?? io.env.DANFLOW_REDIS;
  if (!redis) throw new UsageError('missing required option --redis (redis://HOST:PORT, or set $DANFLOW_REDIS)', 'worker');
  const models = modelSpecs(args, io, { required: false });
  const queue = args.str('queue') ?? 'danflow';
  const { startWorker } = await import('../../serve/fleet/worker.js');
  const worker = await startWorker({
    redis,
    queue,
    ...(Object.keys(models).length ? { models } : {}),
    concurrency: args.int('concurrency', 4, { min: 1 }),
    maxBatch: args.int('max-batch', 1, { min: 1 }),
    lockMs: Math.round(args.float('lock', 30, { min: 1 }) * 1000),
    maxPixels: Math.round(args.float('max-megapixels', 40, { min: 0.000001 }) * 1e6),
    sigma: args.optionalFloat('sigma', { min: 0 }),
    backend: backendOf(args),
    log: (line) => out.info(line),
  });
  const watch = watchSignals(io);
  for (const m of worker.models()) out.info(`model ${m.name}: ${m.path} (${m.method}, backend ${m.backend}, threshold ${m.threshold ?? 'none'})`);
  out.info(`connecting to ${redis}`);
  // A worker may start before Redis is up: it waits (and can still be stopped meanwhile).
  const ready = await Promise.race([worker.ready().then(() => true), watch.stopped.then(() => false)]);
  if (ready) {
    if (out.flags.json) out.json({ worker: worker.name, redis, queue, models: worker.models().map((m) => m.name) });
    else out.result(`danflow worker ${worker.name}: taking jobs from queue "${queue}"`);
  }
  const why = await watch.stopped;
  watch.dispose();
  out.info(`${why}: finishing the jobs in hand`);
  await worker.close();
  out.info('stopped');
  return EXIT_OK;
}
