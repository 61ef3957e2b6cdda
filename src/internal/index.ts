/**
 * Internal, not API: the few names of the core that rxkube's own adapters (`rxkube/kube`,
 * `rxkube/react`, `rxkube/angular`, `rxkube/worker`, `rxkube/json-patch`, the `rxkube` command)
 * and `rxkube/testing` need but users must not depend on. It is in no entry of package.json's
 * `exports`, so a user cannot import it; an adapter reaches the core through the public entry
 * points (`../index.ts`, `../wire/index.ts`, `../shard/index.ts`, `../health/index.ts`,
 * `../leader/index.ts`) and this file, never a core folder directly (.dependency-cruiser.cjs,
 * `adapters-use-entry-points`). Anything added here changes no API report: keep it to what an
 * adapter cannot do without.
 *
 * @internal
 * @packageDocumentation
 */

// ── Telling an informer from a plain Observable (react, angular) ──────────────
export { isInformer } from '../informer/is-informer.ts';

// ── The status an informer has before its first subscriber (worker) ───────────
export { idleStatus } from '../informer/informer-status.ts';

// ── Optional peer dependencies, with the message saying what to install ───────
export { loadPeer } from '../sources/load-peer.ts';

// ── HTTP helpers shared with the Node-side transports (kube, cli) ─────────────
export { apiErrorFromResponse } from '../sources/api-error-from-response.ts';
export { readBodyText } from '../sources/response-body.ts';
export { isApiErrorShape } from '../sources/classify-error.ts';
export { markValidated } from '../sources/validated-sources.ts';
export { isRecord } from '../model/is-record.ts';
