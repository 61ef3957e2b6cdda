import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { RecordingFormatError } from '../testing/index.ts';
import { stringFlag, UsageError, type ParsedArgs } from './args.ts';
import { formatReport, reportSvg } from './bench/bench-report.ts';
import { defaultPipeline, loadPipeline, PipelineModuleError } from './bench/load-pipeline.ts';
import { runBench, type BenchProgress } from './bench/run-bench.ts';
import type { Command, CommandContext } from './command-context.ts';
import { speedFlag } from './speed-flag.ts';

function progressWriter(): (p: BenchProgress) => void {
  const tty = process.stderr.isTTY;
  let lastLine = '';
  return (p) => {
    const line = p.phase === 'starting' ? 'starting the replay server'
      : p.phase === 'listing' ? 'listing'
      : `${p.phase === 'done' ? 'done' : 'watching'}: ${p.events.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} changes (${p.total > 0 ? Math.floor((p.events / p.total) * 100) : 100} %)`;
    if (line === lastLine) return;
    lastLine = line;
    process.stderr.write(tty ? `\r\x1b[2K  ${line}${p.phase === 'done' ? '\n' : ''}` : `  ${line}\n`);
  };
}

/** `rxkube bench`: a recording through the default informer or the user's pipeline, measured. @internal */
export const benchCommand: Command = {
  usage: 'rxkube bench FILE [--pipeline MODULE.js] [--speed FACTOR|max] [--json] [--svg PATH] [--quiet]',
  async run(args: ParsedArgs, context: CommandContext): Promise<void> {
    const path = args.positional[0];
    if (path === undefined) throw new UsageError('bench needs a recording FILE (make one with rxkube record)');
    if (!existsSync(path)) throw context.fail(`recording not found: ${path}`, context.exitCodes.failure);
    const speed = speedFlag(args, Infinity);
    const modulePath = stringFlag(args, 'pipeline');
    const svgPath = stringFlag(args, 'svg');
    try {
      const pipeline = modulePath === undefined ? defaultPipeline : await loadPipeline(modulePath);
      const report = await runBench({ path, pipeline, speed, ...(args.flags.has('quiet') ? {} : { onProgress: progressWriter() }) });
      process.stdout.write(args.flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (svgPath !== undefined) {
        await writeFile(svgPath, reportSvg(report));
        process.stderr.write(`chart written to ${svgPath}\n`);
      }
    } catch (error) {
      if (error instanceof PipelineModuleError || error instanceof RecordingFormatError || (error instanceof Error && error.message.startsWith('the pipeline '))) throw context.fail(error.message, context.exitCodes.failure);
      throw error;
    }
  },
};
