/**
 * vitest globalSetup for the conformance suite: starts the real control planes ONCE for every
 * conformance file and hands their connection details to the tests with `provide`.
 *
 * - `main`: kube-apiserver + etcd with the watch cache disabled for configmaps, so that an etcd
 *   compaction makes old configmap resourceVersions answer 410 (the watch cache would hide it).
 * - `noWatchList`: a second control plane with the `WatchList` feature gate off, which refuses
 *   streaming lists (422), for the fallback scenario.
 *
 * Never skips: without Go (when the binary is not built yet) or openssl it fails with a message
 * saying what to install.
 */
import { spawnSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startControlPlane, type ControlPlane } from '../apiserver/harness.ts';
import { controlPlaneInfo, MAIN_CONTROL_PLANE, NO_WATCHLIST_CONTROL_PLANE } from './drivers/real.ts';

function needTool(cmd: string, args: string[], why: string): void {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.error) throw new Error(`conformance suite: '${cmd}' is not installed or not on PATH — ${why}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  needTool('openssl', ['version'], 'install openssl (Debian/Ubuntu: apt-get install openssl); it generates the control plane certificates.');
  needTool('go', ['version'], 'install Go (see test/apiserver/go.mod; Debian: the golang package or https://go.dev/dl/); it builds kube-apiserver for the conformance suite.');
  const planes: ControlPlane[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(planes.map((p) => p.stop()));
  };
  try {
    const [main, noWatchList] = await Promise.all([
      startControlPlane(MAIN_CONTROL_PLANE),
      startControlPlane(NO_WATCHLIST_CONTROL_PLANE),
    ]);
    planes.push(main, noWatchList);
    project.provide('rxkubeControlPlanes', { main: controlPlaneInfo(main), noWatchList: controlPlaneInfo(noWatchList) });
  } catch (e) {
    await stop();
    throw new Error(`conformance suite: could not start kube-apiserver: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return stop;
}
