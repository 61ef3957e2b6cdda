/**
 * A parsed command line: the command, its positional arguments and its flags.
 * @internal
 */
export interface ParsedArgs {
  readonly command: string | undefined;
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/** A command line the CLI cannot run; exit code 2. @internal */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parses `command [positional…] [--flag value | --flag=value | -f value | --switch]`.
 * `short` maps one-letter flags to long names; `switches` lists flags that take no value, `known`
 * the flags that take one.
 * @internal
 */
export function parseArgs(argv: readonly string[], short: Readonly<Record<string, string>>, switches: ReadonlySet<string>, known: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      let name = arg.startsWith('--') ? arg.slice(2) : short[arg.slice(1)];
      if (name === undefined) throw new UsageError(`unknown option ${arg}`);
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      if (!known.has(name) && !switches.has(name)) throw new UsageError(`unknown option --${name}`);
      if (switches.has(name)) {
        flags.set(name, true);
        continue;
      }
      if (value === undefined) {
        value = argv[i + 1];
        if (value === undefined) throw new UsageError(`option --${name} needs a value`);
        i += 1;
      }
      flags.set(name, value);
      continue;
    }
    positional.push(arg);
  }
  const [command, ...rest] = positional;
  return { command, positional: rest, flags };
}

/** Reads a non-negative number flag. @internal */
export function numberFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw === true || !Number.isFinite(value) || value < 0) throw new UsageError(`--${name} needs a non-negative number`);
  return value;
}

/** Reads a string flag. @internal */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const raw = args.flags.get(name);
  if (raw === true) throw new UsageError(`--${name} needs a value`);
  return raw;
}

/** The collection selection flags (`-n`, `-l`, `--field-selector`), with absent ones left out. @internal */
export function selectionFlags(args: ParsedArgs): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
  const namespace = stringFlag(args, 'namespace');
  const labelSelector = stringFlag(args, 'selector');
  const fieldSelector = stringFlag(args, 'field-selector');
  return {
    ...(namespace === undefined ? {} : { namespace }),
    ...(labelSelector === undefined ? {} : { labelSelector }),
    ...(fieldSelector === undefined ? {} : { fieldSelector }),
  };
}

/** Reads a TCP port flag: an integer from 0 (any free port) to 65535. @internal */
export function portFlag(args: ParsedArgs, name: string, fallback: number): number {
  const raw = args.flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw === true || !Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--${name} needs a port number from 0 to 65535, not ${String(raw)}`);
  return value;
}
