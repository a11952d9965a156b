import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../core/errors.js';
import { fnv1a32 } from '../core/prng.js';

/**
 * Training-time image augmentations (the reference's augmented-MVTec recipe): horizontal and
 * vertical flips and 90° rotations. They suit objects and textures without a canonical
 * orientation (tiles, treads, carpets); leave them off for parts with a fixed pose (screws on a
 * fixture, transistors), where a flipped normal image is itself an anomaly.
 */
export type Augmentation = 'hflip' | 'vflip' | 'rot90';

export const AUGMENTATIONS: readonly Augmentation[] = ['hflip', 'vflip', 'rot90'];

/** One element of the dihedral group: rotate by 90°·turns, then optionally mirror left–right. */
export interface ImageTransform {
  turns: 0 | 1 | 2 | 3;
  mirror: boolean;
}

const GENERATORS: Record<Augmentation, ImageTransform> = {
  hflip: { turns: 0, mirror: true },
  // A vertical flip is a 180° turn followed by a left–right mirror.
  vflip: { turns: 2, mirror: true },
  rot90: { turns: 1, mirror: false },
};

/** b after a, as one transform (mirroring reverses the direction of later turns). */
function compose(a: ImageTransform, b: ImageTransform): ImageTransform {
  return { turns: (((a.turns + (a.mirror ? -b.turns : b.turns)) % 4) + 4) % 4 as ImageTransform['turns'], mirror: a.mirror !== b.mirror };
}

/**
 * Every transform the chosen augmentations generate (their closure), identity first: one flip
 * gives 2, both flips 4, rot90 4, rot90 with a flip all 8 symmetries of the square.
 */
export function augmentationTransforms(augs: readonly Augmentation[]): ImageTransform[] {
  for (const a of augs) {
    if (!AUGMENTATIONS.includes(a)) throw new DanflowError('BAD_ARGUMENT', `fit: unknown augmentation "${String(a)}"; use any of ${AUGMENTATIONS.join(', ')}.`);
  }
  const key = (t: ImageTransform) => `${t.turns}${t.mirror ? 'm' : ''}`;
  const out: ImageTransform[] = [{ turns: 0, mirror: false }];
  const seen = new Set(out.map(key));
  for (let i = 0; i < out.length; i++) {
    for (const a of augs) {
      const next = compose(out[i], GENERATORS[a]);
      if (!seen.has(key(next))) {
        seen.add(key(next));
        out.push(next);
      }
    }
  }
  return out;
}

/** Applies a transform to square NHWC images (shape preserved). */
export function transformImages(x: tf.Tensor4D, t: ImageTransform): tf.Tensor4D {
  return tf.tidy(() => {
    let y = x;
    for (let k = 0; k < t.turns; k++) y = tf.reverse(tf.transpose(y, [0, 2, 1, 3]), [2]) as tf.Tensor4D; // 90° clockwise
    return t.mirror ? (tf.reverse(y, [2]) as tf.Tensor4D) : y === x ? tf.clone(x) : y;
  });
}

/** The transform image `i` gets in `epoch`: a deterministic, roughly uniform pick. */
export function pickTransform(transforms: readonly ImageTransform[], seed: number, epoch: number, i: number): ImageTransform {
  return transforms[fnv1a32(`${seed}/augment/${epoch}/${i}`) % transforms.length];
}
