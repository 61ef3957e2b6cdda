/**
 * Measures when the real kube-apiserver sends BOOKMARK events to watchers of a QUIET collection
 * (allowWatchBookmarks=true): the evidence behind rxkube's default dead-connection limit.
 *
 *   node test/apiserver/bookmark-probe.ts [seconds=200]
 *
 * Opens, on a namespace where nothing changes, watches of configmaps and secrets from the
 * list's resourceVersion and one from resourceVersion "0", and prints one line per event with the
 * seconds since it opened. Meanwhile nothing else writes, except what kube-apiserver writes itself
 * (its identity lease every ~10 s).
 */
import { request } from 'node:https';
import { startControlPlane, type ControlPlane } from './harness.ts';

const seconds = Number(process.argv[2] ?? 200);
const cp = await startControlPlane({});

function call(method: string, path: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${cp.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(cp.url + path, { method, headers, ca: cp.caCert }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function watch(label: string, path: string, started = Date.now()): void {
  const req = request(cp.url + path, { headers: { authorization: `Bearer ${cp.token}` }, ca: cp.caCert }, (res) => {
    console.log(`${label}: HTTP ${res.statusCode}`);
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const e = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        console.log(`${label}: +${((Date.now() - started) / 1000).toFixed(1)} s ${e.type} rv=${e.object?.metadata?.resourceVersion}`);
      }
    });
    res.on('end', () => console.log(`${label}: ended +${((Date.now() - started) / 1000).toFixed(1)} s`));
  });
  req.end();
}

async function run(cp: ControlPlane): Promise<void> {
  await call('POST', '/api/v1/namespaces', { metadata: { name: 'quiet' } });
  await call('POST', '/api/v1/namespaces/quiet/configmaps', { metadata: { name: 'one' }, data: { a: '1' } });
  const cms = await call('GET', '/api/v1/namespaces/quiet/configmaps');
  const secrets = await call('GET', '/api/v1/namespaces/quiet/secrets');
  console.log(`lists: configmaps rv=${cms.metadata.resourceVersion} secrets rv=${secrets.metadata.resourceVersion}; etcd revision ${await cp.revision()}`);
  watch('configmaps@list', `/api/v1/namespaces/quiet/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=${cms.metadata.resourceVersion}`);
  watch('secrets@list', `/api/v1/namespaces/quiet/secrets?watch=true&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=${secrets.metadata.resourceVersion}`);
  watch('configmaps@0', `/api/v1/namespaces/quiet/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=0`);
  watch('configmaps@stream', `/api/v1/namespaces/quiet/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=600&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`);
  const t = setInterval(async () => console.log(`etcd revision ${await cp.revision()}`), 30_000);
  // Watches opened later, from a fresh list each: when does each one's first bookmark come?
  for (const at of [30, 75, 140]) {
    setTimeout(async () => {
      const list = await call('GET', '/api/v1/namespaces/quiet/configmaps');
      watch(`configmaps@list+${at}s`, `/api/v1/namespaces/quiet/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=${list.metadata.resourceVersion}`);
    }, at * 1000);
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(t);
}

try {
  await run(cp);
} finally {
  await cp.stop();
  process.exit(0);
}
