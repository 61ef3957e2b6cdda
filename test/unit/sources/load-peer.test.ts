import { describe, expect, it } from 'vitest';
import { MissingPeerDependencyError } from '../../../src/model/errors.ts';
import { loadPeer } from '../../../src/sources/load-peer.ts';

describe('loadPeer', () => {
  it('turns Node\'s "cannot find package" into one message naming the package to install', async () => {
    const notFound = Object.assign(new Error("Cannot find package 'immer' imported from /app/node_modules/rxkube/dist/json-patch/json-patch.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await loadPeer(() => Promise.reject(notFound), 'immer', 'rxkube/json-patch').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerDependencyError);
    expect((error as Error).message).toBe('rxkube/json-patch needs the package immer, which is not installed: npm install immer');
    expect((error as MissingPeerDependencyError).packageName).toBe('immer');
    expect((error as Error).cause).toBe(notFound);
  });

  it('does the same for a real failed dynamic import', async () => {
    const missing = 'rxkube-no-such-package';
    const error = await loadPeer(() => import(missing), missing, 'rxkube/kube').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerDependencyError);
    expect((error as Error).message).toBe('rxkube/kube needs the package rxkube-no-such-package, which is not installed: npm install rxkube-no-such-package');
  });

  it('passes other load errors through unchanged (a broken install, or a missing package of the peer itself)', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(loadPeer(() => Promise.reject(broken), 'immer', 'x')).rejects.toBe(broken);
    const transitive = Object.assign(new Error("Cannot find package 'js-yaml' imported from /app/node_modules/@kubernetes/client-node/dist/config.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadPeer(() => Promise.reject(transitive), '@kubernetes/client-node', 'rxkube/kube')).rejects.toBe(transitive);
  });

  it('returns the module when it is installed', async () => {
    const rxjs = await loadPeer(() => import('rxjs'), 'rxjs', 'x');
    expect(typeof rxjs.of).toBe('function');
  });
});
