/**
 * rxkube/wire — the decoders under the HTTP transport: newline-delimited JSON, watch events and
 * list bodies, validated into rxkube's model types.
 *
 * `fetchListWatch` (in `rxkube`) uses them; import them to build your own transport (over a
 * WebSocket, a recorded file, another HTTP client) with the same validation and the same typed
 * errors. Runs in Node and in browsers.
 *
 * @packageDocumentation
 */

// ── Newline-delimited JSON ────────────────────────────────────────────────────
export { parseNdjson, NdjsonDecoder } from '../sources/ndjson.ts';
export type { NdjsonOptions } from '../sources/ndjson.ts';

// ── Watch events and list bodies ──────────────────────────────────────────────
export { decodeWatchEvent } from '../sources/decode-watch-event.ts';
export { decodeObjectList } from '../sources/decode-object-list.ts';
export { ListBodyDecoder } from '../sources/list-body-decoder.ts';
