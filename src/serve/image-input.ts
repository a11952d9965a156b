/**
 * Untrusted image bytes → pixels, for the HTTP service and the workers alike. The size is read from
 * the header first, so a file that claims 40000×40000 pixels is refused before a byte is inflated;
 * everything else (unknown format, truncated or corrupt data) is the decoder's BAD_IMAGE.
 */
import { DanflowError, type RawImage } from '../index.js';
import { decodeImageNode, imageSizeNode } from '../node.js';

/** Content types a raw upload may declare; the bytes decide the actual format. */
export const IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/bmp', 'image/x-ms-bmp', 'image/webp', 'application/octet-stream'] as const;

export async function decodeUntrusted(bytes: Uint8Array, maxPixels: number, name = 'the uploaded image'): Promise<RawImage> {
  if (bytes.length === 0) throw new DanflowError('BAD_IMAGE', `${name} is empty: send the image file's bytes as the body.`);
  const { width, height } = await imageSizeNode(bytes, { name });
  if (width * height > maxPixels) {
    throw new DanflowError('TOO_LARGE', `${name} is ${width}×${height} pixels; this server takes at most ${maxPixels} pixels per image. Downscale it first.`);
  }
  return decodeImageNode(bytes, { name });
}
