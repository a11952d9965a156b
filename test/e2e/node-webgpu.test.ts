/**
 * GPU paths in Node, run against the built dist/ in a child process (as an app would run it):
 *
 * - `backend: 'webgpu'` through the `webgpu` npm package (Dawn). Machines without a GPU driver use
 *   SwiftShader's Vulkan ICD: Debian's chromium ships one (`dpkg -L chromium-common | grep icd`),
 *   selected with VK_ICD_FILENAMES. `auto` must skip that software adapter (wasm is faster).
 * - `backend: 'tensorflow'` loads @tensorflow/tfjs-node(-gpu) when installed, else fails clearly.
 *
 * Skips with a printed reason only when a piece is truly absent (the `webgpu` package, or any
 * Vulkan ICD); when both are there but WebGPU does not come up, the test fails.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

const REPO = REPO_ROOT;
const require = createRequire(join(REPO, 'package.json'));

/** Max |Δ| between the WebGPU and CPU anomaly maps (values in [−1, 0]). */
const MAP_TOLERANCE = 1e-4;

function resolvable(name: string): boolean {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

/** An existing Vulkan ICD JSON for SwiftShader: $VK_ICD_FILENAMES, else the one Debian's chromium ships. */
function findSwiftShaderIcd(): string | undefined {
  const env = process.env.VK_ICD_FILENAMES;
  if (env && env.split(':').every((p) => existsSync(p))) return env;
  const fromDpkg = spawnSync('sh', ['-c', 'dpkg -L chromium chromium-common 2>/dev/null | grep -E "vk_swiftshader_icd\\.json$"'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  for (const p of [fromDpkg, '/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json']) {
    if (p && existsSync(p)) return p;
  }
  return undefined;
}

function ensureDist(): void {
  if (existsSync(join(REPO, 'dist/index.node.js'))) return;
  execFileSync(join(REPO, 'node_modules/.bin/tsup'), [], { cwd: REPO, stdio: 'pipe' });
}

/**
 * Runs an ESM script (DIST, TFCORE: URLs of dist/index.node.js — what Node resolves `danflow` to — and the tfjs-core it uses) in a fresh node
 * and returns the JSON it prints after "RESULT ". Asynchronous, so the vitest worker stays responsive.
 */
async function runNode(dir: string, name: string, body: string, env: Record<string, string | undefined>, timeoutMs: number): Promise<{ json: any; ms: number }> {
  const file = join(dir, name);
  const urls = { DIST: pathToFileURL(join(REPO, 'dist/index.node.js')).href, TFCORE: pathToFileURL(require.resolve('@tensorflow/tfjs-core')).href };
  writeFileSync(file, `const { DIST, TFCORE } = ${JSON.stringify(urls)};\n${body}`);
  const t0 = Date.now();
  const child = spawn(process.execPath, [file], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
  clearTimeout(timer);
  const ms = Date.now() - t0;
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`child exited ${code} ${signal ?? ''} after ${ms} ms without a result.\nstdout:\n${stdout}\nstderr:\n${stderr}`);
  return { json: JSON.parse(line.slice(7)), ms };
}

const hasWebgpuPackage = resolvable('webgpu');
const icd = findSwiftShaderIcd();
const skipReason = !hasWebgpuPackage ? 'the `webgpu` package is not installed' : !icd ? 'no SwiftShader Vulkan ICD (install Debian `chromium`, or set VK_ICD_FILENAMES)' : undefined;
if (skipReason) console.warn(`[danflow node-webgpu test] SKIPPED: ${skipReason}`);

let work: string;
beforeAll(() => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'danflow-node-gpu-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const IMAGES = `
function img(seed, defect = false) {
  const s = 48, d = new Uint8Array(s * s * 3);
  let x = seed >>> 0;
  for (let y = 0; y < s; y++) for (let i = 0; i < s; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    let v = 128 + 30 * Math.sin((i + y) * 0.6 + seed) + ((x >>> 24) / 255 - 0.5) * 16;
    if (defect && (i - 30) ** 2 + (y - 18) ** 2 < 45) v = 25;
    for (let c = 0; c < 3; c++) d[(y * s + i) * 3 + c] = Math.max(0, Math.min(255, v * (1 - 0.15 * c) + 15 * c));
  }
  return { data: d, width: s, height: s, channels: 3 };
}
`;

describe.skipIf(!!skipReason)('node: webgpu package (Dawn) on SwiftShader Vulkan', () => {
  it('auto skips the software adapter; webgpu fits, lowers the loss, and matches cpu after save/load', async () => {
    const body = `
const { createDetector, loadDetector, useBackend } = await import(DIST);
${IMAGES}
const out = { ms: {} };
out.auto = await useBackend('auto');
let t = Date.now();
const det = await createDetector({ backend: 'webgpu', inputSize: 32, flowSteps: 1, numDw: 1, seed: 3 });
out.backend = det.backend;
const tf = await import(TFCORE);
out.tfBackend = tf.getBackend();
out.ms.create = Date.now() - t; t = Date.now();
const fit = await det.fit([img(1), img(2)], { epochs: 2, batchSize: 2 });
out.epochLosses = fit.epochLosses;
out.ms.fit = Date.now() - t; t = Date.now();
const r = await det.localize(img(99, true));
out.ms.localize = Date.now() - t;
out.score = r.score;
out.normalScore = (await det.localize(img(7))).score;
const dir = ${JSON.stringify(join(work, 'model'))};
t = Date.now();
await det.save(dir);
out.ms.save = Date.now() - t;
det.dispose();
const again = await loadDetector(dir, { backend: 'webgpu' });
const r2 = await again.localize(img(99, true));
again.dispose();
const cpu = await loadDetector(dir, { backend: 'cpu' });
const r3 = await cpu.localize(img(99, true));
cpu.dispose();
const diff = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
out.reloadDiff = diff(r.anomalyMap.data, r2.anomalyMap.data);
out.cpuDiff = diff(r.anomalyMap.data, r3.anomalyMap.data);
out.finite = r.anomalyMap.data.every(Number.isFinite);
console.log('RESULT ' + JSON.stringify(out));
process.exit(0);
`;
    const { json, ms } = await runNode(work, 'webgpu.mjs', body, { VK_ICD_FILENAMES: icd }, 330_000);
    console.log('[danflow node-webgpu test]', JSON.stringify({ ...json, wallMs: ms }));
    expect(json.auto, 'auto must not pick a software WebGPU adapter').toBe('wasm');
    expect(json.backend).toBe('webgpu');
    expect(json.tfBackend).toBe('webgpu');
    expect(json.finite).toBe(true);
    expect(json.epochLosses.at(-1)).toBeLessThan(json.epochLosses[0]);
    expect(json.score).toBeGreaterThan(json.normalScore);
    expect(json.reloadDiff).toBeLessThanOrEqual(1e-6);
    expect(json.cpuDiff).toBeLessThanOrEqual(MAP_TOLERANCE);
  }, 360_000);

  it('without a Vulkan driver, explicit webgpu fails with a message naming VK_ICD_FILENAMES', async () => {
    const body = `
const { useBackend } = await import(DIST);
try { await useBackend('webgpu'); console.log('RESULT ' + JSON.stringify({ ok: true })); }
catch (e) { console.log('RESULT ' + JSON.stringify({ ok: false, code: e.code, message: e.message })); }
process.exit(0);
`;
    // An ICD list naming a file that does not exist leaves Dawn with no Vulkan driver at all.
    const { json } = await runNode(work, 'no-driver.mjs', body, { VK_ICD_FILENAMES: join(work, 'missing_icd.json') }, 60_000);
    expect(json.ok).toBe(false);
    expect(json.code).toBe('BACKEND_UNAVAILABLE');
    expect(json.message).toMatch(/VK_ICD_FILENAMES/);
  }, 90_000);
});

describe('node: tensorflow backend', () => {
  const installed = resolvable('@tensorflow/tfjs-node') || resolvable('@tensorflow/tfjs-node-gpu');
  it(installed ? 'loads @tensorflow/tfjs-node(-gpu)' : 'fails with a clear install hint when @tensorflow/tfjs-node is absent', async () => {
    const body = `
const { useBackend } = await import(DIST);
try { const b = await useBackend('tensorflow'); console.log('RESULT ' + JSON.stringify({ ok: true, backend: b })); }
catch (e) { console.log('RESULT ' + JSON.stringify({ ok: false, code: e.code, message: e.message })); }
process.exit(0);
`;
    const { json } = await runNode(work, 'tensorflow.mjs', body, {}, 60_000);
    if (installed) {
      expect(json).toEqual({ ok: true, backend: 'tensorflow' });
    } else {
      expect(json.ok).toBe(false);
      expect(json.code).toBe('BACKEND_UNAVAILABLE');
      expect(json.message).toMatch(/npm install @tensorflow\/tfjs-node/);
    }
  }, 90_000);
});
