import { benchCommand } from './bench-command.ts';
import type { Command } from './command-context.ts';
import { recordCommand } from './record-command.ts';
import { replayCommand } from './replay-command.ts';

/** `record`, `replay` and `bench`, registered in main.ts. @internal */
export const recordingCommands: ReadonlyMap<string, Command> = new Map([
  ['record', recordCommand],
  ['replay', replayCommand],
  ['bench', benchCommand],
]);

/** Their flags that take a value. @internal */
export const recordingFlags = ['output', 'events', 'speed', 'pipeline', 'svg'] as const;
/** Their switches. @internal */
export const recordingSwitches = ['include-secrets', 'keep-annotations', 'json', 'quiet'] as const;

/** Their help: usage lines, then what each does. @internal */
export const recordingHelp = `${[...recordingCommands.values()].map((c) => `  ${c.usage}`).join('\n')}`;

/** What each does, for the help. @internal */
export const recordingDescriptions = `record  Lists and watches RESOURCE and writes the list pages and watch events, with their arrival
        times, to FILE (NDJSON; gzip when FILE ends in .gz). Secrets' data and the
        kubectl.kubernetes.io/last-applied-configuration annotation are redacted unless
        --include-secrets / --keep-annotations.
replay  Serves a recording from the simulated API server, at the recorded pace (--speed 1, the
        default), faster (--speed 10) or as fast as clients take it (--speed max).
bench   Runs a recording through the default informer, or through the OperatorFunction a
        --pipeline module exports, and reports events/s, time per stage, latency from bytes to
        subscriber, retained heap and GC time (--json for JSON, --svg PATH for a chart).`;
