/**
 * Every code block of README.md, run verbatim as a user would paste it, against the built package:
 * TypeScript blocks are compiled (esbuild) and run with Node in a scratch folder where `danflow`
 * resolves to this repository; bash blocks run line by line there. The folder holds what the
 * snippets name — `./mvtec/bottle` (a small synthetic MVTec-layout dataset), `photos/*.png`, a
 * reference `model.safetensors`, `./mobilenet` (the MobileNetV2 in ../shared, when present),
 * `onnxruntime-node` (the repository's devDependency, as an app would install it) — and
 * `$HF_ENDPOINT` points at a loopback server that serves seeded random timm weights, so
 * `weights: 'pretrained'` and `hf:` ids work offline.
 *
 * A block preceded by `<!-- readme-test: skip (why) -->` is not run; `<!-- readme-test: needs mobilenet -->`
 * runs only when ../shared has the MobileNetV2 weights (otherwise it is skipped with a printed reason).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackbone } from '../../src/backbones/registry.js';
import { encodePngNode } from '../../src/image/decode-node.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors.js';
import { initialValue } from '../../src/nn/init.js';
import { toTorchLayout } from '../../src/nn/param-spec.js';
import { generateSyntheticDataset } from '../../src/synthetic/index.js';
import { manifestToSafetensors, readGoldenJson } from '../helpers/golden.js';
import { REPO_ROOT, SHARED } from '../helpers/paths.js';
import { ensureDist } from './browser/harness.js';

const exec = promisify(execFile);

interface Block {
  lang: 'ts' | 'bash';
  code: string;
  line: number;
  directive: string | undefined;
}

function readmeBlocks(): Block[] {
  const text = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks: Block[] = [];
  for (const m of text.matchAll(/(?:<!--\s*readme-test:\s*([^>]*?)\s*-->\s*\n)?```(ts|typescript|bash|sh|js)\n([\s\S]*?)```/g)) {
    const lang = m[2] === 'bash' || m[2] === 'sh' ? 'bash' : 'ts';
    blocks.push({ lang, code: m[3], line: text.slice(0, m.index).split('\n').length, directive: m[1] });
  }
  return blocks;
}

const MOBILENET = join(SHARED, 'weights/mobilenetv2-035-tm');
const hasMobilenet = existsSync(join(MOBILENET, 'model.json'));

let work: string;
let server: Server;
let endpoint: string;

/** A timm-style resnet18 checkpoint with seeded values (PyTorch names and layouts) for the loopback hub. */
function fakeResnet18(): Uint8Array {
  const out: Record<string, WritableTensor> = {};
  for (const spec of createBackbone('resnet18').specs('')) out[spec.key] = { dtype: 'F32', shape: spec.torchShape, data: toTorchLayout(spec, initialValue(spec, 7)) };
  return writeSafetensors(out);
}

async function writeDataset(root: string): Promise<void> {
  const data = generateSyntheticDataset({ category: 'metal', size: 128, trainCount: 10, testGoodCount: 2, testDefectCount: 2, seed: 3 });
  const put = async (rel: string, img: Parameters<typeof encodePngNode>[0]) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), await encodePngNode(img));
  };
  for (const [i, img] of data.train.entries()) await put(`mvtec/bottle/train/good/${String(i).padStart(3, '0')}.png`, img);
  for (const [i, s] of data.test.entries()) {
    const stem = String(i).padStart(3, '0');
    const kind = s.label ? 'broken' : 'good';
    await put(`mvtec/bottle/test/${kind}/${stem}.png`, s.image);
    if (s.label) await put(`mvtec/bottle/ground_truth/broken/${stem}_mask.png`, { data: s.mask.data.map((v) => (v ? 255 : 0)), width: s.mask.width, height: s.mask.height, channels: 1 });
    await put(`photos/${stem}.png`, s.image);
  }
}

beforeAll(async () => {
  ensureDist();
  work = mkdtempSync(join(tmpdir(), 'danflow-readme-'));
  mkdirSync(join(work, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(REPO_ROOT, join(work, 'node_modules', 'danflow'), 'dir');
  symlinkSync(join(REPO_ROOT, 'dist', 'cli.js'), join(work, 'node_modules', '.bin', 'danflow'));
  // An app that uses the onnxruntime engine installs onnxruntime-node beside danflow (the ONNX snippet imports it).
  symlinkSync(join(REPO_ROOT, 'node_modules', 'onnxruntime-node'), join(work, 'node_modules', 'onnxruntime-node'), 'dir');
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'readme-snippets', private: true, type: 'module' }));
  if (hasMobilenet) symlinkSync(MOBILENET, join(work, 'mobilenet'), 'dir');
  await writeDataset(work);
  const manifest = readGoldenJson('full-resnet18-eca.json');
  writeFileSync(join(work, 'model.safetensors'), manifestToSafetensors(manifest.tensors));
  const weights = fakeResnet18();
  server = createServer((req, res) => {
    if (req.url?.startsWith('/timm/resnet18.a1_in1k/resolve/main/model.safetensors')) {
      res.writeHead(200, { 'content-length': String(weights.length), 'content-type': 'application/octet-stream' });
      res.end(weights);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (work) rmSync(work, { recursive: true, force: true });
});

function runEnv(): NodeJS.ProcessEnv {
  return { ...process.env, HF_ENDPOINT: endpoint, DANFLOW_CACHE: join(work, '.cache'), DANFLOW_WEIGHTS: '', PATH: `${join(work, 'node_modules', '.bin')}:${process.env.PATH}` };
}

describe('README.md snippets run verbatim', () => {
  const blocks = readmeBlocks();

  it('the README has code blocks to check', () => {
    expect(blocks.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(6);
    expect(blocks.some((b) => b.lang === 'bash' && /danflow fit/.test(b.code))).toBe(true);
  });

  for (const [n, block] of blocks.entries()) {
    const title = `README.md:${block.line} (${block.lang})`;
    const skip = block.directive?.startsWith('skip');
    const needsMobilenet = block.directive === 'needs mobilenet';
    if (needsMobilenet && !hasMobilenet) console.log(`[readme test] ${title} skipped: ${MOBILENET} is absent`);
    it.skipIf(skip || (needsMobilenet && !hasMobilenet))(title, async () => {
      if (block.lang === 'ts') {
        const { code } = await transform(block.code, { loader: 'ts', format: 'esm', target: 'es2022' });
        const file = join(work, `snippet-${n}.mjs`);
        writeFileSync(file, code);
        const r = await exec(process.execPath, [file], { cwd: work, env: runEnv(), timeout: 180_000, maxBuffer: 16 << 20 }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
        expect((r as { code?: number }).code ?? 0, `${title} failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
        console.log(`[readme test] ${title}\n${r.stdout}`);
      } else {
        for (const raw of block.code.split('\n')) {
          const line = raw.trim();
          if (!line || line.startsWith('#')) continue;
          const r = await exec('bash', ['-c', line], { cwd: work, env: runEnv(), timeout: 300_000, maxBuffer: 16 << 20 }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
          expect((r as { code?: number }).code ?? 0, `${title}: \`${line}\` failed:\n${r.stdout}\n${r.stderr}`).toBe(0);
        }
      }
    }, 600_000);
  }
});
