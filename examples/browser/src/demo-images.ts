/**
 * "Try it without data": danflow's own synthetic fabric (the offline demo's generator), with
 * scratches, holes, stains and foreign textures on the defective ones. Returned as PNG Files, so
 * they take exactly the path dropped files take.
 */
import { synthetic, type RawImage } from 'danflow';

async function toFile(img: RawImage, name: string): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const rgba = new ImageData(img.width, img.height);
  for (let p = 0; p < img.width * img.height; p++) {
    rgba.data.set([img.data[p * 3], img.data[p * 3 + 1], img.data[p * 3 + 2], 255], p * 4);
  }
  canvas.getContext('2d')!.putImageData(rgba, 0, 0);
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'));
  return new File([blob], name, { type: 'image/png' });
}

export async function demoImages(normal: number, defective: number, size = 256): Promise<{ normal: File[]; test: File[] }> {
  const data = synthetic.generateSyntheticDataset({ category: 'fabric', size, trainCount: normal, testGoodCount: 1, testDefectCount: defective, seed: 1 });
  const out = { normal: [] as File[], test: [] as File[] };
  for (const [i, img] of data.train.entries()) out.normal.push(await toFile(img, `good/${String(i).padStart(3, '0')}.png`));
  for (const s of data.test) out.test.push(await toFile(s.image, `test/${s.name.replace('/', '-')}.png`));
  return out;
}
