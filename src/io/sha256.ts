/**
 * SHA-256 through WebCrypto, which Node 20 and browsers both provide as `globalThis.crypto.subtle`,
 * so checksum verification needs no Node-only module and no bundled hash implementation.
 */
import { DanflowError } from '../core/errors.js';

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) {
    // Browsers hide crypto.subtle outside secure contexts (plain http:// pages other than localhost).
    throw new DanflowError(
      'UNSUPPORTED',
      'SHA-256 verification needs WebCrypto (crypto.subtle), which is unavailable here; serve the page over https or from localhost.',
    );
  }
  // digest() rejects views over SharedArrayBuffer, so copy in that (rare) case only.
  let input: ArrayBuffer | Uint8Array<ArrayBuffer>;
  if (bytes instanceof ArrayBuffer) input = bytes;
  else if (bytes.buffer instanceof ArrayBuffer) input = bytes as Uint8Array<ArrayBuffer>;
  else input = new Uint8Array(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', input));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
