import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { build } from 'vite';

const reflectModule = fileURLToPath(new URL('../../src/operators/reflect.ts', import.meta.url));

/** Bundles a page that reflects one object, as a browser app's bundler would, and runs it without `process`. */
async function frozenInBundle(mode: 'production' | 'development'): Promise<boolean> {
  // Vite takes NODE_ENV from the environment when set (vitest sets 'test'), as `NODE_ENV=production vite build` does.
  vi.stubEnv('NODE_ENV', mode);
  const entry = `
    import { of } from 'rxjs';
    import { reflect } from ${JSON.stringify(reflectModule)};
    let frozen;
    of({ type: 'LIST_START', reason: 'initial', mode: 'list' },
       { type: 'LIST_PAGE', items: [{ metadata: { name: 'a', resourceVersion: '1' } }] },
       { type: 'LIST_DONE', resourceVersion: '1' })
      .pipe(reflect())
      .subscribe((r) => { frozen = Object.isFrozen(r.snapshot.get('a')); });
    globalThis.result = frozen;
  `;
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    mode,
    plugins: [{ name: 'entry', resolveId: (id) => (id === 'virtual:entry' ? id : undefined), load: (id) => (id === 'virtual:entry' ? entry : undefined) }],
    build: { write: false, minify: false, rollupOptions: { input: 'virtual:entry', output: { format: 'iife' } } },
  });
  const chunk = (Array.isArray(output) ? output[0] : output) as { output: { type: string; code?: string }[] };
  const code = chunk.output.find((o) => o.type === 'chunk')?.code ?? '';
  const context: { result?: boolean } = {};
  runInNewContext(code, context);
  return context.result as boolean;
}

describe('the freeze default in a bundled browser app', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is off in a production build (the bundler replaces process.env.NODE_ENV)', async () => {
    expect(await frozenInBundle('production')).toBe(false);
  });

  it('is on in a development build', async () => {
    expect(await frozenInBundle('development')).toBe(true);
  });
});
