#!/usr/bin/env node
/**
 * Entry point of the `rxkube` command: checks the Node.js version, then loads the CLI (whose
 * imports need a recent Node).
 * @internal
 * @packageDocumentation
 */
import { unsupportedNode } from './node-version.ts';

const tooOld = unsupportedNode(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}
const { exitCodes, main } = await import('./main.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rxkube: ${String(error)}\n`);
    process.exit(exitCodes.failure);
  },
);
