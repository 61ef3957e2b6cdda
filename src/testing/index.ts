/**
 * rxkube/testing — a protocol-faithful simulated kube-apiserver for tests and benchmarks
 * (Node only), plus seeded fixtures and churn.
 *
 * The server speaks the list/watch protocol as the real apiserver does: paging with continue
 * tokens, every resourceVersion/resourceVersionMatch row, watch replay from a bounded history
 * with 410 as an in-stream ERROR event, bookmarks, streaming lists with the
 * `k8s.io/initial-events-end` bookmark, label and field selectors (objects leaving a selection
 * are DELETED), metadata-only responses, CRUD with real Status errors, discovery for kubectl,
 * request recording and fault injection.
 *
 * @example
 * ```ts
 * import { createSimulatedApiServer, generatePod, mulberry32 } from 'rxkube/testing';
 * const server = await createSimulatedApiServer();
 * const rng = mulberry32(1);
 * for (let i = 0; i < 10; i++) server.create('pods', generatePod(rng, i));
 * const list = await (await fetch(`${server.url}/api/v1/pods?limit=5`)).json();
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */

// ── The server ────────────────────────────────────────────────────────────────
export { createSimulatedApiServer } from './server.ts';
export type { SimulatedApiServer, SimulatedApiServerOptions } from './server.ts';
export type { ServerVersion } from './discovery.ts';
export type { RecordedRequest } from './request-log.ts';

// ── Resources ─────────────────────────────────────────────────────────────────
export { builtInResources } from './resource-def.ts';
export type { ResourceDef } from './resource-def.ts';

// ── Faults ────────────────────────────────────────────────────────────────────
export type { SimulatedFaults, FailNextOptions, RequestMatcher, WatchSelection } from './faults.ts';
export type { RequestInfo } from './server-state.ts';

// ── Fixtures and churn ────────────────────────────────────────────────────────
export { mulberry32 } from './prng.ts';
export type { Rng } from './prng.ts';
export { generatePod, generateDeployment, generateNode } from './fixtures.ts';
export type { FixtureOptions } from './fixtures.ts';
export { startChurn } from './churn.ts';
export type { Churn, ChurnOptions } from './churn.ts';

// ── Protocol constants ────────────────────────────────────────────────────────
export { INITIAL_EVENTS_END_ANNOTATION } from './watch-handler.ts';

// ── Recording and replay ──────────────────────────────────────────────────────
export { record } from './recording/record.ts';
export type { RecordOptions, RecordSummary } from './recording/record.ts';
export { readRecording, parseRecording } from './recording/read-recording.ts';
export { RecordingFormatError, RECORDING_FORMAT } from './recording/format.ts';
export type { Recording, RecordingHeader, RecordingEntry, RecordingEnd, RecordedResource, RecordingRedaction } from './recording/format.ts';
export { redactObject, resolveRedaction, LAST_APPLIED_ANNOTATION } from './recording/redact.ts';
export type { RedactionOptions } from './recording/redact.ts';
export { replayListWatch } from './recording/replay-list-watch.ts';
export type { ReplayOptions } from './recording/replay-list-watch.ts';
export { replayInto } from './recording/replay-into.ts';
export type { Replay, ServeReplayOptions } from './recording/replay-into.ts';
