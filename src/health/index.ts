/**
 * rxkube/health — readiness and liveness of informers: `healthOf` folds an informer's status
 * stream into a health verdict, `probeHealth` answers an HTTP probe from several of them.
 *
 * Runs in Node and in browsers (the probe answers with a plain object; serving it is yours).
 *
 * @packageDocumentation
 */

export { healthOf, probeHealth } from '../informer/health.ts';
export type { Health, HealthOptions, HealthProbe, ProbeAnswer } from '../informer/health.ts';
