import { DanflowError } from '../core/errors.js';
import { checkManifest, isPackedModel, MANIFEST_FILE, packModel, unpackModel, type SavedModel } from './model-format.js';
import { nodeFs, nodePath } from './node-modules.js';

/**
 * Node persistence: a directory holding danflow.json + weights.safetensors, or one packed file when
 * the target ends in `.danflow`. Writes go to a temporary sibling first and are swapped in with
 * renames, so a crash or a full disk never leaves a half-written model where a good one was.
 */
export async function saveToPath(target: string, saved: SavedModel): Promise<void> {
  const fs = await nodeFs();
  const path = await nodePath();
  const abs = path.resolve(target);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = `${abs}.tmp-${suffix}`;
  const old = `${abs}.old-${suffix}`;
  const existing = await fs.stat(abs).catch(() => undefined);
  if (abs.endsWith('.danflow')) {
    if (existing?.isDirectory()) throw new DanflowError('BAD_ARGUMENT', `save: ${abs} is a directory; pass a file path ending in .danflow or a directory path without it.`);
    await fs.writeFile(tmp, packModel(saved));
    await fs.rename(tmp, abs);
    return;
  }
  if (existing && !existing.isDirectory()) throw new DanflowError('BAD_ARGUMENT', `save: ${abs} exists and is a file; pass a directory path (or a path ending in .danflow for one file).`);
  if (existing) {
    const entries = await fs.readdir(abs);
    if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
      throw new DanflowError('BAD_ARGUMENT', `save: refusing to replace ${abs}: it is a non-empty directory that does not hold a danflow model. Choose a new or empty directory.`);
    }
  }
  try {
    await fs.mkdir(tmp);
    await fs.writeFile(path.join(tmp, saved.manifest.weights.file), saved.weights);
    await fs.writeFile(path.join(tmp, MANIFEST_FILE), JSON.stringify(saved.manifest, null, 2));
    if (existing) await fs.rename(abs, old);
    try {
      await fs.rename(tmp, abs);
    } catch (e) {
      if (existing) await fs.rename(old, abs);
      throw e;
    }
    if (existing) await fs.rm(old, { recursive: true, force: true });
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    if (e instanceof DanflowError) throw e;
    throw new DanflowError('BAD_ARGUMENT', `save: could not write the model to ${abs}: ${(e as Error).message}. Any previous model there is unchanged.`, { cause: e });
  }
}

export async function loadFromPath(source: string): Promise<SavedModel> {
  const fs = await nodeFs();
  const path = await nodePath();
  const abs = path.resolve(source);
  const st = await fs.stat(abs).catch(() => undefined);
  if (!st) throw new DanflowError('NOT_FOUND', `No model at ${abs}. Pass the directory given to detector.save(), a .danflow file, or a URL.`);
  if (st.isFile()) {
    const bytes = new Uint8Array(await fs.readFile(abs));
    if (isPackedModel(bytes)) return unpackModel(bytes, abs);
    if (abs.endsWith('.json')) return loadFromPath(path.dirname(abs));
    throw new DanflowError('MODEL_FORMAT', `${abs} is not a danflow model. For a PyTorch reference checkpoint use loadDetector(path, { from: 'pytorch', config: {...} }).`);
  }
  const manifestPath = path.join(abs, MANIFEST_FILE);
  const text = await fs.readFile(manifestPath, 'utf8').catch(() => {
    throw new DanflowError('NOT_FOUND', `${abs} has no ${MANIFEST_FILE}; it is not a saved danflow model (or the save was interrupted).`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DanflowError('MODEL_FORMAT', `${manifestPath} is not valid JSON; the model file is corrupt.`);
  }
  const manifest = checkManifest(json, manifestPath);
  const weightsPath = path.join(abs, manifest.weights.file);
  const weights = await fs.readFile(weightsPath).catch(() => {
    throw new DanflowError('NOT_FOUND', `The model's weights file ${weightsPath} is missing.`);
  });
  return { manifest, weights: new Uint8Array(weights) };
}
