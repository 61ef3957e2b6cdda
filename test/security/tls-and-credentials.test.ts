import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { firstValueFrom, Subscription, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { informer } from '../../src/informer/informer.ts';
import { kubeListWatch } from '../../src/kube/kube-list-watch.ts';
import type { KubeObject } from '../../src/model/kube-object.ts';
import { fetchListWatch } from '../../src/sources/fetch-list-watch.ts';
import { createSimulatedApiServer, type SimulatedApiServer } from '../../src/testing/index.ts';
import { diffAgainstServer, until } from '../chaos/harness.ts';

const TOKEN = 'rxkube-secret-token-7f3a9c1e5b2d4f60a8e1';
const dir = mkdtempSync(join(tmpdir(), 'rxkube-security-'));
let pem: { ca: string; serverKey: string; serverCert: string; selfKey: string; selfCert: string; clientKey: string; clientCert: string };
let sim: SimulatedApiServer;
let trusted: https.Server;
let trustedUrl: string;
let selfSigned: https.Server;
let selfSignedUrl: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCertificates(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rxkube-security-ca');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  // A certificate that signs itself, valid for 127.0.0.1, in no kubeconfig.
  openssl('req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=alice/O=rxkube');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2', '-extfile', 'client.ext');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  pem = { ca: read('ca.crt'), serverKey: read('server.key'), serverCert: read('server.crt'), selfKey: read('self.key'), selfCert: read('self.crt'), clientKey: read('client.key'), clientCert: read('client.crt') };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function kubeConfig(server: string, cluster: Record<string, unknown>, user: Record<string, unknown>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  }));
  return kc;
}

const credentials = (): Record<string, unknown> => ({ token: TOKEN, 'client-certificate-data': b64(pem.clientCert), 'client-key-data': b64(pem.clientKey) });

/** An HTTPS front (trusted CA, asks for client certificates) that forwards to the simulated server. */
function proxyTo(target: string): https.Server {
  return https.createServer({ key: pem.serverKey, cert: pem.serverCert, ca: [pem.ca], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on('error', () => res.destroy());
      up.on('aborted', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}

async function listen(server: https.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  makeCertificates();
  sim = await createSimulatedApiServer({ token: TOKEN, bookmarkIntervalMs: 100 });
  for (let i = 0; i < 5; i++) sim.create('pods', { metadata: { name: `p${i}`, namespace: 'default' } });
  trusted = proxyTo(sim.url);
  trustedUrl = await listen(trusted);
  selfSigned = https.createServer({ key: pem.selfKey, cert: pem.selfCert }, (_req, res) => res.end('{}'));
  selfSignedUrl = await listen(selfSigned);
});

afterAll(async () => {
  trusted.closeAllConnections();
  selfSigned.closeAllConnections();
  await Promise.all([new Promise((r) => trusted.close(r)), new Promise((r) => selfSigned.close(r)), sim.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function errorOf(source: { subscribe: (o: { error: (e: unknown) => void; complete: () => void }) => unknown }): Promise<Error> {
  return new Promise((resolve, reject) => {
    source.subscribe({ error: (e) => resolve(e as Error), complete: () => reject(new Error('completed without error')) });
  });
}

describe('security: TLS verification is on by default', () => {
  it('refuses a self-signed certificate that the kubeconfig does not name, with a clear TLS error', async () => {
    const kc = kubeConfig(selfSignedUrl, {}, { token: TOKEN });
    const error = await errorOf(kubeListWatch(kc, { version: 'v1', plural: 'pods' }).list({}));
    expect(error.message).toMatch(/^TLS: https:\/\/127\.0\.0\.1:\d+ presented a certificate the kubeconfig does not trust \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    expect((error as Error & { code?: string }).code).toMatch(/SELF_SIGNED/);
  });

  it('refuses it as well when the kubeconfig names another CA', async () => {
    const kc = kubeConfig(selfSignedUrl, { 'certificate-authority-data': b64(pem.ca) }, { token: TOKEN });
    const error = await errorOf(kubeListWatch(kc, { version: 'v1', plural: 'pods' }).watch({}));
    expect(error.message).toMatch(/^TLS: /);
  });

  it('an informer over an untrusted server never syncs and reports the TLS error in status$', async () => {
    const kc = kubeConfig(selfSignedUrl, {}, credentials());
    const pods = informer(kubeListWatch(kc, { version: 'v1', plural: 'pods' }), { backoff: { initialMs: 5, capMs: 10 } });
    const sub = pods.reflections$.subscribe();
    const status = await firstValueFrom(pods.status$.pipe(take(10), toArray()));
    sub.unsubscribe();
    const backoff = status.find((s) => s.phase === 'backingOff');
    expect(backoff?.phase === 'backingOff' && String(backoff.error)).toMatch(/TLS: /);
    expect(status.some((s) => s.hasSynced)).toBe(false);
  });

  it('the browser-style transport (global fetch) refuses it too', async () => {
    const error = await errorOf(fetchListWatch({ baseUrl: selfSignedUrl, resource: '/api/v1/pods' }).list({}));
    expect(inspect(error, { depth: 5 })).toMatch(/self[- ]signed|SELF_SIGNED/i);
  });

  it('the simulated API server listens on loopback by default', async () => {
    const server = await createSimulatedApiServer();
    try {
      expect(new URL(server.url).hostname).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });
});

describe('security: no credential in any log, error message or thrown error', () => {
  it('a run with a token and a client key, through faults and failures, never prints or throws them', async () => {
    const keyBody = pem.clientKey.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
    const secrets = [TOKEN, b64(TOKEN), keyBody.slice(0, 40), keyBody.slice(-40), b64(pem.clientKey).slice(0, 40)];
    const captured: string[] = [];
    const show = (value: unknown): string => {
      let json = '';
      try {
        json = JSON.stringify(value) ?? '';
      } catch {
        // circular: inspect covers it
      }
      return [String(value), inspect(value, { depth: 10, showHidden: true }), json, (value as Error | undefined)?.stack ?? ''].join('\n');
    };
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        captured.push(args.map(show).join(' '));
      }));
    const writes = [process.stdout, process.stderr].map((stream) => {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        captured.push(String(chunk));
        return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return () => {
        stream.write = original;
      };
    });
    const onWarning = (w: Error): void => void captured.push(show(w));
    process.on('warning', onWarning);
    const subscriptions = new Subscription();
    try {
      // 1. A healthy informer over TLS with token and client certificate, through faults.
      const kc = kubeConfig(trustedUrl, { 'certificate-authority-data': b64(pem.ca) }, credentials());
      const pods = informer<KubeObject>(kubeListWatch(kc, { version: 'v1', plural: 'pods' }, { stallTimeoutMs: 400 }), { backoff: { initialMs: 5, capMs: 20 } });
      subscriptions.add(pods.reflections$.subscribe({ error: (e: unknown) => captured.push(show(e)) }));
      subscriptions.add(pods.status$.subscribe((s) => {
        if (s.phase === 'backingOff') captured.push(show(s.error));
      }));
      await until(() => (pods.getStatus().phase === 'watching' ? [] : ['not watching']), 10_000);
      const faults: (() => void)[] = [
        () => sim.faults.failNext(500, { count: 2 }),
        () => sim.faults.failNext(429, { count: 1, retryAfterSeconds: 0 }),
        () => sim.faults.failNext({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }, { count: 2 }),
        () => sim.faults.failNext({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'forbidden' }, { count: 1 }),
        () => sim.faults.cutWatches('midLine'),
        () => sim.faults.sendMalformedLine(),
        () => sim.faults.sendOversizedLine(20 * 1024 * 1024),
        () => sim.faults.stallWatches(),
        () => sim.faults.sendErrorEvent({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }),
        () => sim.faults.restart(),
      ];
      for (const [i, fault] of faults.entries()) {
        fault();
        sim.create('pods', { metadata: { name: `q${i}`, namespace: 'default' } });
        await new Promise((r) => setTimeout(r, 60));
      }
      const { problems } = await until(() => diffAgainstServer(pods.getSnapshot(), sim.list('pods').items), 15_000);
      expect(problems).toEqual([]);

      // 2. Direct failures: wrong token (401), untrusted certificate, refused connection.
      const wrong = kubeConfig(trustedUrl, { 'certificate-authority-data': b64(pem.ca) }, { ...credentials(), token: `${TOKEN}-wrong` });
      captured.push(show(await errorOf(kubeListWatch(wrong, { version: 'v1', plural: 'pods' }).list({}))));
      captured.push(show(await errorOf(kubeListWatch(kubeConfig(selfSignedUrl, {}, credentials()), { version: 'v1', plural: 'pods' }).watch({}))));
      captured.push(show(await errorOf(kubeListWatch(kubeConfig('https://127.0.0.1:1', {}, credentials()), { version: 'v1', plural: 'pods' }).list({}))));
      const browser = fetchListWatch({ baseUrl: sim.url, resource: '/api/v1/pods', headers: { Authorization: `Bearer ${TOKEN}x` } });
      captured.push(show(await errorOf(browser.list({}))));
      captured.push(show(await errorOf(fetchListWatch({ baseUrl: 'http://127.0.0.1:1', resource: '/api/v1/pods', headers: { Authorization: `Bearer ${TOKEN}` } }).watch({}))));
      // Thrown synchronously: a bad resource path.
      try {
        fetchListWatch({ baseUrl: sim.url, resource: `/api/v1/pods?token=x`, headers: { Authorization: `Bearer ${TOKEN}` } });
      } catch (e) {
        captured.push(show(e));
      }
    } finally {
      subscriptions.unsubscribe();
      process.off('warning', onWarning);
      for (const restore of writes) restore();
      for (const spy of spies) spy.mockRestore();
    }
    const everything = captured.join('\n');
    expect(captured.length).toBeGreaterThan(10);
    expect(everything).toMatch(/401|Unauthorized/);
    expect(everything).toMatch(/TLS: /);
    for (const secret of secrets) expect(everything.includes(secret), `a credential leaked: ${secret.slice(0, 6)}…`).toBe(false);
  }, 60_000);
});

