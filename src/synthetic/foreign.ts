/**
 * "Foreign" textures for DRAEM-style anomalies. DRAEM blends in photos from the DTD texture set;
 * we have no photos in a pure-TypeScript SDK, so we synthesise varied, strongly coloured patterns
 * instead: marble veins, warped checkers, spots, colour noise, and the surface textures of this
 * folder recoloured (channel shuffle, optional inversion) so they never pass for the real surface.
 */
import { clamp, lerp, smoothstep, wave } from './math.js';
import { fbm, perlinNoise2D, valueNoise2D } from './noise.js';
import { createFloatImage, type FloatImage } from './raster.js';
import type { Rng } from '../core/prng.js';
import { TEXTURE_KINDS, generateTextureFloat } from './textures.js';

type Colour = [number, number, number];

function randomColour(rng: Rng): Colour {
  return [rng.range(0, 255), rng.range(0, 255), rng.range(0, 255)];
}

/** A second colour far from the first (roughly opposite), so patterns have contrast. */
function contrasting(rng: Rng, c: Colour): Colour {
  return [clamp(255 - c[0] + rng.range(-50, 50), 0, 255), clamp(255 - c[1] + rng.range(-50, 50), 0, 255), clamp(255 - c[2] + rng.range(-50, 50), 0, 255)];
}

function twoTone(width: number, height: number, c1: Colour, c2: Colour, f: (x: number, y: number) => number): FloatImage {
  const img = createFloatImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = clamp(f(x, y), 0, 1);
      const i = (y * width + x) * 3;
      img.data[i] = lerp(c1[0], c2[0], t);
      img.data[i + 1] = lerp(c1[1], c2[1], t);
      img.data[i + 2] = lerp(c1[2], c2[2], t);
    }
  }
  return img;
}

export function foreignTexture(width: number, height: number, rng: Rng): FloatImage {
  const unit = Math.min(width, height) / 128;
  const kind = rng.int(0, 5);
  const c1 = randomColour(rng);
  const c2 = contrasting(rng, c1);
  const noise = perlinNoise2D(rng.uint32());
  const scale = rng.range(6, 24) * unit;
  const [dx, dy] = rng.direction();
  switch (kind) {
    case 0: // marble: waves along a direction, distorted by turbulence
      return twoTone(width, height, c1, c2, (x, y) => wave((x * dx + y * dy) / scale + 1.5 * fbm(noise, x / (2 * scale), y / (2 * scale), { octaves: 4 })));
    case 1: {
      // warped checkerboard
      return twoTone(width, height, c1, c2, (x, y) => {
        const wx = x + 0.4 * scale * noise(x / scale, y / scale);
        const wy = y + 0.4 * scale * noise(x / scale + 50, y / scale);
        return (Math.floor(wx / scale) + Math.floor(wy / scale)) & 1;
      });
    }
    case 2: {
      // spots: thresholded value noise
      const v = valueNoise2D(rng.uint32());
      const th = rng.range(-0.1, 0.4);
      return twoTone(width, height, c1, c2, (x, y) => smoothstep(th - 0.05, th + 0.05, v(x / (scale * 0.5), y / (scale * 0.5))));
    }
    case 3: {
      // independent colour noise per channel
      const img = createFloatImage(width, height);
      const ns = [noise, perlinNoise2D(rng.uint32()), perlinNoise2D(rng.uint32())];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          for (let c = 0; c < 3; c++) img.data[(y * width + x) * 3 + c] = 127.5 + 127.5 * clamp(1.6 * fbm(ns[c], x / scale, y / scale, { octaves: 5 }), -1, 1);
        }
      }
      return img;
    }
    default: {
      // another surface texture, recoloured so it is clearly foreign
      const src = generateTextureFloat(rng.pick(TEXTURE_KINDS), width, height, rng.uint32());
      const perm = rng.pick([
        [2, 0, 1],
        [1, 2, 0],
        [2, 1, 0],
      ]);
      const invert = rng.chance(0.5);
      const gain = rng.range(1.2, 2);
      const img = createFloatImage(width, height);
      for (let i = 0; i < width * height; i++) {
        for (let c = 0; c < 3; c++) {
          let v = 128 + (src.data[i * 3 + perm[c]] - 128) * gain;
          if (invert) v = 255 - v;
          img.data[i * 3 + c] = v;
        }
      }
      return img;
    }
  }
}
