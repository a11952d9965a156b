/**
 * "Try it without data": a woven-fabric texture drawn on a canvas, with scratches, stains and holes
 * on the defective ones. Returned as PNG Files, so they take exactly the path dropped files take.
 */

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fabric(ctx: CanvasRenderingContext2D, size: number, r: () => number): void {
  const img = ctx.createImageData(size, size);
  const phase = r() * 6.28;
  const tone = 150 + r() * 20;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const warp = Math.sin((x + phase) * 0.55) * Math.sin(y * 0.11);
      const weft = Math.sin((y + phase) * 0.55) * Math.sin(x * 0.11);
      const v = tone + 28 * (((x >> 3) + (y >> 3)) % 2 ? warp : weft) + (r() - 0.5) * 18;
      const i = (y * size + x) * 4;
      img.data[i] = v * 0.95;
      img.data[i + 1] = v * 0.85;
      img.data[i + 2] = v * 0.65;
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function defect(ctx: CanvasRenderingContext2D, size: number, r: () => number, kind: number): string {
  const x = size * (0.25 + r() * 0.5);
  const y = size * (0.25 + r() * 0.5);
  if (kind === 0) {
    ctx.strokeStyle = 'rgba(40, 30, 20, 0.85)';
    ctx.lineWidth = 2 + r() * 2;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.quadraticCurveTo(x + size * 0.1, y - size * 0.15, x + size * (0.15 + r() * 0.15), y + size * 0.1);
    ctx.stroke();
    return 'scratch';
  }
  if (kind === 1) {
    const g = ctx.createRadialGradient(x, y, 1, x, y, size * 0.12);
    g.addColorStop(0, 'rgba(80, 50, 15, 0.95)');
    g.addColorStop(1, 'rgba(90, 60, 20, 0)');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, size, size);
    return 'stain';
  }
  ctx.fillStyle = 'rgb(15, 12, 10)';
  ctx.beginPath();
  ctx.ellipse(x, y, size * 0.035, size * 0.05, r() * 3, 0, 6.28);
  ctx.fill();
  return 'hole';
}

async function toFile(canvas: HTMLCanvasElement, name: string): Promise<File> {
  const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'));
  return new File([blob], name, { type: 'image/png' });
}

export async function demoImages(normal: number, defective: number, size = 256): Promise<{ normal: File[]; test: File[] }> {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  const out = { normal: [] as File[], test: [] as File[] };
  for (let i = 0; i < normal; i++) {
    fabric(ctx, size, rng(i + 1));
    out.normal.push(await toFile(canvas, `good/${String(i).padStart(3, '0')}.png`));
  }
  for (let i = 0; i < defective; i++) {
    const r = rng(1000 + i);
    fabric(ctx, size, r);
    const kind = defect(ctx, size, r, i % 3);
    out.test.push(await toFile(canvas, `test/${kind}-${i}.png`));
  }
  fabric(ctx, size, rng(5000));
  out.test.push(await toFile(canvas, 'test/good-0.png'));
  return out;
}
