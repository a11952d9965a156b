/**
 * The built package as Node sees it: `import 'danflow'` (ESM) and `require('danflow')` (CJS) through
 * the package's own `exports` map (self-reference from the repo root), each in a fresh node process,
 * with the pure-JS CPU backend and a tiny config. Also checks that the browser entry never imports a
 * Node builtin statically (bundlers for the browser would fail on it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const REPO = REPO_ROOT;
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/index.js')) || !existsSync(join(REPO, 'dist/index.cjs'))) {
    execFileSync(join(REPO, 'node_modules/.bin/tsup'), [], { cwd: REPO, stdio: 'pipe' });
  }
}, 120_000);

async function node(args: string[]): Promise<{ out: any; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`node exited ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return { out: JSON.parse(line.slice(7)), stderr };
}

/** Same body for both module systems; `m` is the danflow module, `n` is danflow/node. */
const BODY = `
const img = (seed) => { const d = new Uint8Array(40 * 40 * 3); let x = seed; for (let i = 0; i < d.length; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; d[i] = 90 + (x >>> 25); } return { data: d, width: 40, height: 40, channels: 3 }; };
const det = await m.createDetector({ backend: 'cpu', inputSize: 32, flowSteps: 1, numDw: 1 });
const fit = await det.fit([img(1), img(2)], { epochs: 1, batchSize: 2 });
const r = await det.localize(img(3));
const out = { version: m.VERSION, backend: det.backend, score: r.score, map: [r.anomalyMap.width, r.anomalyMap.height], finiteMap: r.anomalyMap.data.every(Number.isFinite), loss: fit.epochLosses[0], threshold: det.threshold, nodeExports: Object.keys(n).sort(), isError: m.isDanflowError(new m.DanflowError('BAD_ARGUMENT', 'x')) };
det.dispose();
console.log('RESULT ' + JSON.stringify(out));
`;

function check(out: any): void {
  expect(out.version).toBe(pkg.version);
  expect(out.backend).toBe('cpu');
  expect(Number.isFinite(out.score)).toBe(true);
  expect(out.score).toBeLessThanOrEqual(0);
  expect(out.map).toEqual([40, 40]);
  expect(out.finiteMap).toBe(true);
  expect(Number.isFinite(out.loss)).toBe(true);
  expect(Number.isFinite(out.threshold)).toBe(true);
  expect(out.nodeExports).toEqual(expect.arrayContaining(['decodeImageNode', 'openDataset']));
  expect(out.isError).toBe(true);
}

describe('dist', () => {
  it('ESM: import("danflow") creates, fits and localises on cpu', async () => {
    const { out, stderr } = await node(['--input-type=module', '-e', `const m = await import('danflow'); const n = await import('danflow/node');\n${BODY}`]);
    check(out);
    // No tfjs chatter: not the cpu backend's "install tfjs-node" banner, not a second platform.
    expect(stderr).not.toMatch(/looks like you are running TensorFlow\.js|has already been set/);
  });

  it('CJS: require("danflow") creates, fits and localises on cpu', async () => {
    const { out } = await node(['-e', `(async () => { const m = require('danflow'); const n = require('danflow/node');\n${BODY}\n})().catch((e) => { console.error(e); process.exit(1); });`]);
    check(out);
  });

  // The HTTP service from the built subpath, in both module systems: a detector served over loopback answers as localize does.
  const SERVE_BODY = `
const det = await m.createDetector({ backend: 'cpu', inputSize: 32, flowSteps: 1, numDw: 1 });
const d = new Uint8Array(40 * 40 * 3).map((_, i) => (i * 37) % 200);
const png = await n.encodePngNode({ data: d, width: 40, height: 40, channels: 3 });
const want = await det.localize(await n.decodeImageNode(png), { threshold: -0.5 });
det.threshold = -0.5;
const server = await s.createServer(det);
const url = await server.listen({ port: 0 });
const res = await fetch(url + '/v1/localize', { method: 'POST', body: Buffer.from(png), headers: { 'content-type': 'image/png' } });
const body = await res.json();
await server.close();
det.dispose();
console.log('RESULT ' + JSON.stringify({ status: res.status, diff: Math.abs(body.score - want.score), same: body.isAnomalous === want.isAnomalous, exports: Object.keys(s).sort() }));
`;
  const checkServe = (out: any) => {
    expect(out.status).toBe(200);
    expect(out.diff).toBeLessThanOrEqual(1e-6);
    expect(out.same).toBe(true);
    expect(out.exports).toEqual(expect.arrayContaining(['createServer', 'startWorker', 'createFleetClient']));
  };

  it('ESM: import("danflow/serve") serves a detector over HTTP', async () => {
    const { out } = await node(['--input-type=module', '-e', `const m = await import('danflow'); const n = await import('danflow/node'); const s = await import('danflow/serve');\n${SERVE_BODY}`]);
    checkServe(out);
  });

  it('CJS: require("danflow/serve") serves a detector over HTTP; danflow/node alone loads no Fastify, BullMQ or ioredis', async () => {
    const { out } = await node(['-e', `(async () => { const m = require('danflow'); const n = require('danflow/node');
const early = Object.keys(require.cache).filter((k) => /node_modules\\/(fastify|bullmq|ioredis|prom-client)\\//.test(k)).length;
if (early) throw new Error(early + ' server modules loaded by danflow/node');
const s = require('danflow/serve');\n${SERVE_BODY}\n})().catch((e) => { console.error(e); process.exit(1); });`]);
    checkServe(out);
  });

  it('the browser entry reaches no Node builtin at all, static or lazy (bundlers print no "externalized" warnings)', () => {
    const builtins = new Set(builtinModules.flatMap((b) => [b, `node:${b}`]));
    const seen = new Set<string>();
    const offenders: string[] = [];
    // Bundlers follow every relative import, lazy or not, into the browser build; within those
    // files a static import of a builtin fails the build, while `import("fs")` merely becomes a stub.
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('.')) visit(join(dirname(file), spec));
        else if (builtins.has(spec)) offenders.push(`${file.slice(REPO.length + 1)}: import … from "${spec}"`);
      }
      for (const m of src.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)) visit(join(dirname(file), m[1]));
      for (const m of src.matchAll(/\bimport\(\s*["']([^."'][^"']*)["']\s*\)/g)) if (builtins.has(m[1])) offenders.push(`${file.slice(REPO.length + 1)}: import("${m[1]}")`);
    };
    visit(join(REPO, 'dist/index.js'));
    expect(offenders, 'a static import of a Node builtin in a chunk the browser entry can reach breaks browser bundles (Vite: "X is not exported by __vite-browser-external")').toEqual([]);
  });

  it('examples/node runs end to end (demo data → fit → save/load → calibrate → overlays)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'danflow-node-example-'));
    try {
      const child = spawn(process.execPath, ['examples/node/run.mjs', '--out', out, '--backend', 'wasm', '--input-size', '32', '--flow-steps', '1', '--epochs', '2'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (d) => (log += d));
      child.stderr.on('data', (d) => (log += d));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code, log).toBe(0);
      expect(log).toMatch(/backend: wasm/);
      expect(log).toMatch(/calibrated on 6 held-out normal images/);
      expect(readdirSync(join(out, 'overlays')).length).toBe(8);
      expect(existsSync(join(out, 'model/danflow.json'))).toBe(true);
      const csv = readFileSync(join(out, 'scores.csv'), 'utf8').trim().split('\n');
      expect(csv[0]).toBe('file,score,threshold,anomalous');
      expect(csv).toHaveLength(9);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
