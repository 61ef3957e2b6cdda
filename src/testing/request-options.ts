import type { KubeObject } from '../index.ts';
import { InvalidShardError, parseShardSelector, shardMembership, shardSelector } from '../shard/index.ts';
import type { ResourceDef } from './resource-def.ts';
import { parseFieldSelector, type FieldSelector } from './field-selector.ts';
import { parseLabelSelector, SelectorParseError, type LabelSelector } from './label-selector.ts';
import { badRequest, forbidden, invalidListOptions, notSupported, StatusResponse, type FieldError } from './status.ts';

/** The list/watch query, parsed. */
export interface ListWatchQuery {
  readonly watch: boolean;
  readonly resourceVersion: string;
  readonly resourceVersionMatch: string;
  readonly limit: number;
  readonly continueToken: string;
  /** `undefined` when the parameter is absent. */
  readonly sendInitialEvents: boolean | undefined;
  readonly allowWatchBookmarks: boolean;
  /** `undefined` when absent or 0. */
  readonly timeoutSeconds: number | undefined;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  /** Label or field selector present (a shard selector does not count: it keeps `remainingItemCount`, as kube-apiserver 1.36.3 does). */
  readonly hasSelector: boolean;
  /** The applied shard selector (canonical text, as echoed) and its membership test; `undefined` without one or with the gate off. */
  readonly shard: { readonly selector: string; readonly member: (obj: KubeObject) => boolean } | undefined;
}

function bool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  return v === 'true' || v === '1';
}

/**
 * Parses and validates list/watch options like the apiserver's `ValidateListOptions` (422
 * Invalid, all field errors in one Status) and selector parsing (400 BadRequest).
 *
 * @throws StatusResponse
 */
export function parseListWatchQuery(q: URLSearchParams, def: ResourceDef, streamingList: boolean, shardedListAndWatch = false): ListWatchQuery {
  const watch = bool(q.get('watch')) === true;
  const rv = q.get('resourceVersion') ?? '';
  const rvm = q.get('resourceVersionMatch') ?? '';
  const cont = q.get('continue') ?? '';
  const sendInitialEvents = bool(q.get('sendInitialEvents'));
  const limitRaw = q.get('limit');
  const limit = limitRaw === null || limitRaw === '' ? 0 : Number(limitRaw);
  if (!Number.isInteger(limit)) throw new StatusResponse(badRequest(`limit: Invalid value: "${limitRaw}": must be an integer`));
  const timeoutRaw = q.get('timeoutSeconds');
  const timeout = timeoutRaw === null || timeoutRaw === '' ? 0 : Number(timeoutRaw);
  if (!Number.isInteger(timeout)) throw new StatusResponse(badRequest(`timeoutSeconds: Invalid value: "${timeoutRaw}": must be an integer`));

  const errs: FieldError[] = [];
  if (watch) {
    if (sendInitialEvents !== undefined) {
      if (rvm !== 'NotOlderThan') errs.push(forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
      if (!streamingList) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled'));
    }
    if (rvm !== '') {
      if (sendInitialEvents === undefined) errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (rvm !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', rvm, ['NotOlderThan']));
      if (cont !== '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
  } else {
    if (rvm !== '') {
      if (rv === '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (cont !== '') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
      if (rvm !== 'Exact' && rvm !== 'NotOlderThan') errs.push(notSupported('resourceVersionMatch', rvm, ['Exact', 'NotOlderThan', '']));
      if (rvm === 'Exact' && rv === '0') errs.push(forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
    }
    if (sendInitialEvents !== undefined) errs.push(forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (errs.length > 0) throw new StatusResponse(invalidListOptions(errs));

  let labels: LabelSelector = [];
  let fields: FieldSelector = [];
  const ls = q.get('labelSelector') ?? '';
  const fs = q.get('fieldSelector') ?? '';
  try {
    labels = parseLabelSelector(ls);
    fields = parseFieldSelector(fs, def);
  } catch (e) {
    if (e instanceof SelectorParseError) throw new StatusResponse(badRequest(e.message));
    throw e;
  }
  return {
    watch,
    resourceVersion: rv,
    resourceVersionMatch: rvm,
    limit: Math.max(0, limit),
    continueToken: cont,
    sendInitialEvents,
    allowWatchBookmarks: bool(q.get('allowWatchBookmarks')) === true,
    timeoutSeconds: timeout > 0 ? timeout : undefined,
    labels,
    fields,
    hasSelector: labels.length > 0 || fields.length > 0,
    shard: shardedListAndWatch ? parseShard(q.get('shardSelector')) : undefined,
  };
}

/**
 * Parses a non-empty resourceVersion into a revision.
 *
 * For anything but a non-negative integer, a list answers 400 BadRequest
 * (`invalid resource version: …`); a watch answers 500 with no reason (kube-apiserver 1.36
 * passes the storage error through unclassified).
 *
 * @throws StatusResponse
 */
export function parseResourceVersion(rv: string, verb: 'list' | 'watch' = 'list'): number {
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(Number(rv))) {
    const detail = `resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`;
    if (verb === 'list') throw new StatusResponse(badRequest(`invalid resource version: ${detail}`));
    throw new StatusResponse({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: detail, code: 500 });
  }
  return Number(rv);
}

/** The `shardSelector` parameter; kube-apiserver 1.36.3 answers a bad one with 500 "invalid shard selector: …". */
function parseShard(text: string | null): ListWatchQuery['shard'] {
  if (text === null || text === '') return undefined;
  try {
    const shard = parseShardSelector(text);
    return { selector: shardSelector(shard), member: shardMembership(shard) };
  } catch (e) {
    if (!(e instanceof InvalidShardError)) throw e;
    throw new StatusResponse({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `invalid shard selector: ${e.message}`, code: 500 });
  }
}
