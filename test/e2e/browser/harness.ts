/**
 * Shared plumbing for the real-browser tests: find Debian's chromium, make sure dist/ is built,
 * bundle a page against dist/ with Vite (as a third-party app would), serve it from 127.0.0.1
 * with node:http, and launch chromium headless through playwright-core (never `playwright install`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT } from '../../helpers/paths.js';

export const REPO = REPO_ROOT;
export const DIST = join(REPO, 'dist');

/** Path of a chromium/chrome binary, or undefined. $CHROMIUM_PATH wins over $PATH. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    const p = r.stdout.trim();
    if (r.status === 0 && p) return p;
  }
  return undefined;
}

/**
 * Flags for software WebGPU/WebGL in a headless container: Dawn on SwiftShader's Vulkan, ANGLE on
 * SwiftShader for WebGL. The rest keep chromium from phoning home during tests.
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** The newest mtime under a directory (files only, shallow enough for src/). */
function newestMtime(dir: string): number {
  let newest = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else newest = Math.max(newest, st.mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

/**
 * Reuse dist/ when it is newer than src/ (CI runs `npm run build` first), otherwise build it.
 * DANFLOW_TEST_NO_BUILD=1 forbids building (fails instead), for checking a prebuilt dist.
 */
export function ensureDist(): void {
  const entry = join(DIST, 'index.js');
  const fresh = existsSync(entry) && existsSync(join(DIST, 'index.cjs')) && existsSync(join(DIST, 'index.d.ts')) && statSync(entry).mtimeMs >= newestMtime(join(REPO, 'src'));
  if (fresh) return;
  if (process.env.DANFLOW_TEST_NO_BUILD === '1') throw new Error('dist/ is missing or older than src/; run `npm run build` first.');
  execFileSync(join(REPO, 'node_modules/.bin/tsup'), [], { cwd: REPO, stdio: 'pipe' });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.danflow': 'application/octet-stream',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `mounts` (URL prefix → directory) on 127.0.0.1 with COOP/COEP headers, so the page is
 * cross-origin isolated and tfjs-wasm may use its threaded SIMD build.
 */
export async function serveStatic(mounts: Record<string, string>): Promise<StaticServer> {
  const entries = Object.entries(mounts).sort((a, b) => b[0].length - a[0].length);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    for (const [prefix, dir] of entries) {
      if (!path.startsWith(prefix)) continue;
      let file = resolve(dir, '.' + path.slice(prefix.length - (prefix.endsWith('/') ? 1 : 0)));
      if (file !== dir && !file.startsWith(dir + sep)) break;
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file)) continue;
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-origin',
      });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`not found: ${path}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * Production-builds a Vite project whose `danflow` import resolves to the built dist/ (the same
 * resolution a consumer gets from node_modules/danflow). Returns the output directory.
 */
export async function viteBuild(root: string, extra: Record<string, unknown> = {}): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'danflow-page-'));
  await build({
    root,
    configFile: false,
    logLevel: 'error',
    base: './',
    resolve: { alias: { danflow: join(DIST, 'index.js') } },
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false, target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 10_000 },
    ...extra,
  });
  return outDir;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** A fresh context+page that forwards page errors and console errors to the test log. */
export async function openPage(browser: Browser, url: string, init?: string): Promise<{ context: BrowserContext; page: Page; logs: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('console', (m) => {
    const text = `[${m.type()}] ${m.text()}`;
    logs.push(text);
    if (process.env.DANFLOW_TEST_VERBOSE) console.log('page', text);
  });
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  if (init) await page.addInitScript(init);
  await page.goto(url);
  return { context, page, logs };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
