/**
 * The Node.js the `rxkube` command needs, checked before anything else is imported: older Nodes
 * fail deep inside undici with a stack trace instead. Plain JavaScript syntax only, so that the
 * check itself loads on any Node.
 * @internal
 * @packageDocumentation
 */

/** The oldest Node.js the CLI runs on (package.json's `engines.node`). @internal */
export const requiredNode = '22.19.0';

function parts(version: string): number[] {
  return version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10) || 0);
}

/**
 * The one line to print when `version` is older than {@link requiredNode}, else `undefined`.
 * @internal
 */
export function unsupportedNode(version: string): string | undefined {
  const have = parts(version);
  const need = parts(requiredNode);
  for (let i = 0; i < need.length; i++) {
    const h = have[i] ?? 0;
    const n = need[i] ?? 0;
    if (h > n) return undefined;
    if (h < n) return `rxkube needs Node.js ${requiredNode} or newer; this is Node.js ${version.replace(/^v/, '')} (${process.execPath})`;
  }
  return undefined;
}
