#!/usr/bin/env node
/**
 * danflow in Node, end to end: fit on a folder of normal images, save the model, load it back,
 * optionally calibrate the threshold on held-out normal images, localise a folder of test images,
 * and write heatmap overlays + a scores CSV.
 *
 *   npm run build && node examples/node/run.mjs            # demo: generates a small synthetic dataset first
 *   node examples/node/run.mjs --normal data/good --test data/test [--val data/val-good] --out out \
 *        [--backend auto|wasm|cpu|webgpu|tensorflow] [--weights random|hf:timm/resnet18.a1_in1k]
 *        [--input-size 256] [--flow-steps 3] [--epochs 10] [--batch-size 8]
 *
 * It imports `danflow` exactly as an app does (inside this repository that resolves to the built
 * dist/ through the package's own exports map). Ctrl-C stops training cleanly after the current step.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createDetector, isDanflowError, loadDetector } from 'danflow';
import { decodeImageNode, encodePngNode } from 'danflow/node';

const { values: args } = parseArgs({
  options: {
    normal: { type: 'string' },
    test: { type: 'string' },
    val: { type: 'string' },
    out: { type: 'string', default: 'out/node-example' },
    backend: { type: 'string', default: 'auto' },
    weights: { type: 'string' },
    'input-size': { type: 'string' },
    'flow-steps': { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: node examples/node/run.mjs [--normal DIR --test DIR [--val DIR]] [--out DIR] [--backend auto] [--weights random|hf:…] [--input-size N] [--flow-steps N] [--epochs N] [--batch-size N]');
  process.exit(0);
}

const IMAGE = /\.(png|jpe?g|bmp|webp|tiff?)$/i;
async function listImages(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && IMAGE.test(e.name)) out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// Demo data (only when no --normal is given): woven texture; test images with scratches/holes.

function fabric(size, seed, defect) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const data = new Uint8Array(size * size * 3);
  const phase = rnd() * 6.28;
  const cx = size * (0.3 + rnd() * 0.4);
  const cy = size * (0.3 + rnd() * 0.4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const warp = Math.sin((x + phase) * 0.55) * Math.sin(y * 0.11);
      const weft = Math.sin((y + phase) * 0.55) * Math.sin(x * 0.11);
      let v = 155 + 28 * (((x >> 3) + (y >> 3)) % 2 ? warp : weft) + (rnd() - 0.5) * 18;
      if (defect === 'hole' && ((x - cx) / 5) ** 2 + ((y - cy) / 7) ** 2 < 1) v = 15;
      if (defect === 'scratch' && Math.abs(y - cy - (x - cx) * 0.6) < 1.6 && Math.abs(x - cx) < size * 0.18) v = 45;
      if (defect === 'stain') v -= 90 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (size * 0.07) ** 2));
      const i = (y * size + x) * 3;
      data[i] = v * 0.95;
      data[i + 1] = v * 0.85;
      data[i + 2] = v * 0.65;
    }
  }
  return { data, width: size, height: size, channels: 3 };
}

async function makeDemoData(dir) {
  const write = async (path, img) => {
    await mkdir(resolve(path, '..'), { recursive: true });
    await writeFile(path, await encodePngNode(img));
  };
  for (let i = 0; i < 16; i++) await write(join(dir, 'train/good', `${String(i).padStart(3, '0')}.png`), fabric(128, i + 1));
  for (let i = 0; i < 6; i++) await write(join(dir, 'validation/good', `${String(i).padStart(3, '0')}.png`), fabric(128, 300 + i));
  const kinds = ['good', 'hole', 'scratch', 'stain'];
  for (let i = 0; i < 8; i++) await write(join(dir, 'test', `${kinds[i % 4]}-${i}.png`), fabric(128, 500 + i, kinds[i % 4]));
  return { normal: join(dir, 'train/good'), val: join(dir, 'validation/good'), test: join(dir, 'test') };
}

// ---------------------------------------------------------------------------------------------
// Overlays: image blended with a jet-like colour ramp of the map; mask outline in white.

function ramp(t) {
  const c = (x) => Math.max(0, Math.min(1, x));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

function overlay(image, result) {
  const { width: w, height: h } = image;
  const map = result.anomalyMap.data;
  const mask = result.mask.data;
  let min = Infinity;
  for (const v of map) min = Math.min(min, v);
  const t = result.threshold ?? Float32Array.from(map).sort()[Math.floor(map.length * 0.9)];
  const span = Math.max(t - min, 1e-6);
  const out = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    // Threshold → 0.5, the image's minimum → 0 (cubic, so normal texture stays blue), red above.
    const v = map[i];
    const heat = Math.max(0, Math.min(1, v < t ? 0.5 * ((v - min) / span) ** 3 : 0.5 + (v - t) / (2 * span)));
    const a = 0.25 + 0.45 * heat;
    const col = ramp(heat);
    for (let c = 0; c < 3; c++) out[i * 3 + c] = (1 - a) * image.data[i * 3 + c] + a * 255 * col[c];
    const x = i % w;
    const edge = mask[i] && (x === 0 || x === w - 1 || i < w || i >= w * (h - 1) || !mask[i - 1] || !mask[i + 1] || !mask[i - w] || !mask[i + w]);
    if (edge) out.set([255, 255, 255], i * 3);
  }
  return { data: out, width: w, height: h, channels: 3 };
}

// ---------------------------------------------------------------------------------------------

const outDir = resolve(args.out);
let normalDir = args.normal;
let testDir = args.test;
let valDir = args.val;
const demo = !normalDir;
if (demo) {
  console.log(`No --normal folder given: generating a small synthetic dataset in ${relative(process.cwd(), join(outDir, 'data')) || '.'}`);
  ({ normal: normalDir, val: valDir, test: testDir } = await makeDemoData(join(outDir, 'data')));
}
const normal = await listImages(normalDir);
const tests = testDir ? await listImages(testDir) : [];
const val = valDir ? await listImages(valDir) : [];
if (normal.length === 0) throw new Error(`No images in ${normalDir}`);

const settings = {
  backend: args.backend,
  weights: args.weights ?? 'random',
  inputSize: Number(args['input-size'] ?? (demo ? 64 : 256)),
  flowSteps: Number(args['flow-steps'] ?? (demo ? 2 : 3)),
  epochs: Number(args.epochs ?? (demo ? 4 : 10)),
  batchSize: Number(args['batch-size'] ?? (demo ? 4 : 8)),
};
if (settings.weights === 'random' && !demo) console.warn('Note: --weights random is for trying things out; use --weights hf:timm/resnet18.a1_in1k for real data.');

const abort = new AbortController();
process.once('SIGINT', () => {
  console.log('\nStopping after the current step…');
  abort.abort();
});

const t0 = Date.now();
const det = await createDetector({
  backend: settings.backend,
  weights: settings.weights,
  inputSize: settings.inputSize,
  flowSteps: settings.flowSteps,
  onProgress: (e) => e.type === 'download' && process.stdout.write(`\rdownloading weights ${(e.loaded / 1e6).toFixed(1)} MB${e.cached ? ' (cached)' : ''}   `),
});
console.log(`backend: ${det.backend} · ${settings.inputSize}px · ${settings.flowSteps} flow steps · ${det.trainableParameters.toLocaleString()} trainable parameters`);
console.log(`fitting on ${normal.length} images from ${normalDir} (${settings.epochs} epochs)…`);
try {
  const fit = await det.fit(normal, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    signal: abort.signal,
    onProgress: (e) => {
      if (e.type === 'features') process.stdout.write(`\rfeatures ${e.done}/${e.total}   `);
      if (e.type === 'step') process.stdout.write(`\repoch ${e.epoch}/${e.epochs} step ${e.step}/${e.steps} loss ${e.loss.toFixed(1)}   `);
      if (e.type === 'epoch') process.stdout.write(`\repoch ${e.epoch}/${e.epochs} mean loss ${e.loss.toFixed(1)} (${e.seconds.toFixed(1)} s)\n`);
    },
  });
  console.log(`fitted in ${fit.seconds.toFixed(1)} s; threshold ${det.threshold?.toFixed(4)}`);
} catch (e) {
  if (isDanflowError(e, 'ABORTED')) {
    console.log('training stopped; nothing saved.');
    process.exit(130);
  }
  throw e;
}

// Save, drop the in-memory detector, and continue with the loaded copy: what a later run would do.
const modelDir = join(outDir, 'model');
await det.save(modelDir);
det.dispose();
const loaded = await loadDetector(modelDir, { backend: settings.backend });
console.log(`saved to ${relative(process.cwd(), modelDir)} and loaded back (threshold ${loaded.threshold?.toFixed(4)})`);

if (val.length) {
  // The threshold from fit() comes from the training images' own scores, which run low; held-out
  // normal images give an honest one. Saved again so the model on disk carries it.
  const stats = await loaded.calibrate(val, { quantile: 1 });
  await loaded.save(modelDir);
  console.log(`calibrated on ${val.length} held-out normal images: threshold ${loaded.threshold?.toFixed(4)} (normal scores ${stats.min.toFixed(4)} … ${stats.max.toFixed(4)})`);
}

if (tests.length) {
  await mkdir(join(outDir, 'overlays'), { recursive: true });
  const rows = ['file,score,threshold,anomalous'];
  const batch = 8;
  for (let i = 0; i < tests.length; i += batch) {
    const files = tests.slice(i, i + batch);
    const results = await loaded.localize(files);
    for (let j = 0; j < files.length; j++) {
      const r = results[j];
      const image = await decodeImageNode(files[j]);
      const name = `${basename(files[j], extname(files[j]))}.png`;
      await writeFile(join(outDir, 'overlays', name), await encodePngNode(overlay(image, r)));
      rows.push(`${relative(testDir, files[j])},${r.score.toFixed(6)},${r.threshold?.toFixed(6) ?? ''},${r.isAnomalous}`);
      console.log(`${r.isAnomalous ? 'DEFECT' : 'ok    '}  ${r.score.toFixed(4)}  ${relative(process.cwd(), files[j])}`);
    }
  }
  await writeFile(join(outDir, 'scores.csv'), rows.join('\n') + '\n');
  console.log(`overlays in ${relative(process.cwd(), join(outDir, 'overlays'))}/, scores in ${relative(process.cwd(), join(outDir, 'scores.csv'))}`);
}
loaded.dispose();
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
