/**
 * Separate OS processes for the multi-process conformance tests (leader election, shard ring):
 * each runs a fixture script under Node, appends what it does to one ledger file (JSON lines, in
 * the real order since every process appends to the same file), and has its stderr kept for the
 * failure message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const node = join(here, '..', '..', 'node_modules', '.bin', 'node');

/** The processes of one test, in a temporary folder. */
export interface ProcessFleet {
  /** The test's temporary folder (for the kubeconfig and the ledger). */
  readonly dir: string;
  /** Every process started, by id. */
  readonly children: ReadonlyMap<string, ChildProcess>;
  /** Writes `kubeconfig` and an empty ledger into the folder; returns their paths. */
  writeKubeconfigAndLedger(kubeconfig: string): { readonly kubeconfig: string; readonly ledger: string };
  /** Starts `test/conformance/fixtures/<fixture>` with `args` as process `id`. */
  start(id: string, fixture: string, args: readonly string[]): ChildProcess;
  /** Resolves when process `id` has exited (at once if it has). */
  exited(id: string): Promise<void>;
  /** Every process's stderr, one `id: text` line each. */
  stderr(): string;
  /** SIGKILLs the processes still running and removes the folder. */
  close(): void;
}

/** A fleet whose folder is a fresh temporary directory named `prefix…`. */
export function processFleet(prefix: string): ProcessFleet {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children = new Map<string, ChildProcess>();
  const stderr = new Map<string, string>();
  return {
    dir,
    children,
    writeKubeconfigAndLedger: (text) => {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, text);
      const ledger = join(dir, 'ledger.jsonl');
      writeFileSync(ledger, '');
      return { kubeconfig, ledger };
    },
    start: (id, fixture, args) => {
      const child = spawn(node, [join(here, 'fixtures', fixture), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      stderr.set(id, '');
      child.stderr!.on('data', (chunk: Buffer) => stderr.set(id, (stderr.get(id) ?? '') + chunk.toString()));
      children.set(id, child);
      return child;
    },
    exited: (id) => {
      const child = children.get(id)!;
      return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
    },
    stderr: () => [...stderr].map(([id, s]) => `${id}: ${s}`).join('\n'),
    close: () => {
      for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The ledger's entries, in the order they were appended. */
export function readLedger<T>(ledger: string): T[] {
  return readFileSync(ledger, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/**
 * Polls `probe` every `intervalMs` until it returns a value; after `timeoutMs`, fails with `what`
 * and `detail()` (the ledger and the processes' stderr, say).
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, options: { readonly intervalMs: number; readonly detail: () => string }): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; ${options.detail()}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
