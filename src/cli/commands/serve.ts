import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, modelSpecs } from '../common.js';
import { EXIT_OK } from '../exit.js';
import type { CliIo } from '../io.js';
import { watchSignals } from '../lifecycle.js';
import type { Output } from '../output.js';

export const SERVE: CommandDef = {
  name: 'serve',
  summary: 'HTTP inference service: POST an image, get its score, verdict, mask and heatmap',
  usage: ['danflow serve --model <dir> [--model <name>=<dir> …] [--port 8080] [--host 127.0.0.1] [options]'],
  description:
    'Serves saved models over HTTP (Fastify) until SIGTERM or Ctrl-C, which let in-flight requests finish\n' +
    'and refuse new ones; SIGHUP reloads every model from its folder (in-flight requests finish on the old one).\n' +
    '\n' +
    '  POST /v1/localize                 body: image bytes (Content-Type image/png, jpeg, bmp, webp) or a\n' +
    '  POST /v1/models/<name>/localize   multipart form; ?mask=png&heatmap=png add base64 PNGs. Answer:\n' +
    '                                    { model, version, score, normalizedScore, isAnomalous, threshold,\n' +
    '                                      width, height, defectPixels, defectFraction }\n' +
    '  GET  /v1/models                   each model\'s config, threshold and version\n' +
    '  GET  /healthz  /readyz  /metrics  liveness, readiness (503 while stopping), Prometheus metrics\n' +
    '  POST /v1/admin/reload[?model=n]   with "Authorization: Bearer <token>" (only with --admin-token)\n' +
    '\n' +
    'Errors are JSON { code, message }: 400 BAD_IMAGE, 404 NOT_FOUND, 413 TOO_LARGE, 415 UNSUPPORTED;\n' +
    '503 OVERLOADED / TIMEOUT / UNAVAILABLE come with Retry-After. With --max-batch n, requests waiting\n' +
    'for the model share localize calls (off by default: slower on wasm, see danflow bench --serve).',
  options: {
    model: { type: 'string', short: 'm', multiple: true, value: '<dir|name=dir>', help: 'a saved model folder; repeat as name=folder for several (URL /v1/models/<name>/localize). The first is the default', group: 'Models' },
    port: { type: 'string', short: 'p', value: '<n>', help: 'TCP port (0: any free one)', default: '8080', group: 'Network' },
    host: { type: 'string', value: '<addr>', help: 'address to listen on; 0.0.0.0 for every interface', default: '127.0.0.1', group: 'Network' },
    'admin-token': { type: 'string', value: '<token>', help: 'enables POST /v1/admin/reload for this bearer token (better: $DANFLOW_ADMIN_TOKEN, which ps does not show)', group: 'Network' },
    'max-body-mb': { type: 'string', value: '<MB>', help: 'largest request body', default: '20', group: 'Limits' },
    'max-megapixels': { type: 'string', value: '<MP>', help: 'largest image, read from its header before decoding', default: '40', group: 'Limits' },
    'max-queue': { type: 'string', value: '<n>', help: 'requests that may wait for the model; more get 503 + Retry-After', default: '64', group: 'Limits' },
    'max-batch': { type: 'string', value: '<n>', help: 'waiting requests one localize call may take; 1 = no batching, which measured faster on wasm for models above input 64 (compare with danflow bench --serve)', default: '1', group: 'Limits' },
    timeout: { type: 'string', value: '<s>', help: 'per-request deadline; later answers are 503 TIMEOUT', default: '30', group: 'Limits' },
    sigma: { type: 'string', value: '<px>', help: 'Gaussian smoothing of the maps', default: "each model's", group: 'Limits' },
    ...BACKEND_OPTION,
    ...GLOBAL_OPTIONS,
  },
  examples: [
    'danflow serve --model models/bottle',
    'danflow serve --model bottle=models/bottle --model screw=models/screw --host 0.0.0.0 --port 8080',
    'curl --data-binary @photo.png -H "Content-Type: image/png" http://127.0.0.1:8080/v1/localize',
  ],
};

export async function runServe(args: Args, io: CliIo, out: Output): Promise<number> {
  const models = modelSpecs(args, io, { required: true });
  const port = args.int('port', 8080, { min: 0, max: 65535 });
  const host = args.str('host') ?? '127.0.0.1';
  const options = {
    backend: backendOf(args),
    maxBodyBytes: Math.round(args.float('max-body-mb', 20, { min: 0.001 }) * 1024 * 1024),
    maxPixels: Math.round(args.float('max-megapixels', 40, { min: 0.000001 }) * 1e6),
    maxQueue: args.int('max-queue', 64, { min: 1 }),
    maxBatch: args.int('max-batch', 1, { min: 1 }),
    timeoutMs: Math.round(args.float('timeout', 30, { min: 0.001 }) * 1000),
    sigma: args.optionalFloat('sigma', { min: 0 }),
    adminToken: args.str('admin-token') ?? io.env.DANFLOW_ADMIN_TOKEN,
    log: (line: string) => out.info(line),
  };
  // Loaded on demand: the other commands never pay for Fastify.
  const { createServer } = await import('../../serve/server.js');
  const server = await createServer(models, options);
  let url: string;
  try {
    url = await server.listen({ port, host });
  } catch (e) {
    await server.close();
    throw e;
  }
  for (const m of server.models()) out.info(`model ${m.name} v${m.version}: ${m.path} (${m.method}, backend ${m.backend}, threshold ${m.threshold ?? 'none'})`);
  if (out.flags.json) out.json({ url, models: server.models().map((m) => ({ name: m.name, version: m.version, path: m.path })) });
  else out.result(`danflow serve: listening on ${url}`);

  const watch = watchSignals(io, () => {
    out.info('SIGHUP: reloading models');
    server.reload().catch((e: unknown) => out.warn(`reload failed, still serving the previous models: ${e instanceof Error ? e.message : String(e)}`));
  });
  const why = await watch.stopped;
  watch.dispose();
  out.info(`${why}: finishing in-flight requests, refusing new ones`);
  await server.close();
  out.info('stopped');
  return EXIT_OK;
}
