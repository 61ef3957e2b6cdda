import type { KubeConfig } from '@kubernetes/client-node';
import type { ParsedArgs } from './args.ts';

/**
 * What main.ts lends the commands that live in their own files: its kubeconfig loading, its wait
 * for Ctrl-C / `--duration`, and its errors with an exit code.
 * @internal
 */
export interface CommandContext {
  /** The kubeconfig of `--kubeconfig`/`--context` or KUBECONFIG, if any; fails with exit code 3. */
  loadKubeConfig(args: ParsedArgs): Promise<KubeConfig | undefined>;
  /** Resolves on SIGINT/SIGTERM or after `--duration`. */
  untilStopped(args: ParsedArgs): Promise<void>;
  /** An error main.ts reports as `message` and exits with `exitCode`. */
  fail(message: string, exitCode: number): Error;
  /** The exit codes. */
  readonly exitCodes: { readonly failure: number; readonly unreachable: number; readonly unauthorized: number };
}

/** A command in its own file. @internal */
export interface Command {
  /** Usage lines for the help. */
  readonly usage: string;
  /** Runs it; resolves when it is done. */
  run(args: ParsedArgs, context: CommandContext): Promise<void>;
}
