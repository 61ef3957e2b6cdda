import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, entries, render, reportDir, reports, valueNames } from './api-report.ts';

const root = join(import.meta.dirname, '../..');
const howToUpdate = 'If the change is intended, run `npm run api:update` and commit etc/api/ with it, so the reviewer sees the API diff.';

describe('the API report (etc/api/*.api.md), regenerated from the built dist/*.d.ts', () => {
  const current = reports();

  it('has one committed report per entry point of package.json exports, and no other', () => {
    const committed = readdirSync(reportDir).filter((f) => f.endsWith('.api.md')).map((f) => join(reportDir, f)).sort();
    expect(committed.map((f) => relative(root, f)), howToUpdate).toEqual([...current.keys()].sort().map((f) => relative(root, f)));
  });

  for (const entry of entries()) {
    it(`matches the committed report of ${entry.specifier}`, () => {
      const file = relative(root, entry.report);
      const committed = existsSync(entry.report) ? readFileSync(entry.report, 'utf8') : '';
      expect(current.get(entry.report), `The public API of ${entry.specifier} differs from ${file}. ${howToUpdate}`).toBe(committed);
    });
  }

  it('lists a type that an exported signature names but no entry point exports, and changes when a signature does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxkube-api-report-'));
    try {
      writeFileSync(join(dir, 'hidden.d.ts'), 'export interface Hidden { readonly a: string }\n');
      writeFileSync(join(dir, 'index.d.ts'), "import type { Hidden } from './hidden.ts';\nexport declare function f(h: Hidden): void;\nexport type Shown = string;\n");
      const entry = { specifier: 'fixture', types: join(dir, 'index.d.ts'), report: join(dir, 'fixture.api.md') };
      const names = collect([entry]).get(entry)!;
      expect(names).toEqual([
        { name: 'Hidden', value: false, referenced: true, declarations: ['interface Hidden {\n    readonly a: string;\n}'] },
        { name: 'Shown', value: false, referenced: false, declarations: ['type Shown = string;'] },
        { name: 'f', value: true, referenced: false, declarations: ['function f(h: Hidden): void;'] },
      ]);
      const text = render(entry, names);
      expect(text).toContain('1 values, 1 types, 1 referenced but not exported.');
      expect(valueNames(text)).toEqual(['f']);
      writeFileSync(join(dir, 'hidden.d.ts'), 'export interface Hidden { readonly a: number }\n');
      expect(render(entry, collect([entry]).get(entry)!)).not.toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the root entry at 40 run-time names or fewer (docs/api-surface.md: subpaths take the rest)', () => {
    const values = valueNames(readFileSync(join(reportDir, 'rxkube.api.md'), 'utf8'));
    expect(values.length, `rxkube exports ${values.length} values: move some to a subpath or make them internal`).toBeLessThanOrEqual(40);
    expect(values.length).toBeGreaterThan(0);
  });

  it('keeps the names of the issue-2 contract in the root', () => {
    const report = readFileSync(join(reportDir, 'rxkube.api.md'), 'utf8');
    for (const name of ['ListWatch', 'listWatch', 'reflect', 'withIndex', 'resync', 'coalesce', 'informer', 'ApiError', 'Reflection', 'Delta', 'DeltaType', 'Snapshot']) {
      expect(report, `rxkube no longer exports ${name}, part of the contract users depend on`).toMatch(new RegExp(`^### ${name}$`, 'm'));
    }
  });
});
