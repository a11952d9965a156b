export type Attention = 'none' | 'eca' | 'gcnet';

export const ATTENTIONS: readonly Attention[] = ['none', 'eca', 'gcnet'];

export interface FlowConfig {
  /** Coupling steps per scale (reference: 3 for resnet18, 2 for deit). */
  flowSteps: number;
  /** Depthwise conv repetitions inside each EIRB subnet (reference: 3 for resnet18, 1 for deit). */
  numDw: number;
  /** Two subnets per step (the paper's setting) or FastFlow's single subnet. */
  doubleSubnets: boolean;
  attention: Attention;
  /**
   * Kernel of the EIRB depthwise convs: 3 (the paper's, default) or 1, which makes every flow step
   * act on each feature position alone (no spatial context). 1 localised small defects better on
   * MobileNetV2 features (README, "Recipe"). Absent in models saved before it existed: means 3.
   */
  dwKernel?: 1 | 3;
}

/** Rejects flow settings that cannot build a model, naming the field and the accepted values. */
export function validateFlowConfig(c: FlowConfig, bad: (message: string) => never): void {
  if (!Number.isInteger(c.flowSteps) || c.flowSteps < 1 || c.flowSteps > 32) bad(`flowSteps must be an integer from 1 to 32 (got ${c.flowSteps}).`);
  if (!Number.isInteger(c.numDw) || c.numDw < 0 || c.numDw > 16) bad(`numDw must be an integer from 0 to 16 (got ${c.numDw}).`);
  if (typeof c.doubleSubnets !== 'boolean') bad(`doubleSubnets must be true or false (got ${String(c.doubleSubnets)}).`);
  if (c.dwKernel !== undefined && c.dwKernel !== 1 && c.dwKernel !== 3) bad(`dwKernel must be 1 or 3 (got ${String(c.dwKernel)}).`);
  if (!ATTENTIONS.includes(c.attention)) bad(`attention must be one of ${ATTENTIONS.join(', ')} (got "${c.attention}").`);
}
