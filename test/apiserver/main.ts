/**
 * `npm run apiserver`: start a real control plane (etcd + kube-apiserver) for
 * manual poking, print how to reach it, stop it on Ctrl-C.
 *
 *   node --experimental-strip-types test/apiserver/main.ts [--log] [--no-watch-cache] [-- <extra kube-apiserver flags>]
 */
import { startControlPlane } from './harness.ts';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const extraArgs = dash >= 0 ? argv.slice(dash + 1) : [];
for (const a of own) {
  if (!['--log', '--no-watch-cache', '--keep-dir'].includes(a)) {
    console.error(`unknown flag ${a}\nusage: main.ts [--log] [--no-watch-cache] [--keep-dir] [-- <extra kube-apiserver flags>]`);
    process.exit(2);
  }
}

const cp = await startControlPlane({
  log: own.includes('--log'),
  watchCache: !own.includes('--no-watch-cache'),
  keepDir: own.includes('--keep-dir'),
  extraArgs,
});

console.log(`Kubernetes ${cp.version} control plane ready in ${cp.startMs} ms (pid ${cp.pid})
  url:        ${cp.url}
  token:      ${cp.token}
  kubeconfig: ${cp.kubeconfigPath}
  admin:      ${cp.adminUrl}  (curl -XPOST ${cp.adminUrl}/compact)

  export KUBECONFIG=${cp.kubeconfigPath}
  kubectl get ns

Ctrl-C to stop.`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping...');
  cp.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
