/**
 * Shared by the serve and fleet tests: a tiny fitted model saved to disk (seconds to train on wasm),
 * test images as PNG bytes with their decoded pixels, and the library's own answers for them.
 */
import { mkdir } from 'node:fs/promises';
import { createDetector, synthetic, type Detector, type LocalizeResult, type RawImage } from '../../src/index.js';
import { decodeImageNode, encodePngNode } from '../../src/node.js';

export const TINY = { backbone: 'resnet18', weights: 'random', inputSize: 64, flowSteps: 1, numDw: 1, backend: 'wasm' } as const;

/** Fits the tiny model on synthetic normal images (seed picks the weights) and saves it to `dir`. */
export async function saveTinyModel(dir: string, seed = 1): Promise<Detector> {
  const data = synthetic.generateSyntheticDataset({ category: 'metal', size: 80, trainCount: 8, testGoodCount: 0, testDefectCount: 0, seed });
  const det = await createDetector({ ...TINY, seed });
  await det.fit(data.train, { epochs: 1, batchSize: 4 });
  await mkdir(dir, { recursive: true });
  await det.save(dir);
  return det;
}

export interface TestImage {
  name: string;
  png: Uint8Array;
  /** What decodeImageNode makes of `png` (what the server sees). */
  pixels: RawImage;
}

/** Good and defective synthetic images of a few sizes, as PNG bytes. */
export async function testImages(count: number, seed = 7): Promise<TestImage[]> {
  const out: TestImage[] = [];
  const sizes = [64, 80, 96];
  for (let i = 0; out.length < count; i++) {
    const data = synthetic.generateSyntheticDataset({ category: 'metal', size: sizes[i % sizes.length], trainCount: 0, testGoodCount: 1, testDefectCount: 2, seed: seed + i });
    for (const [k, s] of data.test.entries()) {
      if (out.length >= count) break;
      const png = await encodePngNode(s.image);
      out.push({ name: `img-${i}-${k}`, png, pixels: await decodeImageNode(png) });
    }
  }
  return out;
}

/** The library's own localize of every image, one call each (the reference the services must match). */
export async function expectedResults(det: Detector, images: TestImage[]): Promise<LocalizeResult[]> {
  const out: LocalizeResult[] = [];
  for (const img of images) out.push(await det.localize(img.pixels));
  return out;
}
