import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { entries, valueNames } from './api-report.ts';

const root = join(import.meta.dirname, '../..');

/** Imports `specifier` from the built package in a fresh Node process, through package.json's exports map. */
function exportsOf(specifier: string): string[] {
  const script = `import(${JSON.stringify(specifier)}).then((m) => process.stdout.write(JSON.stringify(Object.keys(m).sort())))`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as string[];
}

describe('the built package, imported through its exports map', () => {
  // A precondition, not a test: without dist/ every test below would fail with a less helpful error.
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/ is missing: npm test builds it; run `npm run build` before `vitest` alone');
  });

  // etc/api/*.api.md is the one lock on the public names (test/package/api-report.test.ts checks it
  // against the built declarations); here the built JavaScript must export exactly its values.
  for (const entry of entries()) {
    it(`exports at run time exactly the values ${relative(root, entry.report)} lists, from ${entry.specifier}`, () => {
      const listed = valueNames(readFileSync(entry.report, 'utf8'));
      expect(listed.length, `${relative(root, entry.report)} lists no values`).toBeGreaterThan(0);
      expect(exportsOf(entry.specifier), 'Run `npm run api:update` after changing the exports, and review the diff of etc/api/').toEqual([...listed].sort());
    });
  }

  it('keeps the core free of Node built-ins, so it loads in a browser bundle', () => {
    const core = execFileSync(process.execPath, ['--input-type=module', '-e', `
      import { readdirSync, readFileSync } from 'node:fs';
      const bad = [];
      for (const dir of ['model', 'store', 'operators', 'informer', 'sources', 'leader', 'wire', 'shard', 'health', 'internal']) {
        for (const f of readdirSync('dist/' + dir, { recursive: true })) {
          if (String(f).endsWith('.js') && /^(?:import|export)[^;]*?from ['"]node:|import[(]['"]node:/m.test(readFileSync('dist/' + dir + '/' + f, 'utf8'))) bad.push(dir + '/' + f);
        }
      }
      process.stdout.write(JSON.stringify(bad));`], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(core)).toEqual([]);
  });
});
