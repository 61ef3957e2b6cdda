#!/usr/bin/env node
/**
 * Entry point of the `rxkube` command.
 * @internal
 * @packageDocumentation
 */
import { exitCodes, main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rxkube: ${String(error)}\n`);
    process.exit(exitCodes.failure);
  },
);
