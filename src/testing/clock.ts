/**
 * The server's global resourceVersion counter (one for all resources, like an etcd revision),
 * with a way to wait until it reaches a value.
 */
export class RevisionClock {
  #rev: number;
  #waiters = new Map<() => void, (ok: boolean) => void>();

  /** @param start - the current revision. */
  constructor(start: number) {
    this.#rev = start;
  }

  /** The current revision. */
  get current(): number {
    return this.#rev;
  }

  /** Allocates the next revision. */
  next(): number {
    this.#rev++;
    for (const w of [...this.#waiters.keys()]) w();
    return this.#rev;
  }

  /** Moves the revision forward to `rev` (a recorded revision); false when it is not ahead. */
  advanceTo(rev: number): boolean {
    if (!Number.isSafeInteger(rev) || rev <= this.#rev) return false;
    this.#rev = rev;
    for (const w of [...this.#waiters.keys()]) w();
    return true;
  }

  /** Resolves `true` as soon as the revision is at least `rev`, or `false` after `timeoutMs`. */
  waitFor(rev: number, timeoutMs: number): Promise<boolean> {
    if (this.#rev >= rev) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.#rev >= rev) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(ok);
      };
      this.#waiters.set(check, done);
    });
  }

  /** Wakes every waiter with `false` (server closing). */
  cancelAll(): void {
    for (const done of [...this.#waiters.values()]) done(false);
  }
}
