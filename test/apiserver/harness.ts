/**
 * A real Kubernetes control plane for tests: embedded etcd + the real
 * kube-apiserver in one Go binary (see main.go, build.sh), started with
 * generated certificates on free loopback ports.
 *
 *   const cp = await startControlPlane();
 *   // cp.url, cp.token, cp.caCert, cp.kubeconfigPath, ...
 *   await cp.compact();   // force an etcd compaction (old resourceVersions -> 410)
 *   await cp.kill();      // SIGKILL: kube-apiserver and its embedded etcd die at once
 *   await cp.restart();   // the same etcd data, port, certificates and tokens
 *   await cp.stop();
 *
 * Needs `go` (only when the binary is not built yet: build.sh builds it into
 * .cache/apiserver/<k8s version>/) and the `openssl` CLI. Node built-ins only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface ControlPlaneOptions {
  /** Max time from process start to a ready `/readyz` (ms). Default 120 000. */
  startTimeoutMs?: number;
  /** Max time build.sh may take when the binary must be built (ms). Default 30 min. */
  buildTimeoutMs?: number;
  /** `--watch-cache` (default true). false: every list/watch is served from etcd. */
  watchCache?: boolean;
  /**
   * `--watch-cache-sizes`, e.g. `{ configmaps: 0, 'deployments.apps': 0 }` or
   * `['configmaps#0']`. Only 0 is meaningful in this release (disables the watch
   * cache for that built-in resource; non-zero values all mean "enabled").
   */
  watchCacheSizes?: Record<string, number> | string[];
  /**
   * `--etcd-compaction-interval` of kube-apiserver, e.g. '10s'. Default '0'
   * (the apiserver never compacts; tests call `compact()` when they want to).
   */
  etcdCompactionInterval?: string;
  /** Extra feature gates, merged over the defaults (`WatchList=true`). */
  featureGates?: Record<string, boolean>;
  /** klog verbosity (`--v`). Default 0. */
  verbosity?: number;
  /** Extra kube-apiserver flags, appended last (so they win). */
  extraArgs?: string[];
  /**
   * Stream the control plane's stderr to this process's stderr (true) or to a
   * callback. Default: env RXKUBE_APISERVER_LOG=1. A tail is always kept for errors.
   */
  log?: boolean | ((line: string) => void);
  /** Use this binary instead of building one (default: env RXKUBE_CONTROLPLANE_BIN, else build.sh). */
  binary?: string;
  /** Keep the temp dir (certs, etcd data, kubeconfig) after stop(), for debugging. */
  keepDir?: boolean;
  /**
   * More users for the static token file: `token → groups`. Each user is named after its token's
   * first 8 characters. Users outside `system:masters` are subject to `--max-requests-inflight`
   * (masters are exempt from it), and need an RBAC binding to do anything.
   */
  extraTokens?: Record<string, readonly string[]>;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  url: string;
  /** Bearer token of user "admin" in group "system:masters". */
  token: string;
  /** PEM of the CA that signed the serving and client certificates. */
  caCert: string;
  /** Path of a kubeconfig (current context: token user; context "rxkube-test-cert": client cert). */
  kubeconfigPath: string;
  /** The kubeconfig's YAML. */
  kubeconfig: string;
  /** PEM client certificate, CN=admin, O=system:masters, signed by caCert. */
  clientCert: string;
  /** PEM private key of clientCert. */
  clientKey: string;
  /** http://127.0.0.1:PORT of the admin endpoint (POST /compact, GET /revision); changes on restart(). */
  readonly adminUrl: string;
  /** Temp dir holding certs, token file, kubeconfig and etcd data. */
  dir: string;
  /** Kubernetes version of the binary, e.g. "v1.36.3". */
  version: string;
  /** The control plane's process id; changes on restart(). */
  readonly pid: number;
  /** Milliseconds from spawning the process to a ready /readyz (of the last start). */
  readonly startMs: number;
  /** Compact etcd at its current revision; resolves to that revision. */
  compact(): Promise<number>;
  /** Current etcd store revision. */
  revision(): Promise<number>;
  /** Last lines of the control plane's stderr. */
  logTail(lines?: number): string;
  /**
   * `kill -9` of the process (kube-apiserver and the embedded etcd in it); resolves once it is
   * gone. The data dir is kept for {@link ControlPlane.restart}.
   */
  kill(): Promise<void>;
  /**
   * Starts the control plane again on the same etcd data, secure port, certificates and tokens
   * (killing it first if it still runs); resolves when /readyz is ok.
   */
  restart(): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs` (default 5000), then delete the temp dir. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

// ---------------------------------------------------------------------------
// Process-wide cleanup: never leave a control plane behind.

const running = new Set<{ child: ChildProcess; dir: string; keepDir: boolean }>();
let handlersInstalled = false;

function killAllSync(): void {
  for (const r of running) {
    try {
      r.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
    if (!r.keepDir) rmSync(r.dir, { recursive: true, force: true });
  }
  running.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAllSync();
      // Keep the default "die by this signal" behaviour unless someone else
      // also listens (e.g. a test runner with its own handling).
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
  // If this process dies without running handlers (SIGKILL), the control plane
  // sees EOF on its stdin (--exit-on-stdin-close) and exits by itself.
}

// ---------------------------------------------------------------------------
// Helpers

function which(cmd: string): boolean {
  const r = spawnSync(cmd, ['version'], { stdio: 'ignore' });
  return !r.error;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
}

/** Build (or find) the binary; returns its path. */
function ensureBinary(options: ControlPlaneOptions): string {
  const explicit = options.binary ?? process.env['RXKUBE_CONTROLPLANE_BIN'];
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`control plane binary not found: ${explicit}`);
    return explicit;
  }
  // build.sh is cheap when the cached binary is fresh (a hash check).
  const r = spawnSync('bash', [join(here, 'build.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'], // build progress -> our stderr
    timeout: options.buildTimeoutMs ?? 30 * 60_000,
  });
  if (r.error) throw new Error(`running test/apiserver/build.sh: ${r.error.message}`);
  if (r.status === 127) {
    throw new Error(
      "test/apiserver/build.sh: 'go' is not installed. Install Go (see test/apiserver/go.mod for the minimum version; " +
        "Debian: the golang package or https://go.dev/dl/) to build the Kubernetes control plane used by these tests.",
    );
  }
  if (r.status !== 0) throw new Error(`test/apiserver/build.sh failed with exit code ${r.status}`);
  const bin = r.stdout.trim().split('\n').pop() ?? '';
  if (!existsSync(bin)) throw new Error(`build.sh did not produce a binary (got ${JSON.stringify(bin)})`);
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Pki {
  caCert: string;
  clientCert: string;
  clientKey: string;
}

/** CA, serving cert, client cert and service-account key pair, all ECDSA P-256. */
function generatePki(dir: string): Pki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const cnf = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };
  const reqBase = '[req]\ndistinguished_name = dn\nprompt = no\n[dn]\n';
  // CA
  cnf(
    'ca.cnf',
    reqBase +
      'CN = rxkube-test-ca\n[v3]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier = hash\n',
  );
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-config', 'ca.cnf', '-extensions', 'v3'], dir);
  // Leaf certificates
  const leaf = (name: string, subject: string, ext: string): void => {
    cnf(`${name}.cnf`, reqBase + subject);
    cnf(`${name}.ext`, 'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nauthorityKeyIdentifier = keyid\n' + ext);
    openssl(['req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-config', `${name}.cnf`], dir);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.crt`],
      dir,
    );
  };
  leaf(
    'serving',
    'CN = kube-apiserver\n',
    'extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1\n',
  );
  leaf('client', 'O = system:masters\nCN = admin\n', 'extendedKeyUsage = clientAuth\n');
  // Service-account token signing key pair
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'], dir);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  return {
    caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    clientCert: readFileSync(join(dir, 'client.crt'), 'utf8'),
    clientKey: readFileSync(join(dir, 'client.key'), 'utf8'),
  };
}

function kubeconfigYaml(url: string, token: string, pki: Pki): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: rxkube-test
  cluster:
    server: ${url}
    certificate-authority-data: ${b64(pki.caCert)}
users:
- name: admin
  user:
    token: ${token}
- name: admin-cert
  user:
    client-certificate-data: ${b64(pki.clientCert)}
    client-key-data: ${b64(pki.clientKey)}
contexts:
- name: rxkube-test
  context:
    cluster: rxkube-test
    user: admin
- name: rxkube-test-cert
  context:
    cluster: rxkube-test
    user: admin-cert
current-context: rxkube-test
`;
}

function httpsGet(url: string, token: string, ca: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', ca, headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function adminCall(adminUrl: string, method: string, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(adminUrl + path, { method, timeout: 60_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${method} ${path}: HTTP ${res.statusCode}: ${body.trim()}`));
        else {
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

function revisionOf(v: unknown): number {
  const rev = (v as { revision?: unknown } | null)?.revision;
  if (typeof rev !== 'number') throw new Error(`unexpected admin response: ${JSON.stringify(v)}`);
  return rev;
}

/** Splits a stream into lines. */
function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => {
    if (buf) onLine(buf);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------

/** kube-apiserver flags for a test control plane (without --etcd-servers, added by the binary). */
function apiserverArgs(dir: string, port: number, options: ControlPlaneOptions): string[] {
  const gates: Record<string, boolean> = { WatchList: true, ...options.featureGates };
  const args = [
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    '--advertise-address=127.0.0.1',
    `--tls-cert-file=${join(dir, 'serving.crt')}`,
    `--tls-private-key-file=${join(dir, 'serving.key')}`,
    `--client-ca-file=${join(dir, 'ca.crt')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    // No controller-manager runs: the ServiceAccount admission plugin would
    // reject pods because no "default" ServiceAccount is ever created.
    '--disable-admission-plugins=ServiceAccount',
    // The "kubernetes" Service's Endpoints would get 127.0.0.1, which
    // Endpoints validation rejects (log noise); nothing here needs them.
    '--endpoint-reconciler-type=none',
    `--etcd-compaction-interval=${options.etcdCompactionInterval ?? '0'}`,
    // Less background etcd traffic (metrics only).
    '--etcd-count-metric-poll-period=0',
    '--etcd-db-metric-poll-interval=0',
    `--watch-cache=${options.watchCache ?? true}`,
    `--feature-gates=${Object.entries(gates)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`,
    `--v=${options.verbosity ?? 0}`,
  ];
  const sizes = options.watchCacheSizes;
  if (sizes) {
    const list = Array.isArray(sizes) ? sizes : Object.entries(sizes).map(([r, n]) => `${r}#${n}`);
    if (list.length) args.push(`--watch-cache-sizes=${list.join(',')}`);
  }
  return [...args, ...(options.extraArgs ?? [])];
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  if (!which('openssl')) {
    throw new Error('the openssl CLI is not installed; install it (Debian/Ubuntu: apt-get install openssl) to run the control-plane tests');
  }
  const bin = ensureBinary(options);
  const version = /\/(v\d+\.\d+\.\d+[^/]*)\/[^/]+$/.exec(bin)?.[1] ?? 'unknown';
  const dir = mkdtempSync(join(tmpdir(), 'rxkube-apiserver-'));
  const keepDir = options.keepDir ?? false;
  let ok = false;
  try {
    const pki = generatePki(dir);
    const token = randomBytes(24).toString('hex');
    const extra = Object.entries(options.extraTokens ?? {})
      .map(([t, groups]) => `${t},${t.slice(0, 8)},${t.slice(0, 8)},"${groups.join(',')}"\n`)
      .join('');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,"system:masters"\n${extra}`, { mode: 0o600 });

    // The secure port is chosen here (free right now); retry if someone else
    // grabbed it before the apiserver bound it.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        const cp = await launch(bin, dir, port, token, pki, version, keepDir, options);
        ok = true;
        return cp;
      } catch (e) {
        if (attempt < 3 && e instanceof Error && /address already in use/.test(e.message)) {
          rmSync(join(dir, 'data'), { recursive: true, force: true });
          continue;
        }
        throw e;
      }
    }
  } finally {
    if (!ok && !keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly exitPromise: Promise<void>;
  readonly exited: () => boolean;
  readonly adminAddr: string;
  readonly startMs: number;
}

/** A rolling tail of the control plane's output, shared by its restarts. */
function outputSink(options: ControlPlaneOptions): { keep: (line: string) => void; tail: (n?: number) => string; sink?: (line: string) => void } {
  const lines: string[] = [];
  const logOpt = options.log ?? process.env['RXKUBE_APISERVER_LOG'] === '1';
  const sink = typeof logOpt === 'function' ? logOpt : logOpt ? (l: string) => process.stderr.write(`[apiserver] ${l}\n`) : undefined;
  return {
    keep: (l) => {
      lines.push(l);
      if (lines.length > 400) lines.splice(0, lines.length - 400);
      sink?.(l);
    },
    tail: (n = 60) => lines.slice(-n).join('\n'),
    ...(sink ? { sink } : {}),
  };
}

/** Spawns the binary on `dir`'s data and `port`, and waits for a ready /readyz. */
async function spawnReady(
  bin: string,
  dir: string,
  port: number,
  token: string,
  caCert: string,
  keepDir: boolean,
  options: ControlPlaneOptions,
  out: ReturnType<typeof outputSink>,
): Promise<Running> {
  installHandlers();
  const startedAt = Date.now();
  const args = [
    `--data-dir=${join(dir, 'data')}`,
    '--admin-port=0',
    '--exit-on-stdin-close',
    ...(keepDir ? [] : [`--cleanup-dir=${dir}`]),
    '--',
    ...apiserverArgs(dir, port, options),
  ];
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: false });
  const entry = { child, dir, keepDir };
  running.add(entry);

  let adminAddr: string | undefined;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(entry);
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  lines(child.stderr, out.keep);
  lines(child.stdout, (l) => {
    const m = /^ADMIN_READY (\S+)$/.exec(l);
    if (m) adminAddr = m[1];
    out.keep(l);
  });

  const url = `https://127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = startedAt + timeoutMs;
  let last = '';
  const fail = async (why: string): Promise<never> => {
    child.kill('SIGKILL');
    await exitPromise;
    throw new Error(`kube-controlplane (${bin}) ${why}\n--- last lines of its output ---\n${out.tail()}`);
  };
  for (;;) {
    if (spawnError) await fail(`could not be started: ${spawnError.message}`);
    if (exited) await fail(`exited before becoming ready (code ${exited.code}, signal ${exited.signal})`);
    if (Date.now() > deadline) await fail(`was not ready after ${timeoutMs} ms (last /readyz: ${last})`);
    try {
      const r = await httpsGet(`${url}/readyz`, token, caCert, 5000);
      if (r.status === 200 && adminAddr) break;
      last = `HTTP ${r.status} ${r.body.trim().split('\n').filter((l) => l.includes('failed')).join('; ')}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await sleep(200);
  }
  const startMs = Date.now() - startedAt;
  out.sink?.(`control plane ready in ${startMs} ms`);
  return { child, exitPromise, exited: () => exited !== undefined, adminAddr: adminAddr!, startMs };
}

async function launch(
  bin: string,
  dir: string,
  port: number,
  token: string,
  pki: Pki,
  version: string,
  keepDir: boolean,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const out = outputSink(options);
  let current = await spawnReady(bin, dir, port, token, pki.caCert, keepDir, options, out);
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = kubeconfigYaml(url, token, pki);
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const adminUrl = (): string => `http://${current.adminAddr}`;

  const kill = async (): Promise<void> => {
    if (!current.exited()) current.child.kill('SIGKILL');
    await current.exitPromise;
  };
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 5000): Promise<void> =>
    (stopping ??= (async () => {
      if (!current.exited()) {
        current.child.kill('SIGTERM');
        const t = setTimeout(() => current.child.kill('SIGKILL'), graceMs);
        await current.exitPromise;
        clearTimeout(t);
      }
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    })());

  return {
    url,
    token,
    caCert: pki.caCert,
    kubeconfigPath,
    kubeconfig,
    clientCert: pki.clientCert,
    clientKey: pki.clientKey,
    get adminUrl() {
      return adminUrl();
    },
    dir,
    version,
    get pid() {
      return current.child.pid ?? -1;
    },
    get startMs() {
      return current.startMs;
    },
    compact: async () => revisionOf(await adminCall(adminUrl(), 'POST', '/compact')),
    revision: async () => revisionOf(await adminCall(adminUrl(), 'GET', '/revision')),
    logTail: out.tail,
    kill,
    restart: async () => {
      if (stopping) throw new Error('the control plane was stopped');
      await kill();
      current = await spawnReady(bin, dir, port, token, pki.caCert, keepDir, options, out);
    },
    stop,
  };
}
