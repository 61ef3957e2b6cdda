/**
 * Self-test of the control-plane harness (not a vitest file on purpose: it
 * needs Go/openssl and ~10 s). Run:
 *
 *   node --experimental-strip-types test/apiserver/selftest.ts
 *
 * Prints one line per check and closes with "N passed, N failed".
 */
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { startControlPlane, type ControlPlane } from './harness.ts';

interface Resp {
  status: number;
  body: string;
}

function call(cp: ControlPlane, method: string, path: string, body?: unknown, auth: 'token' | 'cert' | 'none' = 'token'): Promise<Resp> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth === 'token') headers['authorization'] = `Bearer ${cp.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(
      cp.url + path,
      { method, headers, ca: cp.caCert, ...(auth === 'cert' ? { cert: cp.clientCert, key: cp.clientKey } : {}), timeout: 30_000 },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

interface WatchEvent {
  type: string;
  object: { code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } };
}

const events = (r: Resp): WatchEvent[] =>
  r.body
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as WatchEvent);

let passed = 0;
let failed = 0;
async function check(name: string, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

const t0 = Date.now();
// configmaps bypass the watch cache, so etcd compaction is visible to watches.
const cp = await startControlPlane({ watchCacheSizes: { configmaps: 0 } });
console.log(`control plane ${cp.version} at ${cp.url}: ready ${cp.startMs} ms after spawn (${Date.now() - t0} ms incl. build check + certs)`);

try {
  await check('/version reports the pinned release', async () => {
    const r = await call(cp, 'GET', '/version');
    assert(r.status === 200, `HTTP ${r.status}`);
    const v = JSON.parse(r.body) as { gitVersion: string };
    assert(v.gitVersion === cp.version, `gitVersion ${v.gitVersion} != ${cp.version}`);
  });
  await check('token auth lists namespaces (default exists)', async () => {
    const r = await call(cp, 'GET', '/api/v1/namespaces');
    assert(r.status === 200, `HTTP ${r.status} ${r.body}`);
    assert(r.body.includes('"name":"default"'), 'no default namespace');
  });
  await check('client certificate auth (CN=admin, O=system:masters)', async () => {
    const r = await call(cp, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, 'cert');
    assert(r.status === 201, `HTTP ${r.status} ${r.body}`);
    assert(r.body.includes('system:masters') && r.body.includes('"username":"admin"'), r.body);
  });
  await check('anonymous requests are forbidden', async () => {
    const r = await call(cp, 'GET', '/api/v1/namespaces', undefined, 'none');
    assert(r.status === 403 || r.status === 401, `HTTP ${r.status}`);
  });
  await check('create a namespace and a pod (no ServiceAccount admission)', async () => {
    let r = await call(cp, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'selftest' } });
    assert(r.status === 201, `namespace: HTTP ${r.status} ${r.body}`);
    r = await call(cp, 'POST', '/api/v1/namespaces/selftest/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    assert(r.status === 201, `pod: HTTP ${r.status} ${r.body}`);
  });

  let firstRv = '';
  await check('watch-list: ADDED events then BOOKMARK k8s.io/initial-events-end', async () => {
    for (const name of ['a', 'b', 'c']) {
      const r = await call(cp, 'POST', '/api/v1/namespaces/selftest/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });
      assert(r.status === 201, `create ${name}: HTTP ${r.status}`);
      if (name === 'a') firstRv = (JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    }
    const r = await call(
      cp,
      'GET',
      '/api/v1/namespaces/selftest/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2',
    );
    const ev = events(r);
    const added = ev.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata?.name);
    assert(added.join() === 'a,b,c', `ADDED ${added.join()}`);
    const bm = ev.find((e) => e.type === 'BOOKMARK');
    assert(bm?.object.metadata?.annotations?.['k8s.io/initial-events-end'] === 'true', `bookmark: ${JSON.stringify(bm)}`);
  });
  await check('compact() then a watch at an old resourceVersion gets ERROR 410 Expired', async () => {
    const before = await cp.revision();
    await call(cp, 'PUT', '/api/v1/namespaces/selftest/configmaps/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'a2' } });
    const rev = await cp.compact();
    assert(rev > before, `compacted at ${rev}, revision before was ${before}`);
    const r = await call(cp, 'GET', `/api/v1/namespaces/selftest/configmaps?watch=true&resourceVersion=${firstRv}&timeoutSeconds=2`);
    const ev = events(r);
    assert(ev[0]?.type === 'ERROR' && ev[0].object.code === 410 && ev[0].object.reason === 'Expired', JSON.stringify(ev));
  });
  await check('a list at a compacted resourceVersion (Exact) is 410', async () => {
    const r = await call(cp, 'GET', `/api/v1/namespaces/selftest/configmaps?resourceVersion=${firstRv}&resourceVersionMatch=Exact`);
    assert(r.status === 410, `HTTP ${r.status}`);
  });
} finally {
  const t = Date.now();
  await cp.stop();
  await check(`stop() kills the process and removes the temp dir (${Date.now() - t} ms)`, () => {
    let alive = true;
    try {
      process.kill(cp.pid, 0);
    } catch {
      alive = false;
    }
    assert(!alive, `pid ${cp.pid} still alive`);
    assert(!existsSync(cp.dir), `${cp.dir} still exists`);
  });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
