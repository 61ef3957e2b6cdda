import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Status } from '../index.ts';

/** Sends a JSON body. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Bytes (well, UTF-16 units) of item JSON gathered before each `res.write`. */
const LIST_BATCH = 64 * 1024;

/**
 * Sends a 200 list body item by item: the members of `head` (`kind`, `apiVersion`, `metadata`),
 * then `"items":[…]` with each item's JSON, byte for byte what `JSON.stringify({ ...head, items })`
 * writes, without ever building that string (V8 cannot make one over ~512 MiB; kube-apiserver
 * streams list responses too). Items are gathered into ~64 KiB writes; when the socket buffer is
 * full (`write()` returns false) it waits for `drain`, and it stops when the client goes away. A
 * body that fits in one batch is sent with a `Content-Length`, like {@link sendJson}; a longer
 * one is chunked, as kube-apiserver sends it.
 */
export async function sendJsonList<T>(res: ServerResponse, contentType: string, head: Record<string, unknown>, items: readonly T[], toJson: (item: T) => unknown = (item) => item): Promise<void> {
  const start = JSON.stringify(head);
  let batch = `${start.slice(0, -1)}${start === '{}' ? '' : ','}"items":[`;
  let i = 0;
  for (; i < items.length && batch.length < LIST_BATCH; i++) batch += (i === 0 ? '' : ',') + JSON.stringify(toJson(items[i]!));
  if (i === items.length) {
    sendJson(res, 200, `${batch}]}`, contentType);
    return;
  }
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private' });
  for (;;) {
    if (res.destroyed) return;
    if (!res.write(batch) && !(await drained(res))) return;
    if (i === items.length) break;
    batch = '';
    for (; i < items.length && batch.length < LIST_BATCH; i++) batch += `,${JSON.stringify(toJson(items[i]!))}`;
  }
  res.end(']}');
}

/** Resolves `true` on `drain`, `false` when the response closes first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (ok: boolean) => (): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Sends a Status document with its code. */
export function sendStatus(res: ServerResponse, status: Status, headers: Record<string, string> = {}): void {
  sendJson(res, status.code ?? 500, status, 'application/json', headers);
}

/** Reads and parses a JSON request body (`undefined` when empty). */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  return JSON.parse(text) as unknown;
}
