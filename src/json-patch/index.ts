/**
 * rxkube/json-patch — edit a cached (frozen) object as an immer draft and get the RFC 6902
 * JSON Patch to send to the API server.
 *
 * Needs the `immer` package, an optional peer dependency: `npm install immer`. Without it,
 * importing this subpath throws a `MissingPeerDependencyError` that says so.
 *
 * @packageDocumentation
 */

// ── JSON Patch from an immer recipe ───────────────────────────────────────────
export { jsonPatch } from './json-patch.ts';
export type { JsonPatchOperation, JsonPatchOptions, JsonPatchResult } from './json-patch.ts';
