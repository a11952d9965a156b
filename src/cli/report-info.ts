/** What eval and demo tell the report about a model, and the --mask-threshold choice. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Detector } from '../index.js';
import type { ReportCategory } from '../report/index.js';
import type { Args } from './args.js';

export function maskThresholdArg(args: Args): 'f1' | 'calibrated' | number {
  const s = args.str('mask-threshold') ?? 'calibrated';
  if (s === 'f1' || s === 'calibrated') return s;
  return args.float('mask-threshold', 0);
}

/** What the report shows about a model; the training summary is read from the saved manifest when there is one. */
export async function modelInfo(det: Detector, dir?: string): Promise<NonNullable<ReportCategory['model']>> {
  const info: NonNullable<ReportCategory['model']> = { config: det.config, trainableParameters: det.trainableParameters, backend: det.backend, weights: det.config.weights };
  if (dir) {
    try {
      const manifest = JSON.parse(await readFile(path.join(dir, 'danflow.json'), 'utf8')) as { training?: { epochs: number; seconds: number; finalLoss: number | null } | null };
      if (manifest.training) info.fit = { epochs: manifest.training.epochs, seconds: manifest.training.seconds, finalLoss: manifest.training.finalLoss };
    } catch {
      // a packed .danflow file or no manifest: no training summary
    }
  }
  return info;
}
