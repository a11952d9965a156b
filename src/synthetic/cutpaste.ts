/**
 * CutPaste (Li et al., CVPR 2021): a rectangle cut from one place (of this image or another one)
 * is pasted elsewhere, optionally rotated. Sampling is nearest-neighbour on purpose: every pasted
 * pixel is a real source pixel, unaltered, so the anomaly is purely "right content, wrong place".
 */
import { DanflowError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';
import { samplePoint, startPainting, type Painted, type Painter } from './compose.js';

export interface CutPastePlacement {
  /** The cut rectangle in the source image (top-left corner and size, px). */
  source: { x: number; y: number; width: number; height: number };
  /** Top-left corner of the paste before rotation (the patch centre is this + size / 2). */
  target: { x: number; y: number };
  /** (cos, sin) of the rotation about the patch centre, or null when pasted upright. */
  rotation: [number, number] | null;
  /** Whether the patch came from a separate source image. */
  fromOtherImage: boolean;
}

export interface CutPasteSettings {
  source: (RawImage & { data: Uint8Array }) | null;
  rotateProbability: number;
}

export function makeCutPastePainter(settings: CutPasteSettings): Painter<CutPastePlacement> {
  return (ctx, rng, target): Painted<CutPastePlacement> => {
    const { width, height } = ctx;
    const src = settings.source ?? ctx.base;
    if (src.width < 4 || src.height < 4) throw new DanflowError('BAD_ARGUMENT', 'cutPaste: source image is too small.');
    // Aspect ratio in [1/3.3, 3.3], log-symmetric, as in the CutPaste paper.
    const aspect = rng.chance(0.5) ? rng.range(1, 3.3) : 1 / rng.range(1, 3.3);
    const rotate = rng.chance(settings.rotateProbability);
    const [rc, rs] = rng.direction();
    const fsx = rng.next();
    const fsy = rng.next();
    const [cx, cy] = samplePoint(ctx, rng);
    const maxW = Math.max(2, Math.floor(0.5 * Math.min(src.width, width)));
    const maxH = Math.max(2, Math.floor(0.5 * Math.min(src.height, height)));
    const pw = Math.min(maxW, Math.max(2, Math.round(Math.sqrt(target * aspect))));
    const ph = Math.min(maxH, Math.max(2, Math.round(target / pw)));
    let sx = Math.floor(fsx * (src.width - pw + 1));
    let sy = Math.floor(fsy * (src.height - ph + 1));
    const tx = Math.min(width - pw, Math.max(0, Math.round(cx - pw / 2)));
    const ty = Math.min(height - ph, Math.max(0, Math.round(cy - ph / 2)));
    if (!settings.source && Math.abs(sx - tx) < pw && Math.abs(sy - ty) < ph) {
      // Cut and paste would overlap: take the source from the point mirrored through the centre,
      // or failing that (paste near the middle) half an image away.
      sx = src.width - pw - tx;
      sy = src.height - ph - ty;
      if (Math.abs(sx - tx) < pw && Math.abs(sy - ty) < ph) {
        sx = (tx + Math.floor(src.width / 2)) % (src.width - pw + 1);
        sy = (ty + Math.floor(src.height / 2)) % (src.height - ph + 1);
      }
    }
    const rot: [number, number] = rotate ? [rc, rs] : [1, 0];
    const pcx = tx + pw / 2;
    const pcy = ty + ph / 2;
    const reach = rotate ? Math.ceil(Math.sqrt(pw * pw + ph * ph) / 2) + 1 : 0;
    const x0 = Math.max(0, rotate ? Math.floor(pcx - reach) : tx);
    const x1 = Math.min(width - 1, rotate ? Math.ceil(pcx + reach) : tx + pw - 1);
    const y0 = Math.max(0, rotate ? Math.floor(pcy - reach) : ty);
    const y1 = Math.min(height - 1, rotate ? Math.ceil(pcy + reach) : ty + ph - 1);
    const painted = startPainting(ctx);
    const sd = src.data;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        // Pixel centre relative to the patch centre, rotated back into the patch frame.
        const lx = x + 0.5 - pcx;
        const ly = y + 0.5 - pcy;
        const u = rot[0] * lx + rot[1] * ly;
        const v = -rot[1] * lx + rot[0] * ly;
        if (u < -pw / 2 || u >= pw / 2 || v < -ph / 2 || v >= ph / 2) continue;
        const qx = sx + Math.floor(u + pw / 2);
        const qy = sy + Math.floor(v + ph / 2);
        const s = (qy * src.width + qx) * 3;
        const d = (y * width + x) * 3;
        painted[d] = sd[s];
        painted[d + 1] = sd[s + 1];
        painted[d + 2] = sd[s + 2];
      }
    }
    return {
      painted,
      meta: { source: { x: sx, y: sy, width: pw, height: ph }, target: { x: tx, y: ty }, rotation: rotate ? [rc, rs] : null, fromOtherImage: settings.source !== null },
    };
  };
}
