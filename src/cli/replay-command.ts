import { createSimulatedApiServer, readRecording, replayInto } from '../testing/index.ts';
import { numberFlag, stringFlag, UsageError, type ParsedArgs } from './args.ts';
import type { Command, CommandContext } from './command-context.ts';
import { speedFlag } from './speed-flag.ts';

/** `rxkube replay`: a recording served by the simulated API server. @internal */
export const replayCommand: Command = {
  usage: 'rxkube replay FILE [--speed FACTOR|max] [--port P] [--host H] [--duration SECONDS]',
  async run(args: ParsedArgs, context: CommandContext): Promise<void> {
    const path = args.positional[0];
    if (path === undefined) throw new UsageError('replay needs a recording FILE');
    const speed = speedFlag(args, 1);
    const recording = await readRecording(path);
    const port = numberFlag(args, 'port', 0);
    const host = stringFlag(args, 'host');
    const changes = recording.entries.length;
    const server = await createSimulatedApiServer({ historySize: changes + 1000, ...(port > 0 ? { port } : {}), ...(host === undefined ? {} : { host }) });
    try {
      const replay = replayInto(server, recording, { speed });
      const plural = replay.resource;
      process.stdout.write(`replaying ${path} (${replay.total} changes of ${plural}, ${speed === Infinity ? 'as fast as possible' : `× ${speed}`}) on a simulated API server at ${server.url}\n` +
        `  collection: ${server.url}${replay.path}\n  try: kubectl --server ${server.url} get ${plural} -A -w\n`);
      replay.done.then(
        () => process.stdout.write(`replay finished: ${replay.applied} changes applied, serving the final state at resourceVersion ${replay.finalResourceVersion}\n`),
        (error: unknown) => process.stderr.write(`replay stopped: ${error instanceof Error ? error.message : String(error)}\n`),
      );
      await context.untilStopped(args);
      replay.stop();
    } finally {
      await server.close();
    }
  },
};
