/**
 * Connected-component labelling of binary masks (for the per-region overlap metric).
 *
 * Iterative flood fill with a typed-array stack (each pixel is pushed at most once, so memory is
 * bounded by the image size and there is no recursion). Labels are numbered 1..count in raster
 * order of each component's first pixel, like `skimage.measure.label`; 8-connectivity matches
 * skimage's `connectivity=2`, 4-connectivity its `connectivity=1`.
 */
import { DanflowError } from '../core/errors.js';

export type Connectivity = 4 | 8;

export interface ConnectedComponents {
  /** Component label per pixel (row-major): 0 = background, 1..count = component. */
  labels: Int32Array;
  /** Number of components. */
  count: number;
  /** Pixel count per label: `sizes[k]` for component k (1..count); `sizes[0]` = background pixels. */
  sizes: Uint32Array;
}

/**
 * Labels the foreground (value > 0) components of a single-channel mask.
 * Throws DanflowError('METRIC_INPUT') on a bad size or connectivity.
 */
export function connectedComponents(
  mask: { width: number; height: number; data: ArrayLike<number> },
  connectivity: Connectivity = 8,
): ConnectedComponents {
  const { width: w, height: h, data } = mask;
  if (connectivity !== 4 && connectivity !== 8) {
    throw new DanflowError('METRIC_INPUT', `connectedComponents: connectivity must be 4 or 8, got ${String(connectivity)}.`);
  }
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0 || data.length !== w * h) {
    throw new DanflowError(
      'METRIC_INPUT',
      `connectedComponents: mask is ${String(w)}×${String(h)} but holds ${data.length} values (expected ${w * h}).`,
    );
  }
  const n = w * h;
  const labels = new Int32Array(n);
  const sizeList: number[] = [0];
  let stack: Int32Array | null = null;
  let count = 0;
  let background = 0;
  const diag = connectivity === 8;
  for (let start = 0; start < n; start++) {
    if (!(data[start] > 0)) {
      background++;
      continue;
    }
    if (labels[start] !== 0) continue;
    stack ??= new Int32Array(n);
    const label = ++count;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const y = (p / w) | 0;
      const x = p - y * w;
      const y0 = y > 0 ? y - 1 : y;
      const y1 = y < h - 1 ? y + 1 : y;
      const x0 = x > 0 ? x - 1 : x;
      const x1 = x < w - 1 ? x + 1 : x;
      for (let yy = y0; yy <= y1; yy++) {
        for (let xx = x0; xx <= x1; xx++) {
          if (!diag && yy !== y && xx !== x) continue;
          const q = yy * w + xx;
          if (labels[q] === 0 && data[q] > 0) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    sizeList.push(size);
  }
  const sizes = Uint32Array.from(sizeList);
  sizes[0] = background;
  return { labels, count, sizes };
}
