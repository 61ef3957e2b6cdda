import type { KubeObject } from '../../index.ts';
import type { RecordedResource, RecordingRedaction } from './format.ts';

/** The annotation `kubectl apply` writes: a full copy of the applied object, Secret data included. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What {@link record} redacts. By default Secret values and the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation never reach the file.
 *
 * @example
 * ```ts
 * import type { RedactionOptions } from 'rxkube/testing';
 * const alsoTokens: RedactionOptions = { annotations: ['kubectl.kubernetes.io/last-applied-configuration', 'example.com/token'] };
 * const everything: RedactionOptions = { secrets: false, annotations: [] };
 * ```
 */
export interface RedactionOptions {
  /**
   * Replace the values of a Secret's `data` and `stringData` with placeholders.
   * @defaultValue true
   */
  readonly secrets?: boolean;
  /**
   * Annotations whose values are replaced with placeholders, on every kind.
   * @defaultValue `['kubectl.kubernetes.io/last-applied-configuration']`
   */
  readonly annotations?: readonly string[];
}

/** The options with their defaults, as the header records them. */
export function resolveRedaction(options: RedactionOptions = {}): RecordingRedaction {
  return { secrets: options.secrets ?? true, annotations: [...(options.annotations ?? [LAST_APPLIED_ANNOTATION])] };
}

/** `'A'` × length: valid base64 (of zero bytes) when the value was, and the same size. */
function dataPlaceholder(value: unknown): string {
  return 'A'.repeat(typeof value === 'string' ? value.length : 0);
}

function textPlaceholder(value: unknown): string {
  return '*'.repeat(typeof value === 'string' ? value.length : 0);
}

function isSecret(obj: KubeObject, resource: RecordedResource): boolean {
  // List items of built-in kinds carry no `kind`; the collection says what they are.
  return (obj as { kind?: unknown }).kind === 'Secret' || (resource.group === '' && resource.plural === 'secrets' && (obj as { kind?: unknown }).kind === undefined);
}

function redactValues(map: unknown, placeholder: (v: unknown) => string): Record<string, string> | undefined {
  if (map === null || typeof map !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[k] = placeholder(v);
  return out;
}

/**
 * Returns `obj` with the configured values replaced by placeholders of the same length (Secret
 * `data`: `A`…, valid base64 of zero bytes; `stringData` and annotations: `*`…), so sizes — and
 * benchmarks — stay true while the values are gone. Keys are kept. `obj` itself is never
 * modified: a copy is made only when something is redacted.
 *
 * @example
 * ```ts
 * import { redactObject, resolveRedaction } from 'rxkube/testing';
 * const secret = { kind: 'Secret', metadata: { name: 's', resourceVersion: '1' }, data: { password: 'aHVudGVyMg==' } };
 * redactObject(secret, { group: '', version: 'v1', plural: 'secrets' }, resolveRedaction()).data; // { password: 'AAAAAAAAAAAA' }
 * ```
 *
 * @param obj - an object as received.
 * @param resource - the collection it came from (list items of built-in kinds carry no kind).
 * @param redaction - what to redact; see {@link resolveRedaction}.
 * @returns `obj`, or a redacted copy.
 */
export function redactObject<T extends KubeObject>(obj: T, resource: RecordedResource, redaction: RecordingRedaction): T {
  let out: T = obj;
  if (redaction.secrets && isSecret(obj, resource)) {
    const o = obj as T & { data?: unknown; stringData?: unknown };
    const copy: Record<string, unknown> = { ...(o as object) };
    const data = redactValues(o.data, dataPlaceholder);
    if (data !== undefined) copy['data'] = data;
    const stringData = redactValues(o.stringData, textPlaceholder);
    if (stringData !== undefined) copy['stringData'] = stringData;
    out = copy as T;
  }
  const annotations = out.metadata?.annotations;
  if (annotations !== undefined && annotations !== null && redaction.annotations.some((a) => Object.hasOwn(annotations, a))) {
    const redacted: Record<string, string> = { ...annotations };
    for (const a of redaction.annotations) if (Object.hasOwn(redacted, a)) redacted[a] = textPlaceholder(redacted[a]);
    out = { ...out, metadata: { ...out.metadata, annotations: redacted } };
  }
  return out;
}
