/** PatchCore-lite's defaults (also listed in the public DEFAULTS). */
export const PATCHCORE_DEFAULTS = { coresetRatio: 0.1 } as const;

export interface PatchCoreConfig {
  /** Fraction of normal patches kept in the memory bank. Default 0.1. */
  coresetRatio: number;
  /** Feature scales (indices into the backbone's maps) pooled into patch features. Default: all but the first. */
  scales: number[];
}
