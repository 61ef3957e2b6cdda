import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { Informer } from '../model/informer.ts';
import type { InformerStatus } from '../model/informer-status.ts';

/**
 * The health of an informer, as a readiness and a liveness verdict.
 *
 * - `ready`: the cache is usable — the first list completed and the informer is running. Stays
 *   true through relists and backoffs (the last snapshot is still served), false while idle.
 * - `live`: the informer is making progress — it has not been away from `watching` for longer than
 *   `maxUnhealthyMs`, its backoff has not grown past `maxBackoffMs` or `maxAttempts`, it has not
 *   relisted more than `maxRelists` times in `relistWindowMs`, and it was not stopped by an error.
 * - `reason`: why it is not simply watching (listing, relisting and why, backing off after which
 *   error, stalled), absent when it is. Never contains credentials: errors never do.
 *
 * @example
 * ```ts
 * import type { Health } from 'rxkube/health';
 * const banner = (h: Health) => (h.ready ? (h.live ? '' : `degraded: ${h.reason}`) : 'loading…');
 * ```
 */
export interface Health {
  /** The cache has been filled and the informer runs. */
  readonly ready: boolean;
  /** The informer makes progress (see {@link HealthOptions}). */
  readonly live: boolean;
  /** What the informer is doing instead of watching; absent while it watches. */
  readonly reason?: string;
}

/**
 * Thresholds of {@link healthOf} and {@link probeHealth}.
 *
 * @example
 * ```ts
 * import type { HealthOptions } from 'rxkube/health';
 * const strict: HealthOptions = { maxUnhealthyMs: 60_000, maxBackoffMs: 30_000, maxAttempts: 8 };
 * ```
 */
export interface HealthOptions {
  /**
   * Longest time the informer may spend outside `watching`/`synced` (listing, relisting, backing
   * off) before it is reported not live. A stall counts from when it is detected.
   * @defaultValue 120000 (client-go's backoff reset period)
   */
  maxUnhealthyMs?: number;
  /**
   * A single backoff wait longer than this makes the informer not live at once: the server has
   * failed long enough for the backoff to grow this far (or asked, with `Retry-After`, for a wait
   * this long).
   * @defaultValue Infinity (only `maxUnhealthyMs` applies)
   */
  maxBackoffMs?: number;
  /**
   * This many consecutive failed attempts make the informer not live at once.
   * @defaultValue Infinity
   */
  maxAttempts?: number;
  /**
   * More completed relists than this within `relistWindowMs` make the informer not live until
   * they fall out of the window: a relist storm (a 410 every few seconds) never stays out of
   * `watching` for long, so `maxUnhealthyMs` alone does not see it. The first list and relist
   * attempts that failed do not count. `Infinity` turns the check off.
   * @defaultValue 5
   */
  maxRelists?: number;
  /**
   * The sliding window of `maxRelists`, in milliseconds.
   * @defaultValue 600000 (10 minutes)
   */
  relistWindowMs?: number;
  /** Clock and timers for `maxUnhealthyMs` and `relistWindowMs`. @defaultValue asyncScheduler */
  scheduler?: SchedulerLike;
}

const DEFAULT_MAX_UNHEALTHY_MS = 120_000;
const DEFAULT_MAX_RELISTS = 5;
const DEFAULT_RELIST_WINDOW_MS = 600_000;
const MAX_ERROR_CHARS = 200;

/**
 * Turns an informer's `status$` into readiness and liveness verdicts.
 *
 * 1. `idle` → not ready, live (nothing is wrong, nothing is running).
 * 2. `listing` → not ready until the first list completes; `synced`/`watching` → ready.
 *    Readiness then stays true while the informer runs (`hasSynced`).
 * 3. Any phase other than `synced`/`watching` starts an "unhealthy since" clock, which the next
 *    `synced`/`watching` clears. Past `maxUnhealthyMs` the informer is not live, even if no new
 *    status arrives (a timer fires).
 * 4. A backoff of more than `maxBackoffMs`, or its `maxAttempts`-th attempt, is not live at once.
 * 5. Each completed relist (`relisting` → `synced`) is remembered for `relistWindowMs`; while
 *    more than `maxRelists` are remembered the informer is not live, whatever its phase (a timer
 *    fires when the oldest leaves the window). `idle` forgets them. Failed relist attempts do not
 *    count: an outage is what `maxUnhealthyMs` is for, and must not linger once it is over.
 * 6. `idle` with an `error` (the informer's pipeline failed, e.g. an `onObjectError` hook threw)
 *    is neither ready nor live until the informer runs again.
 *
 * Emission contract: cold; on subscription subscribes to `status$` (which, for an informer, does
 * not start the watch) and emits a verdict per status, skipping verdicts equal to the previous
 * one; completes and errors with `status$`; unsubscribing cancels the timer and the subscription.
 *
 * @example
 * ```ts
 * import { type Informer, type KubeObject } from 'rxkube';
 * import { healthOf } from 'rxkube/health';
 * declare const pods: Informer<KubeObject>;
 * healthOf(pods.status$, { maxUnhealthyMs: 60_000 }).subscribe((h) => {
 *   if (!h.live) console.warn('pods informer unhealthy:', h.reason);
 * });
 * ```
 *
 * @param status$ - an informer's status stream.
 * @param options - thresholds and scheduler; see {@link HealthOptions}.
 * @returns the verdicts.
 * @see {@link probeHealth} for probe handlers.
 */
export function healthOf(status$: Observable<InformerStatus>, options: HealthOptions = {}): Observable<Health> {
  return new Observable<Health>((subscriber) => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const maxUnhealthyMs = options.maxUnhealthyMs ?? DEFAULT_MAX_UNHEALTHY_MS;
    const maxRelists = options.maxRelists ?? DEFAULT_MAX_RELISTS;
    const relistWindowMs = options.relistWindowMs ?? DEFAULT_RELIST_WINDOW_MS;
    let status: InformerStatus | undefined;
    let unhealthySince: number | undefined;
    let timer: Subscription | undefined;
    let previous: Health | undefined;
    // When the latest relists started, oldest first: at most maxRelists + 1 are needed.
    let relists: number[] = [];
    let lastRelist = '';
    let stormTimer: Subscription | undefined;

    const storm = (): string | undefined => {
      const now = scheduler.now();
      relists = relists.filter((t) => now - t < relistWindowMs);
      if (relists.length <= maxRelists) return undefined;
      return `relist storm: more than ${maxRelists} relists in the last ${relistWindowMs} ms (last: ${lastRelist})`;
    };

    const emit = (): void => {
      if (status === undefined) return;
      const stormy = storm();
      stormTimer?.unsubscribe();
      // Look again when the oldest relist leaves the window: the storm may be over.
      stormTimer = stormy === undefined ? undefined : scheduler.schedule(emit, relists[0]! + relistWindowMs - scheduler.now());
      const health = evaluate(status, unhealthySince === undefined ? 0 : scheduler.now() - unhealthySince, maxUnhealthyMs, options, stormy);
      if (previous !== undefined && previous.ready === health.ready && previous.live === health.live && previous.reason === health.reason) return;
      previous = health;
      subscriber.next(health);
    };

    const subscription = status$.subscribe({
      next: (s) => {
        if (s.phase === 'synced' && status?.phase === 'relisting' && Number.isFinite(maxRelists)) {
          relists.push(scheduler.now());
          if (relists.length > maxRelists + 1) relists.shift();
          lastRelist = status.reason;
        } else if (s.phase === 'idle') {
          relists = [];
        }
        status = s;
        if (s.phase === 'synced' || s.phase === 'watching' || s.phase === 'idle') {
          unhealthySince = undefined;
          timer?.unsubscribe();
          timer = undefined;
        } else if (unhealthySince === undefined) {
          unhealthySince = scheduler.now();
          if (Number.isFinite(maxUnhealthyMs)) timer = scheduler.schedule(emit, maxUnhealthyMs);
        }
        emit();
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    return () => {
      timer?.unsubscribe();
      stormTimer?.unsubscribe();
      subscription.unsubscribe();
    };
  });
}

function evaluate(s: InformerStatus, unhealthyForMs: number, maxUnhealthyMs: number, options: HealthOptions, storm: string | undefined): Health {
  if (s.phase === 'idle') {
    if (s.error !== undefined) return { ready: false, live: false, reason: `stopped by an error: ${describeError(s.error)}` };
    return { ready: false, live: true, reason: 'idle: nothing is subscribed to the informer' };
  }
  if (s.phase === 'synced' || s.phase === 'watching') return storm === undefined ? { ready: true, live: true } : { ready: true, live: false, reason: storm };
  let what: string;
  let liveNow = true;
  if (s.phase !== 'backingOff') {
    what = s.phase === 'listing' ? `listing (${s.reason}), ${s.loaded} objects so far` : `relisting (${s.reason}), serving the previous snapshot`;
  } else {
    what = `${describeError(s.error)}; backing off ${s.delayMs} ms (attempt ${s.attempt}), then ${s.next === 'relist' ? 'relisting' : 'resuming the watch'}`;
    if (s.delayMs > (options.maxBackoffMs ?? Infinity)) {
      liveNow = false;
      what += ` — backoff above maxBackoffMs (${options.maxBackoffMs} ms)`;
    } else if (s.attempt >= (options.maxAttempts ?? Infinity)) {
      liveNow = false;
      what += ` — ${s.attempt} failed attempts in a row`;
    }
  }
  const tooLong = unhealthyForMs >= maxUnhealthyMs;
  if (storm !== undefined) {
    liveNow = false;
    what += ` — ${storm}`;
  }
  const reason = tooLong ? `not watching for ${Math.round(unhealthyForMs)} ms: ${what}` : what;
  return { ready: s.hasSynced, live: liveNow && !tooLong, reason };
}

function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return `failed: ${String(error).slice(0, MAX_ERROR_CHARS)}`;
  const e = error as { name?: unknown; message?: unknown; code?: unknown; reason?: unknown };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  if (name === 'WatchStalledError') return typeof e.message === 'string' ? e.message : 'watch stalled';
  const detail = [typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : undefined, typeof e.reason === 'string' ? e.reason : undefined]
    .filter((x) => x !== undefined)
    .join(' ');
  const message = typeof e.message === 'string' ? e.message.replace(/\s+/g, ' ').slice(0, MAX_ERROR_CHARS) : '';
  return `${name}${detail === '' ? '' : ` ${detail}`}${message === '' ? '' : `: ${message}`}`;
}

/**
 * An HTTP answer for a Kubernetes probe: 200 with `ok`, or 503 with the reason.
 *
 * @example
 * ```ts
 * import type { ProbeAnswer } from 'rxkube/health';
 * const down: ProbeAnswer = { status: 503, body: 'listing (initial), 0 objects so far' };
 * ```
 */
export interface ProbeAnswer {
  /** 200 when the check passes, 503 when it does not. */
  readonly status: 200 | 503;
  /** `ok`, or why not. */
  readonly body: string;
}

/**
 * A health probe of one or more informers, for `/readyz` and `/livez` handlers.
 *
 * @example
 * ```ts
 * import type { HealthProbe } from 'rxkube/health';
 * declare const probe: HealthProbe;
 * const { status, body } = probe.readyz();
 * ```
 */
export interface HealthProbe {
  /** The latest verdict (all informers combined). */
  current(): Health;
  /** 200 when every informer is ready, else 503 with the reasons. */
  readyz(): ProbeAnswer;
  /** 200 when every informer is live, else 503 with the reasons. */
  livez(): ProbeAnswer;
  /** Stops following the informers' status. */
  close(): void;
}

/**
 * Follows the health of informers (see {@link healthOf}) and answers readiness and liveness probes
 * synchronously, from the latest status: plug `readyz()` and `livez()` into the HTTP handlers
 * Kubernetes probes.
 *
 * Several informers are combined: ready when all are ready, live when all are live; the reasons
 * are joined, each prefixed with the informer's name. Subscribing to `status$` does not start any
 * informer: the probe reports `idle` (not ready) until something subscribes to the data.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { type Informer, type KubeObject } from 'rxkube';
 * import { probeHealth } from 'rxkube/health';
 * declare const pods: Informer<KubeObject>;
 * declare const nodes: Informer<KubeObject>;
 * const probe = probeHealth({ pods, nodes }, { maxUnhealthyMs: 120_000 });
 * createServer((req, res) => {
 *   const answer = req.url === '/livez' ? probe.livez() : probe.readyz();
 *   res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.body);
 * }).listen(8080);
 * ```
 *
 * @param informers - one informer, or several by name.
 * @param options - thresholds; see {@link HealthOptions}.
 * @returns the probe; call `close()` when done.
 */
export function probeHealth(
  informers: Pick<Informer<unknown>, 'status$'> | Readonly<Record<string, Pick<Informer<unknown>, 'status$'>>>,
  options: HealthOptions = {},
): HealthProbe {
  const named: [string, Pick<Informer<unknown>, 'status$'>][] = isInformer(informers) ? [['', informers]] : Object.entries(informers);
  const latest = new Map<string, Health>();
  const subscriptions = named.map(([name, inf]) => healthOf(inf.status$, options).subscribe((h) => latest.set(name, h)));
  const current = (): Health => {
    let ready = true;
    let live = true;
    const reasons: string[] = [];
    for (const [name] of named) {
      const h = latest.get(name) ?? { ready: false, live: true, reason: 'no status yet' };
      ready &&= h.ready;
      live &&= h.live;
      if (h.reason !== undefined) reasons.push(name === '' ? h.reason : `${name}: ${h.reason}`);
    }
    return reasons.length === 0 ? { ready, live } : { ready, live, reason: reasons.join('; ') };
  };
  const answer = (ok: boolean, h: Health): ProbeAnswer => (ok ? { status: 200, body: 'ok' } : { status: 503, body: h.reason ?? 'unhealthy' });
  return {
    current,
    readyz: () => {
      const h = current();
      return answer(h.ready, h);
    },
    livez: () => {
      const h = current();
      return answer(h.live, h);
    },
    close: () => {
      for (const s of subscriptions) s.unsubscribe();
    },
  };
}

function isInformer(value: object): value is Pick<Informer<unknown>, 'status$'> {
  const status$ = (value as { status$?: unknown }).status$;
  return typeof status$ === 'object' && status$ !== null && typeof (status$ as { subscribe?: unknown }).subscribe === 'function';
}
