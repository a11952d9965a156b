/**
 * The published artefact as a third party gets it: `npm pack`, install the tarball into a fresh
 * temporary project (its dependencies come from the registry / npm cache like any install), then
 * there: ESM import, CJS require, a TypeScript type-check of consumer files against the shipped
 * .d.ts/.d.cts, and a minified Vite production build of a page that imports danflow. When chromium
 * is present, the built page is also run: every backend still registers after tree-shaking, and a
 * detector localises on wasm. Prints the packed size and the gzipped browser bundle sizes.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDist, findChromium, launchChromium, REPO, serveStatic } from './browser/harness.js';

const exec = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; main?: string; module?: string; types?: string; exports?: unknown; bin?: Record<string, string> };

/** Every file package.json points at (main, module, types, bin, all of exports), as tarball paths. */
function referencedFiles(): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.add(v.replace(/^\.\//, ''));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk([pkg.main, pkg.module, pkg.types, pkg.exports, pkg.bin]);
  return [...out].filter((f) => !f.includes('*'));
}
const chromiumPath = findChromium();

let work: string;
let app: string;
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
const report: Record<string, unknown> = {};

beforeAll(async () => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'danflow-pack-'));
  const { stdout } = await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, maxBuffer: 64 << 20 });
  packed = (JSON.parse(stdout) as (typeof packed)[])[0];
  report.tarball = { file: packed.filename, packedBytes: packed.size, unpackedBytes: packed.unpackedSize, files: packed.files.length };
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'danflow-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
  const t0 = Date.now();
  await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, packed.filename)], { cwd: app, maxBuffer: 64 << 20 });
  report.installMs = Date.now() - t0;
}, 300_000);

afterAll(() => {
  console.log('[danflow packaging test]', JSON.stringify(report, null, 1));
  if (work) rmSync(work, { recursive: true, force: true });
});

async function nodeIn(dir: string, args: string[]): Promise<any> {
  const { stdout } = await exec(process.execPath, args, { cwd: dir, maxBuffer: 16 << 20 });
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no result:\n${stdout}`);
  return JSON.parse(line.slice(7));
}

const SMOKE = `
const img = { data: new Uint8Array(40 * 40 * 3).map((_, i) => (i * 37) % 200), width: 40, height: 40, channels: 3 };
const det = await m.createDetector({ backend: 'cpu', inputSize: 32, flowSteps: 1, numDw: 1 });
const r = await det.localize(img);
console.log('RESULT ' + JSON.stringify({ version: m.VERSION, backend: det.backend, score: r.score, size: [r.anomalyMap.width, r.anomalyMap.height], node: typeof n.openDataset, serve: typeof s.createServer }));
det.dispose();
`;

describe('packaging: npm pack → install into a fresh project', () => {
  it('the tarball holds every file package.json points at, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    const wanted = referencedFiles();
    expect(wanted).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/node.js']));
    for (const f of ['package.json', ...wanted]) expect(files, f).toContain(f);
    expect(files.filter((f) => /^(src|test|fixtures|examples|node_modules)\//.test(f))).toEqual([]);
    expect(packed.size).toBeLessThan(5 * 1024 * 1024);
  });

  it('ESM: import from the installed package', async () => {
    const out = await nodeIn(app, ['--input-type=module', '-e', `const m = await import('danflow'); const n = await import('danflow/node'); const s = await import('danflow/serve');\n${SMOKE}`]);
    expect(out).toMatchObject({ version: pkg.version, backend: 'cpu', size: [40, 40], node: 'function', serve: 'function' });
    expect(Number.isFinite(out.score)).toBe(true);
  });

  it('CJS: require from the installed package', async () => {
    const out = await nodeIn(app, ['-e', `(async () => { const m = require('danflow'); const n = require('danflow/node'); const s = require('danflow/serve');\n${SMOKE}\n})().catch((e) => { console.error(e); process.exit(1); });`]);
    expect(out).toMatchObject({ version: pkg.version, backend: 'cpu', size: [40, 40], node: 'function', serve: 'function' });
    expect(Number.isFinite(out.score)).toBe(true);
  });

  it('TypeScript: a consumer type-checks against the shipped .d.ts (ESM, CJS, bundler resolution)', async () => {
    const consumer = `
import { createDetector, loadDetector, isDanflowError, DanflowError, env, useBackend, VERSION, type BackendName, type DetectorConfig, type ImageInput, type LocalizeResult, type ProgressEvent } from 'danflow';
import { decodeImageNode, openDataset } from 'danflow/node';

env.wasmPaths = '/wasm/';
export async function run(images: ImageInput[]): Promise<number> {
  const det = await createDetector({ backend: 'cpu', inputSize: 64, flowSteps: 1, attention: 'eca' });
  const backend: BackendName = det.backend;
  const config: DetectorConfig = det.config;
  await det.fit(images, { epochs: 1, onProgress: (e: ProgressEvent) => { if (e.type === 'step') console.log(e.loss.toFixed(2)); } });
  const r: LocalizeResult = await det.localize(images[0]);
  const many: LocalizeResult[] = await det.localize(images);
  const map: Float32Array = r.anomalyMap.data;
  const mask: Uint8Array = r.mask.data;
  await det.save('indexeddb://x');
  const again = await loadDetector('indexeddb://x', { backend: 'wasm' });
  again.dispose();
  // @ts-expect-error unknown backend names are compile errors
  await createDetector({ backend: 'cuda' });
  // @ts-expect-error localize returns a Promise
  const wrong: LocalizeResult = det.localize(images[0]);
  void [backend, config, many, map, mask, wrong, useBackend, decodeImageNode, openDataset, VERSION];
  try { await useBackend('webgpu'); } catch (e) { if (isDanflowError(e, 'BACKEND_UNAVAILABLE') && e instanceof DanflowError) return -1; }
  return r.score;
}
`;
    writeFileSync(join(app, 'consumer.ts'), consumer);
    // A server is a Node program, so its types need @types/node (Fastify's declarations use node:http).
    writeFileSync(
      join(app, 'consumer-serve.ts'),
      `import { createDetector } from 'danflow';
import { createFleetClient, createServer, type DanflowServer, type LocalizeJobResult } from 'danflow/serve';
// danflow/serve takes the Detector that danflow makes (its declarations are built separately).
export async function serve(): Promise<string> {
  const det = await createDetector({ backend: 'cpu' });
  const server: DanflowServer = await createServer({ main: det, other: './models/other' }, { maxQueue: 8 });
  const fleet = await createFleetClient({ redis: 'redis://127.0.0.1:6379', queue: 'q' });
  const r: LocalizeJobResult = await fleet.localize({ image: 'a.png' });
  // @ts-expect-error a job's image is a path, URL or base64 string, not pixels
  await fleet.localize({ image: new Uint8Array(3) });
  void r;
  return server.listen({ port: 0 });
}
`,
    );
    writeFileSync(join(app, 'consumer.cts'), `import danflow = require('danflow');\nimport node = require('danflow/node');\nexport const f = (): Promise<number> => danflow.createDetector({ backend: 'cpu' }).then((d) => d.trainableParameters);\nexport const g: typeof node.openDataset = node.openDataset;\n`);
    const base = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022', 'DOM'] };
    const configs: Record<string, object> = {
      'tsconfig.nodenext.json': { compilerOptions: { ...base, module: 'NodeNext', moduleResolution: 'NodeNext' }, files: ['consumer.ts', 'consumer.cts'] },
      'tsconfig.bundler.json': { compilerOptions: { ...base, module: 'ESNext', moduleResolution: 'Bundler' }, files: ['consumer.ts'] },
      // A Node project that lists its ambient types explicitly (as many do): nothing else is auto-included.
      'tsconfig.types-node.json': {
        compilerOptions: { ...base, module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')] },
        files: ['consumer.ts', 'consumer-serve.ts'],
      },
    };
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    for (const [name, config] of Object.entries(configs)) {
      writeFileSync(join(app, name), JSON.stringify(config, null, 2));
      // skipLibCheck: false also checks the shipped declarations (without @types/node, which the consumer lacks).
      const r = await exec(process.execPath, [tsc, '-p', name], { cwd: app }).catch((e: { stdout: string; stderr: string }) => e);
      expect(`${r.stdout}${r.stderr}`, name).toBe('');
    }
  }, 120_000);

  it('Vite: a minified production build keeps every backend registration; gzipped sizes', async () => {
    const page = join(app, 'page');
    mkdirSync(page);
    writeFileSync(join(page, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>`);
    writeFileSync(
      join(page, 'main.js'),
      `import { createDetector, env, useBackend } from 'danflow';
env.wasmPaths = new URL('/wasm/', location.href).href;
window.check = async () => {
  const out = {};
  for (const b of ['cpu', 'wasm', 'webgl', 'webgpu']) {
    try { out[b] = await useBackend(b); } catch (e) { out[b] = 'FAILED: ' + e.message; }
  }
  const det = await createDetector({ backend: 'wasm', inputSize: 32, flowSteps: 1, numDw: 1 });
  const img = new ImageData(40, 40); img.data.fill(200);
  out.score = (await det.localize(img)).score;
  det.dispose();
  return out;
};
`,
    );
    const { build } = await import('vite');
    const outDir = join(app, 'page-dist');
    const t0 = Date.now();
    await build({ root: page, configFile: false, logLevel: 'error', base: './', build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 10_000 } });
    report.viteBuildMs = Date.now() - t0;

    const assets = join(outDir, 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const sizes = js.map((f) => {
      const buf = readFileSync(join(assets, f));
      return { file: f, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
    });
    // What the page loads up front: the entry script and the chunks index.html preloads.
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    const initialFiles = [...html.matchAll(/(?:src|href)="\.\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
    const initial = sizes.filter((s) => initialFiles.includes(s.file));
    const sum = (xs: typeof sizes) => xs.reduce((a, s) => ({ bytes: a.bytes + s.bytes, gzip: a.gzip + s.gzip }), { bytes: 0, gzip: 0 });
    // Backend chunks, told apart by a string only that backend's code contains.
    const markers = { webgpu: 'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', webgl: 'WEBGL_VERSION', wasm: 'tfjs-backend-wasm', cpu: 'is not supported by the CPU backend' };
    const backendChunks = Object.fromEntries(
      Object.entries(markers).map(([b, marker]) => [b, sizes.filter((s) => readFileSync(join(assets, s.file), 'utf8').includes(marker)).map((s) => `${s.file} ${s.gzip} B gz`)]),
    );
    report.browserBundle = { initial: { files: initialFiles, ...sum(initial) }, allJs: { files: sizes.length, ...sum(sizes) }, backendChunks };
    expect(initial.length).toBeGreaterThan(0);
    // The size budget of a page that imports danflow (tfjs-core included; backends, training,
    // validation and the model-file code load on demand): 113 KB gzipped before the restructure.
    expect(sum(initial).gzip).toBeLessThanOrEqual(80_000);
    const text = js.map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
    // Each backend package's code survives tree-shaking (a lazily loaded chunk each).
    expect(text).toContain('WEBGPU_');
    expect(text).toContain('WEBGL_VERSION');
    expect(text).toContain('tfjs-backend-wasm');
    expect(text).toContain('WEBGL_CPU_FORWARD'); // webgl's cpu-forwarding flag, registered by the webgl chunk
    expect(statSync(join(outDir, 'index.html')).size).toBeGreaterThan(0);

    if (!chromiumPath) {
      console.warn('[danflow packaging test] chromium not found: the built page was not run in a browser.');
      return;
    }
    const server = await serveStatic({ '/wasm/': join(app, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'), '/': outDir });
    const browser = await launchChromium(chromiumPath);
    try {
      const p = await browser.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      await p.goto(`${server.url}/index.html`);
      await p.waitForFunction(() => typeof (window as unknown as { check?: unknown }).check === 'function', undefined, { timeout: 60_000 });
      const out = await p.evaluate(() => (window as unknown as { check: () => Promise<Record<string, unknown>> }).check());
      report.builtPageRun = out;
      expect(out).toMatchObject({ cpu: 'cpu', wasm: 'wasm', webgl: 'webgl', webgpu: 'webgpu' });
      expect(Number.isFinite(out.score as number)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 240_000);
});
