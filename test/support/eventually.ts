/**
 * Retries `check` every 20 ms until it stops throwing; rethrows its last error after `ms`. For
 * integration tests over real HTTP, where the moment a change arrives is not ours to choose (the
 * bound is generous: it only ends a test that would otherwise hang).
 */
export async function eventually(check: () => void, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
