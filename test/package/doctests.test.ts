import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileDocBlocks } from './compile-doc-blocks.ts';
import { exampleBlocks, formatDocBlockError, markdownBlocks, repositoryDocBlocks, type DocBlock } from './doc-blocks.ts';

const root = join(import.meta.dirname, '../..');

// The examples readers copy must compile. Each ```ts / ```tsx block of README.md and docs/*.md (not
// the generated docs/api) and each ```ts block of an @example in src is one ES module (top-level
// await works), compiled in one strict program where rxkube, rxkube/kube, … resolve to src. A block
// states what it assumes with `declare const pods: Informer<Pod>;` lines rather than names from an
// earlier block. A fragment on purpose opts out with `<!-- not compiled: why -->` on the line
// before its fence; the opt-outs are counted, listed and capped.

describe('doc blocks: every ```ts block of README.md and docs/*.md and every @example of src type-checks', () => {
  const blocks = repositoryDocBlocks(root);
  const optedOut = blocks.filter((b) => b.skipReason !== undefined);
  const compiled = blocks.filter((b) => b.skipReason === undefined);

  // A canary compiled in the same program: proves that failures are found and located.
  const canary: DocBlock = { file: 'canary.md', index: 1, line: 10, lang: 'ts', code: "import { informer } from 'rxkube';\nconst n: number = informer;" };

  it('finds the blocks of the guides and of the TSDoc examples', () => {
    expect(blocks.filter((b) => b.file === 'README.md').length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.file.startsWith('docs/')).length).toBeGreaterThan(10);
    expect(blocks.filter((b) => b.file.startsWith('src/')).length).toBeGreaterThan(100);
    console.info(`doc blocks: ${blocks.length} found, ${compiled.length} compiled, ${optedOut.length} opted out${optedOut.map((b) => `\n  ${b.file}:${b.line} (block ${b.index}): ${b.skipReason}`).join('')}`);
  });

  it('keeps the opt-outs rare', () => {
    expect(optedOut.length, optedOut.map((b) => `${b.file}:${b.line}: ${b.skipReason}`).join('\n')).toBeLessThanOrEqual(5);
  });

  it('compiles every block, strict, against the sources (rxkube/* through tsconfig paths)', () => {
    const errors = compileDocBlocks(root, [...compiled, canary], join(root, '.cache/doctests'));
    const canaryErrors = errors.filter((e) => e.block === canary).map(formatDocBlockError);
    expect(canaryErrors).toEqual([expect.stringMatching(/^canary\.md:11 \(block 1\): TS2322: /)]);
    expect(errors.filter((e) => e.block !== canary).map(formatDocBlockError)).toEqual([]);
  });
});

describe('doc block extraction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rxkube-doc-blocks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes ts and tsx fences of Markdown with their line, skips other languages and honours the opt-out marker', () => {
    const path = join(dir, 'guide.md');
    writeFileSync(path, [
      '# Guide', //                                   1
      '```sh', //                                     2
      '```ts', //                                     3  (inside the sh block: not a block)
      '```', //                                       4
      '', //                                          5
      '  ```ts', //                                   6
      '  const a = 1;', //                            7
      '  ```', //                                     8
      '<!-- not compiled: shows a type signature -->', // 9
      '', //                                          10
      '```tsx', //                                    11
      'f(<A/>);', //                                  12
      '```', //                                       13
    ].join('\n'));
    expect(markdownBlocks(dir, path)).toEqual([
      { file: 'guide.md', index: 1, line: 7, lang: 'ts', code: 'const a = 1;' },
      { file: 'guide.md', index: 2, line: 12, lang: 'tsx', code: 'f(<A/>);', skipReason: 'shows a type signature' },
    ]);
  });

  it('takes the ts fences of @example sections only, without the comment prefixes', () => {
    const path = join(dir, 'mod.ts');
    writeFileSync(path, [
      '/**', //                         1
      ' * Text.', //                    2
      ' * ```ts', //                    3  (not in an @example)
      ' * notAnExample();', //          4
      ' * ```', //                      5
      ' * @example', //                 6
      ' * ```ts', //                    7
      ' * const x = 1;', //             8
      ' *   indented();', //            9
      ' * ```', //                      10
      ' * @see other', //               11
      ' */', //                         12
      'export const x = 1;', //         13
    ].join('\n'));
    expect(exampleBlocks(dir, path)).toEqual([{ file: 'mod.ts', index: 1, line: 8, lang: 'ts', code: 'const x = 1;\n  indented();' }]);
  });

  it('rejects an @example without a fenced ts block', () => {
    const path = join(dir, 'bare.ts');
    writeFileSync(path, '/**\n * @example\n * informer(lw);\n */\nexport const y = 1;\n');
    expect(() => exampleBlocks(dir, path)).toThrow(/bare\.ts:3: an @example without a ```ts block/);
  });
});
