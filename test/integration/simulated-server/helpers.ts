import type { KubeObject } from '../../../src/model/kube-object.ts';

/** GET and parse JSON, returning the status too. */
export async function getJson<T = any>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers };
}

/** What reading a watch produced. */
export interface WatchRead {
  status: number;
  events: { type: string; object: any }[];
  /** Whether the server ended the stream (rather than us stopping). */
  ended: boolean;
  /** An error from the body (reset connection), if any. */
  error: unknown;
  /** Bytes after the last newline when the stream ended. */
  tail: string;
  raw: string;
}

/**
 * Opens a watch and reads events until `until(events)` holds, the stream ends, or `maxMs` passes
 * (a safety net, never an assertion). `during` runs once the response headers arrived.
 */
export async function readWatch(
  url: string,
  opts: { until?: (events: WatchRead['events']) => boolean; maxMs?: number; during?: () => void | Promise<void>; headers?: Record<string, string> } = {},
): Promise<WatchRead> {
  const ac = new AbortController();
  const res = await fetch(url, { signal: ac.signal, headers: opts.headers });
  const out: WatchRead = { status: res.status, events: [], ended: false, error: undefined, tail: '', raw: '' };
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  const safety = setTimeout(() => ac.abort(), opts.maxMs ?? 5000);
  let buf = '';
  const during = opts.during?.();
  try {
    for (;;) {
      if (opts.until?.(out.events)) break;
      const { value, done } = await reader.read();
      if (done) {
        out.ended = true;
        break;
      }
      const s = dec.decode(value, { stream: true });
      out.raw += s;
      buf += s;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        out.events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        if (opts.until?.(out.events)) break;
      }
    }
  } catch (e) {
    out.error = e;
  } finally {
    clearTimeout(safety);
    ac.abort();
  }
  await during;
  out.tail = buf;
  return out;
}

/** A minimal pod. */
export function pod(name: string, namespace = 'default', labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace, labels }, spec: { nodeName: 'node-1' }, status: { phase: 'Running' }, ...extra } as KubeObject;
}
