/** Heatmap colouring and drawing: the image, the anomaly map on top, and the mask's outline. */

/** Google's Turbo colormap (polynomial fit), t in [0, 1] → RGB 0..255. */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const r = 34.61 + x * (1172.33 - x * (10793.56 - x * (33300.12 - x * (38394.49 - x * 14825.05))));
  const g = 23.31 + x * (557.33 + x * (1225.33 - x * (3574.96 - x * (1073.77 + x * 707.56))));
  const b = 27.2 + x * (3211.1 - x * (15327.97 - x * (27814.0 - x * (22569.18 - x * 6838.66))));
  return [Math.max(0, Math.min(255, r)), Math.max(0, Math.min(255, g)), Math.max(0, Math.min(255, b))];
}

export interface MapResult {
  width: number;
  height: number;
  map: Float32Array;
  mask: Uint8Array;
  threshold: number | null;
}

/**
 * Map values → [0, 1] heat with the threshold at 0.5: the image's own minimum is 0 (a cubic ramp
 * keeps normal texture in the blues) and values as far above the threshold as the minimum is below
 * it are 1. Without a threshold, the 90th percentile of the map stands in for it.
 */
export function heatScale(r: MapResult): (v: number) => number {
  let min = Infinity;
  for (const v of r.map) min = Math.min(min, v);
  let t = r.threshold;
  if (t === null) {
    const sorted = Float32Array.from(r.map).sort();
    t = sorted[Math.floor(sorted.length * 0.9)];
  }
  const span = Math.max(t - min, 1e-6);
  return (v) => (v < t! ? 0.5 * ((v - min) / span) ** 3 : 0.5 + (v - t!) / (2 * span));
}

/** Draws `image` scaled to the canvas, then the coloured map (alpha grows with heat) and the mask outline. */
export function drawOverlay(canvas: HTMLCanvasElement, image: CanvasImageSource, r: MapResult, opacity: number, showMask: boolean): void {
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  const heat = heatScale(r);
  const layer = new ImageData(r.width, r.height);
  for (let i = 0; i < r.map.length; i++) {
    const h = heat(r.map[i]);
    const [R, G, B] = turbo(h);
    layer.data[i * 4] = R;
    layer.data[i * 4 + 1] = G;
    layer.data[i * 4 + 2] = B;
    layer.data[i * 4 + 3] = 255 * opacity * (0.35 + 0.65 * Math.min(1, Math.max(0, h)));
  }
  if (showMask) {
    const { width: w, height: h, mask } = r;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (!mask[i]) continue;
        const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - w] || !mask[i + w];
        if (edge) layer.data.set([255, 255, 255, 255], i * 4);
      }
    }
  }
  const tmp = new OffscreenCanvas(r.width, r.height);
  tmp.getContext('2d')!.putImageData(layer, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}
