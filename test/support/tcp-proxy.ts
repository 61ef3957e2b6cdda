/**
 * A loopback TCP proxy that injects network faults between a client and a server: it works
 * below TLS, so it sits in front of the real kube-apiserver (HTTPS) as well as the simulated one.
 *
 *   const proxy = await startTcpProxy({ port: 6443 });   // target 127.0.0.1:6443
 *   // point the client at 127.0.0.1:${proxy.port}
 *   proxy.setMode('blackhole');  // every open connection goes silent, never closed (half-open)
 *   proxy.setMode('forward');    // new connections work again; blackholed ones stay dead
 *   proxy.reset();               // RST every open connection
 *   proxy.setMode('slow', 200);  // each chunk delayed 200 ms, in order
 *   proxy.setMode('refuse');     // new connections are reset at once
 *   await proxy.close();
 *
 * Blackholed connections model a peer that vanished without FIN or RST: bytes in either direction
 * are read and dropped, nothing is closed. They stay dead after the mode changes back (the path
 * is gone, not paused), until the client gives up on them.
 */
import { createServer, connect, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'slow' | 'refuse';

export interface TcpProxyOptions {
  /** Target port on `host`. */
  readonly port: number;
  /** Target host. @defaultValue '127.0.0.1' */
  readonly host?: string;
  /** Port to listen on (127.0.0.1). @defaultValue 0, a free one */
  readonly listenPort?: number;
}

export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Current mode. */
  readonly mode: ProxyMode;
  /** Switches mode; `delayMs` is the per-chunk delay of `slow`. */
  setMode(mode: ProxyMode, delayMs?: number): void;
  /** Resets (RST) every open connection. */
  reset(): void;
  /** Changes the target (e.g. after the server restarted elsewhere); affects new connections. */
  retarget(port: number, host?: string): void;
  /** Open connection pairs. */
  readonly open: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections that were blackholed so far. */
  readonly blackholed: number;
  /** Resets every connection and stops listening. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  dead: boolean;
  /** Time the last delayed chunk is due, per direction, so that `slow` keeps order. */
  dueUp: number;
  dueDown: number;
}

/** Starts a proxy on 127.0.0.1 in `forward` mode. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  let target = { port: options.port, host: options.host ?? '127.0.0.1' };
  let mode: ProxyMode = 'forward';
  let delayMs = 0;
  let accepted = 0;
  let blackholed = 0;
  const pairs = new Set<Pair>();

  const kill = (s: Socket): void => {
    if (!s.destroyed) s.resetAndDestroy();
  };
  const bury = (p: Pair): void => {
    if (!p.dead) blackholed++;
    p.dead = true;
  };
  const relay = (p: Pair, from: Socket, to: Socket, direction: 'dueUp' | 'dueDown'): void => {
    from.on('data', (chunk: Buffer) => {
      if (p.dead) return;
      if (mode !== 'slow' && p[direction] <= performance.now()) {
        to.write(chunk);
        return;
      }
      const due = Math.max(performance.now() + (mode === 'slow' ? delayMs : 0), p[direction]);
      p[direction] = due;
      setTimeout(() => {
        if (!p.dead && !to.destroyed) to.write(chunk);
      }, due - performance.now()).unref();
    });
    from.on('end', () => {
      if (!p.dead) to.end();
    });
  };

  const server = createServer((client) => {
    accepted++;
    if (mode === 'refuse') {
      kill(client);
      return;
    }
    const upstream = connect(target.port, target.host);
    const p: Pair = { client, upstream, dead: false, dueUp: 0, dueDown: 0 };
    pairs.add(p);
    if (mode === 'blackhole') bury(p);
    const drop = (): void => {
      pairs.delete(p);
      kill(client);
      kill(upstream);
    };
    // An error or close on one side ends both, except on a dead path: the other side must not
    // learn anything, so only the client's own giving up removes a blackholed pair.
    client.on('error', drop);
    client.on('close', drop);
    upstream.on('error', () => (p.dead ? upstream.destroy() : drop()));
    upstream.on('close', () => {
      if (!p.dead) drop();
    });
    relay(p, client, upstream, 'dueUp');
    relay(p, upstream, client, 'dueDown');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const reset = (): void => {
    for (const p of [...pairs]) {
      pairs.delete(p);
      kill(p.client);
      kill(p.upstream);
    }
  };
  return {
    port,
    get mode() {
      return mode;
    },
    setMode(next, ms = 0) {
      mode = next;
      delayMs = ms;
      if (next === 'blackhole') for (const p of pairs) bury(p);
    },
    reset,
    retarget(nextPort, host = '127.0.0.1') {
      target = { port: nextPort, host };
    },
    get open() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    get blackholed() {
      return blackholed;
    },
    close() {
      reset();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
