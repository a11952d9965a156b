/// <reference types="long" />
/** Plain pixel data: what every image input is converted to before it becomes a tensor. */
interface RawImage {
    /** Row-major interleaved pixels, `height * width * channels` values. Uint8 (0..255) or float (0..255). */
    data: Uint8Array | Uint8ClampedArray | Float32Array;
    width: number;
    height: number;
    /** 1 (grey), 3 (RGB) or 4 (RGBA; alpha ignored). */
    channels: number;
}
/** A single-channel float map at image resolution (anomaly map: higher = more anomalous). */
interface ScoreMap {
    width: number;
    height: number;
    data: Float32Array;
}
/** A single-channel binary map (0 or 1) at image resolution. */
interface BinaryMask {
    width: number;
    height: number;
    data: Uint8Array;
}

export type { BinaryMask as B, RawImage as R, ScoreMap as S };
