/** What a continue token pins: the snapshot revision (`-1` = latest) and the first key to read. */
export interface ContinuePosition {
  /** The revision of the list snapshot; `-1` asks for the latest (an inconsistent remainder). */
  readonly rv: number;
  /** The first key of the next page (the last key served + `\u0000`). */
  readonly start: string;
}

/** Encodes a token the way the etcd3 store does: unpadded base64url of `{"v","rv","start"}`. */
export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: pos.rv, start: pos.start })).toString('base64url');
}

/** Decodes a token; throws an Error with the real server's wording on anything else. */
export function decodeContinue(token: string): ContinuePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new Error('continue key is not valid: illegal base64 data or JSON');
  }
  if (parsed === null || typeof parsed !== 'object') throw new Error('continue key is not valid: not an object');
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p.v !== 'meta.k8s.io/v1') throw new Error('continue key is not valid: server does not recognize this encoded key');
  if (typeof p.rv !== 'number' || !Number.isInteger(p.rv) || p.rv === 0) throw new Error('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof p.start !== 'string' || p.start === '') throw new Error('continue key is not valid: encoded start key empty');
  return { rv: p.rv, start: p.start };
}
