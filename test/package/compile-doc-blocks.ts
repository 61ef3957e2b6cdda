import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { DocBlock, DocBlockError } from './doc-blocks.ts';

/**
 * Type-checks `blocks` as one TypeScript program with the repository's tsconfig.json (strict, its
 * `paths` resolving `rxkube`, `rxkube/kube`, … to src). Each block is written to its own module
 * under `outDir` (an `export {}` line is appended, so every block is an ES module: top-level
 * `await` works and names never leak between blocks). Only the blocks' own diagnostics are
 * returned; src is checked by `npm run typecheck`.
 */
export function compileDocBlocks(root: string, blocks: readonly DocBlock[], outDir: string): DocBlockError[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const byFile = new Map<string, DocBlock>();
  for (const block of blocks) {
    const name = `${block.file.replace(/\.(md|tsx?)$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-${block.index}.${block.lang}`;
    const path = join(outDir, name);
    writeFileSync(path, `${block.code}\nexport {};\n`);
    byFile.set(path, block);
  }
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root, { noEmit: true, skipLibCheck: true }, configPath);
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options });
  const errors: DocBlockError[] = [];
  for (const d of program.getOptionsDiagnostics()) errors.push({ block: blocks[0]!, line: 0, message: `tsconfig: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` });
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
