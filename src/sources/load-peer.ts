import { MissingPeerDependencyError } from '../model/errors.ts';

/** Whether `error` is a module loader's "cannot find `packageName`" (Node, or a bundler's dev server). */
function isMissing(error: unknown, packageName: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  const namesIt = message.includes(`'${packageName}'`) || message.includes(`"${packageName}"`);
  return namesIt && (code === 'ERR_MODULE_NOT_FOUND' || /cannot find (?:package|module)|failed to resolve/i.test(message));
}

/**
 * Loads an optional peer dependency, turning "module not found" into one
 * {@link MissingPeerDependencyError} that says what to install. Other load errors (a broken
 * install, a syntax error) pass through unchanged.
 *
 * @param load - the dynamic import, written literally at the call site so bundlers see it.
 * @param packageName - the npm package `load` imports.
 * @param feature - what needs it, for the message.
 * @returns the module.
 * @internal
 */
export async function loadPeer<M>(load: () => Promise<M>, packageName: string, feature: string): Promise<M> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, packageName)) throw new MissingPeerDependencyError(packageName, feature, error);
    throw error;
  }
}
