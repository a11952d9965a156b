/**
 * The served models by name, with atomic swaps. A request takes a lease on the model current when it
 * arrives and keeps it to the end, so a reload never changes the model under a request: new requests
 * see the new model at once, in-flight ones finish on the old one, and the old one is disposed when
 * its last lease is returned.
 */
import { DanflowError, loadDetector, VERSION, type BackendRequest, type Detector, type DetectorConfig } from '../index.js';

/** A model to serve: a loaded detector, or the path of a saved model (which the server loads, and reloads). */
export type ModelSource = Detector | string;

/** What createServer and startWorker take: one Detector (served as "default") or models by name. */
export function namedModels(models: Detector | Record<string, ModelSource>): Record<string, ModelSource> {
  const isDetector = typeof models === 'object' && models !== null && typeof (models as Detector).localize === 'function';
  return isDetector ? { default: models as Detector } : (models as Record<string, ModelSource>);
}

export interface ModelInfo {
  name: string;
  /** 1 for the model served at start, +1 for every reload of this name. */
  version: number;
  /** Where it was loaded from (absent for a detector handed over in memory). */
  path?: string;
  loadedAt: string;
  /** The danflow version serving it. */
  sdkVersion: string;
  method: string;
  backend: string;
  threshold: number | null;
  config: DetectorConfig;
}

interface Slot {
  name: string;
  version: number;
  detector: Detector;
  path: string | undefined;
  /** Only detectors the registry loaded itself are disposed by it; the caller owns the others. */
  owned: boolean;
  loadedAt: Date;
  leases: number;
  retired: boolean;
}

export interface ModelLease {
  readonly name: string;
  readonly version: number;
  readonly detector: Detector;
  release(): void;
}

export class ModelRegistry {
  private readonly slots = new Map<string, Slot>();
  /** Reloads run one at a time so two SIGHUPs cannot interleave their swaps. */
  private reloading: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly backend: BackendRequest) {}

  static async create(models: Record<string, ModelSource>, backend: BackendRequest): Promise<ModelRegistry> {
    const names = Object.keys(models);
    if (names.length === 0) throw new DanflowError('BAD_ARGUMENT', 'createServer: no models given (pass a Detector or { name: detector or saved-model path }).');
    for (const name of names) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new DanflowError('BAD_ARGUMENT', `Model name "${name}" must be letters, digits, '.', '_' or '-' (it is part of a URL).`);
    }
    const registry = new ModelRegistry(backend);
    const loaded: Slot[] = [];
    try {
      for (const name of names) loaded.push(await registry.slotFor(name, models[name], 1));
    } catch (e) {
      for (const s of loaded) if (s.owned) s.detector.dispose();
      throw e;
    }
    for (const s of loaded) registry.slots.set(s.name, s);
    return registry;
  }

  names(): string[] {
    return [...this.slots.keys()];
  }

  acquire(name: string): ModelLease {
    const slot = this.slots.get(name);
    if (!slot || this.closed) {
      if (this.closed) throw new DanflowError('UNAVAILABLE', 'The server is shutting down.');
      throw new DanflowError('NOT_FOUND', `No model named "${name}"; served models: ${this.names().join(', ')}.`);
    }
    slot.leases++;
    let released = false;
    return {
      name: slot.name,
      version: slot.version,
      detector: slot.detector,
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        this.disposeIfDone(slot);
      },
    };
  }

  info(): ModelInfo[] {
    return [...this.slots.values()].map((s) => ({
      name: s.name,
      version: s.version,
      ...(s.path !== undefined ? { path: s.path } : {}),
      loadedAt: s.loadedAt.toISOString(),
      sdkVersion: VERSION,
      method: s.detector.method,
      backend: s.detector.backend,
      threshold: s.detector.threshold ?? null,
      config: s.detector.config,
    }));
  }

  /**
   * Replaces models: `replacement` for one name, else each named model (all when `name` is undefined)
   * is loaded again from its path. Everything is loaded before anything is swapped, so a failed
   * load leaves every model as it was.
   */
  reload(name?: string, replacement?: Detector): Promise<ModelInfo[]> {
    const run = this.reloading.then(() => this.reloadNow(name, replacement));
    this.reloading = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(name: string | undefined, replacement: Detector | undefined): Promise<ModelInfo[]> {
    if (this.closed) throw new DanflowError('UNAVAILABLE', 'The server is shutting down.');
    if (replacement && name === undefined) throw new DanflowError('BAD_ARGUMENT', 'reload: name the model the new detector replaces.');
    const targets = name === undefined ? this.names() : [name];
    for (const t of targets) if (!this.slots.has(t)) throw new DanflowError('NOT_FOUND', `No model named "${t}"; served models: ${this.names().join(', ')}.`);
    const fresh: Slot[] = [];
    try {
      for (const t of targets) {
        const old = this.slots.get(t)!;
        if (replacement) fresh.push({ ...(await this.slotFor(t, replacement, old.version + 1)), path: old.path });
        else if (old.path === undefined) throw new DanflowError('BAD_ARGUMENT', `Model "${t}" was handed over as a Detector, not a path: pass its replacement to reload().`);
        else fresh.push(await this.slotFor(t, old.path, old.version + 1));
      }
    } catch (e) {
      for (const s of fresh) if (s.owned) s.detector.dispose();
      throw e;
    }
    for (const s of fresh) {
      const old = this.slots.get(s.name)!;
      this.slots.set(s.name, s);
      old.retired = true;
      this.disposeIfDone(old);
    }
    return this.info().filter((i) => targets.includes(i.name));
  }

  /** Stops handing out leases; owned models are disposed as their last lease is returned. */
  close(): void {
    this.closed = true;
    for (const s of this.slots.values()) {
      s.retired = true;
      this.disposeIfDone(s);
    }
  }

  private async slotFor(name: string, source: ModelSource, version: number): Promise<Slot> {
    const path = typeof source === 'string' ? source : undefined;
    const detector = typeof source === 'string' ? await loadDetector(source, { backend: this.backend }) : source;
    return { name, version, detector, path, owned: typeof source === 'string', loadedAt: new Date(), leases: 0, retired: false };
  }

  private disposeIfDone(slot: Slot): void {
    if (slot.retired && slot.leases === 0 && slot.owned) slot.detector.dispose();
  }
}
