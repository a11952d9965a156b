/** Small HTTP helpers for the serve tests: posting images, running requests at a fixed concurrency, a PNG header that lies. */
import { deflateSync } from 'node:zlib';

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export async function postImage(url: string, bytes: Uint8Array, contentType = 'image/png'): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', body: Buffer.from(bytes), headers: { 'content-type': contentType } });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text (the test says what it expected)
  }
  return { status: res.status, body, headers: res.headers };
}

/** Runs `jobs` with at most `concurrency` in flight, keeping the order of the results. */
export async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      out[i] = await job(i);
    }
  });
  await Promise.all(lanes);
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid little PNG whose header claims `width`×`height` RGB pixels (a decompression bomb's shape). */
export function pngClaiming(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  // One row of zeros, deflated: the real bomb would deflate billions of them into a few MB.
  const idat = deflateSync(new Uint8Array(1 + width * 3));
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return Buffer.concat([Buffer.from(sig), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}
