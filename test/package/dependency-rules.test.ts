/**
 * The import rules of .dependency-cruiser.cjs (`npm run lint:deps`) run on a small fixture tree
 * with one import breaking each rule and imports that every rule allows: a rule whose path
 * pattern no longer matches (a renamed folder, a typo in a regex) fails here instead of passing
 * silently on the real sources.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

/** file → the modules it imports (relative specifiers). */
const fixture: Record<string, readonly string[]> = {
  // allowed: the layers as STYLE.md draws them
  'src/model/types.ts': [],
  'src/backoff/delay.ts': ['../model/types.ts'],
  'src/store/keys.ts': ['../model/types.ts'],
  'src/sources/ok.ts': ['../model/types.ts', '../backoff/delay.ts'],
  'src/operators/op.ts': ['../store/keys.ts', '../model/types.ts'],
  'src/informer/inf.ts': ['../sources/ok.ts', '../operators/op.ts'],
  'src/leader/lease.ts': ['../sources/ok.ts'],
  'src/leader/index.ts': ['./lease.ts'],
  'src/wire/index.ts': ['../sources/ok.ts'],
  'src/internal/index.ts': ['../informer/inf.ts'],
  'src/index.ts': ['./informer/inf.ts', './model/types.ts'],
  'src/react/good.ts': ['../index.ts', '../wire/index.ts', '../leader/index.ts', '../internal/index.ts'],
  'src/operators/retrying.ts': ['../backoff/delay.ts', '../model/types.ts'],
  // one violation each
  'src/model/bad.ts': ['../store/keys.ts'],
  'src/store/bad.ts': ['../operators/op.ts'],
  'src/backoff/bad.ts': ['../sources/ok.ts'],
  'src/backoff/bad-store.ts': ['../store/keys.ts'],
  'src/sources/bad.ts': ['../operators/op.ts'],
  'src/sources/bad-store.ts': ['../store/keys.ts'],
  'src/sources/bad-informer.ts': ['../informer/inf.ts'],
  'src/react/bad.ts': ['../model/types.ts'],
  'src/angular/bad.ts': ['../leader/lease.ts'],
  'src/testing/bad.ts': ['../informer/inf.ts'],
  'src/kube/bad.ts': ['../sources/ok.ts'],
  'src/wire/bad.ts': ['../index.ts'],
  'src/operators/cycle-a.ts': ['./cycle-b.ts'],
  'src/operators/cycle-b.ts': ['./cycle-a.ts'],
};

describe('the dependency-cruiser rules, on a fixture with one violation of each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rxkube-depcruise-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const [file, imports] of Object.entries(fixture)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `${imports.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}\nexport const x = ${imports.length};\n`);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true, noEmit: true }, include: ['src'] }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const depcruise = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'), 'src', '--config', join(root, '.dependency-cruiser.cjs'), ...args], { cwd: dir, encoding: 'utf8' });

  it('reports exactly the violating imports, each under the rule it breaks', () => {
    const run = depcruise('--output-type', 'json');
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { summary: { violations: { from: string; to: string; rule: { name: string } }[]; totalCruised: number } };
    expect(result.summary.totalCruised).toBe(Object.keys(fixture).length);
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    expect(found).toEqual([
      'adapters-use-entry-points: src/angular/bad.ts → src/leader/lease.ts',
      'adapters-use-entry-points: src/kube/bad.ts → src/sources/ok.ts',
      'adapters-use-entry-points: src/react/bad.ts → src/model/types.ts',
      'adapters-use-entry-points: src/testing/bad.ts → src/informer/inf.ts',
      'backoff-is-a-leaf: src/backoff/bad-store.ts → src/store/keys.ts',
      'backoff-is-a-leaf: src/backoff/bad.ts → src/sources/ok.ts',
      'entry-points-not-each-other: src/wire/bad.ts → src/index.ts',
      'model-is-the-base: src/model/bad.ts → src/store/keys.ts',
      'no-cycles: src/operators/cycle-a.ts → src/operators/cycle-b.ts',
      'sources-only-model: src/sources/bad-informer.ts → src/informer/inf.ts',
      'sources-only-model: src/sources/bad-store.ts → src/store/keys.ts',
      'sources-only-model: src/sources/bad.ts → src/operators/op.ts',
      'store-only-model: src/store/bad.ts → src/operators/op.ts',
    ].sort());
  });

  it('fails the command, as `npm run lint:deps` runs it, on those violations', () => {
    const run = depcruise();
    expect(run.stdout).toContain('dependency violations (13 errors');
    expect(run.status).not.toBe(0);
  });
});
