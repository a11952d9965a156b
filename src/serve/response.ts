/**
 * What an answer carries, for the HTTP service and the workers alike: the numbers of a localize
 * result, and on request the mask and a colour heatmap as base64 PNGs (the full float map would be
 * megabytes of JSON).
 */
import { visualize, type LocalizeResult } from '../index.js';
import { encodePngNode } from '../node.js';

export interface LocalizeAnswer {
  /** The model that answered and its version (+1 per reload). */
  model: string;
  version: number;
  score: number;
  normalizedScore: number | null;
  isAnomalous: boolean;
  threshold: number | null;
  width: number;
  height: number;
  /** Pixels at or above the threshold, and their share of the image. */
  defectPixels: number;
  defectFraction: number;
  /** base64 PNG, 0/255 greyscale, at the image's size (with `mask: true` / `?mask=png`). */
  mask?: string;
  /** base64 PNG, the map in the turbo colour map over its own range, at least up to the threshold (with `heatmap`). */
  heatmap?: string;
}

export interface AnswerExtras {
  mask?: boolean;
  heatmap?: boolean;
}

const base64Png = async (img: Parameters<typeof encodePngNode>[0]): Promise<string> => Buffer.from(await encodePngNode(img)).toString('base64');

export async function toAnswer(model: { name: string; version: number }, r: LocalizeResult, extras: AnswerExtras = {}): Promise<LocalizeAnswer> {
  const { width, height } = r.anomalyMap;
  let defectPixels = 0;
  for (let i = 0; i < r.mask.data.length; i++) defectPixels += r.mask.data[i];
  const answer: LocalizeAnswer = {
    model: model.name,
    version: model.version,
    score: r.score,
    normalizedScore: r.normalizedScore ?? null,
    isAnomalous: r.isAnomalous,
    threshold: r.threshold ?? null,
    width,
    height,
    defectPixels,
    defectFraction: defectPixels / (width * height),
  };
  if (extras.mask) {
    const grey = new Uint8Array(r.mask.data.length);
    for (let i = 0; i < grey.length; i++) grey[i] = r.mask.data[i] ? 255 : 0;
    answer.mask = await base64Png({ data: grey, width, height, channels: 1 });
  }
  if (extras.heatmap) {
    const range = visualize.mapRange([r.anomalyMap]);
    const hi = r.threshold !== undefined && r.threshold > range.hi ? r.threshold : range.hi;
    answer.heatmap = await base64Png(visualize.colorizeMap(r.anomalyMap, { lo: range.lo, hi }));
  }
  return answer;
}
