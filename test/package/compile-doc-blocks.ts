import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { DocBlock, DocBlockError } from './doc-blocks.ts';

/**
 * Type-checks `blocks` as one TypeScript program with the repository's tsconfig.json (strict, its
 * `paths` resolving `rxkube`, `rxkube/kube`, … to src). Each block is written to its own module
 * under `outDir` (an `export {}` line is appended, so every block is an ES module: top-level
 * `await` works and names never leak between blocks). In the `@example`s of src, relative
 * imports (`./report-after.ts`, how an example of an internal helper names it) resolve from the
 * example's own file; in the guides they are errors, as they would be for a reader. Only the
 * blocks' own diagnostics are returned; src is checked by `npm run typecheck`.
 *
 * `outDir` must lie inside the repository, so that its package.json makes the modules ESM. It is
 * not cleared (a concurrent run writes the same files); stale files are never compiled, since
 * only `blocks` are the program's roots.
 */
export function compileDocBlocks(root: string, blocks: readonly DocBlock[], outDir: string): DocBlockError[] {
  mkdirSync(outDir, { recursive: true });
  const byFile = new Map<string, DocBlock>();
  for (const block of blocks) {
    const name = `${block.file.replace(/\.(md|tsx?)$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${block.index}.${block.lang}`;
    const path = join(outDir, name);
    writeFileSync(`${path}.${process.pid}`, `${block.file.endsWith('.md') ? block.code : importsFromSource(root, block, outDir)}\nexport {};\n`);
    renameSync(`${path}.${process.pid}`, path); // whole files only, should another run read them
    byFile.set(path, block);
  }
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root, { noEmit: true, skipLibCheck: true }, configPath);
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options });
  const errors: DocBlockError[] = [];
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) errors.push({ block: blocks[0]!, line: 0, message: `tsconfig: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` });
  for (const [path, block] of byFile) {
    const sourceFile = program.getSourceFile(path);
    if (!sourceFile) throw new Error(`${path} is not part of the program`);
    for (const d of [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]) {
      const line = d.start === undefined ? 0 : sourceFile.getLineAndCharacterOfPosition(d.start).line;
      errors.push({ block, line: block.line + line, message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` });
    }
  }
  return errors;
}

/** The code of an `@example` with its relative import specifiers pointing from `outDir` to the example's own file. */
function importsFromSource(root: string, block: DocBlock, outDir: string): string {
  const from = dirname(join(root, block.file));
  return block.code.replace(/(\bfrom\s+|\bimport\s*\(\s*)(['"])(\.\.?\/[^'"]*)\2/g, (_, keyword: string, quote: string, specifier: string) => {
    const target = relative(outDir, resolve(from, specifier)).replaceAll('\\', '/');
    return `${keyword}${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
  });
}
