/** The pod shape the dashboard reads, and the few facts it derives from one. */
import type { KubeObject } from 'rxkube';

/** The parts of a pod the dashboard reads. */
export interface Pod extends KubeObject {
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string };
}

export const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'] as const;
export type Phase = (typeof PHASES)[number];
export const UNSCHEDULED = '(unscheduled)';

export const nodeOf = (pod: Pod): string => pod.spec?.nodeName ?? UNSCHEDULED;
export const phaseOf = (pod: Pod): Phase => {
  const phase = pod.status?.phase;
  return phase === 'Running' || phase === 'Pending' || phase === 'Succeeded' || phase === 'Failed' ? phase : 'Unknown';
};
/** The phase as its index in {@link PHASES} (what the board stores per cell). */
export const phaseIndexOf = (pod: Pod): number => PHASES.indexOf(phaseOf(pod));
export const namespaceOf = (pod: Pod): string => pod.metadata?.namespace ?? '';
