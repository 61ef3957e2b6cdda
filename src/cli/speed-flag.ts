import { UsageError, type ParsedArgs } from './args.ts';

/** Reads `--speed`: a positive factor, or `max` for as fast as the consumer takes it. @internal */
export function speedFlag(args: ParsedArgs, fallback: number): number {
  const raw = args.flags.get('speed');
  if (raw === undefined) return fallback;
  if (raw === 'max' || raw === 'Infinity') return Infinity;
  const value = Number(raw);
  if (raw === true || !Number.isFinite(value) || value <= 0) throw new UsageError('--speed needs a positive factor (1 = recorded pace) or max');
  return value;
}
