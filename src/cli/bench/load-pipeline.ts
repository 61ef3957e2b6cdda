import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OperatorFunction } from 'rxjs';
import type { IndexFunction, KubeObject, Reflection } from '../../index.ts';

/** What `rxkube bench` runs after reflect: indexes, the user's operators, the user's subscriber. @internal */
export interface BenchPipeline {
  /** How the report names it. */
  readonly name: string;
  /** Indexes maintained after reflect (the informer's `indexes`). */
  readonly indexes: Readonly<Record<string, IndexFunction<KubeObject>>>;
  /** The user's operators over Reflections. */
  readonly operator: OperatorFunction<Reflection<KubeObject>, unknown> | undefined;
  /** Called with every value the operators emit. */
  readonly subscriber: ((value: unknown) => void) | undefined;
}

/** A pipeline module rxkube bench cannot use. @internal */
export class PipelineModuleError extends Error {
  override readonly name = 'PipelineModuleError';
}

/** The default informer: reflect, no indexes, no operators. @internal */
export const defaultPipeline: BenchPipeline = { name: 'default informer', indexes: {}, operator: undefined, subscriber: undefined };

/**
 * Loads a pipeline module: `pipeline` or the default export is an `OperatorFunction` over
 * Reflections, or a function of no arguments that builds one; `indexes` (optional) maps index
 * names to index functions; `subscriber` (optional) receives what the operators emit.
 * @internal
 */
export async function loadPipeline(path: string): Promise<BenchPipeline> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PipelineModuleError(`cannot load the pipeline module ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = module['pipeline'] ?? module['default'];
  if (exported !== undefined && typeof exported !== 'function') throw new PipelineModuleError(`${path}: \`pipeline\` (or the default export) must be an OperatorFunction or a function building one`);
  const built = typeof exported === 'function' && exported.length === 0 ? (exported as () => unknown)() : exported;
  if (built !== undefined && typeof built !== 'function') throw new PipelineModuleError(`${path}: the pipeline factory must return an OperatorFunction over Reflections`);
  const indexes = module['indexes'] ?? {};
  if (indexes === null || typeof indexes !== 'object' || Object.values(indexes).some((f) => typeof f !== 'function')) throw new PipelineModuleError(`${path}: \`indexes\` must map index names to functions`);
  const subscriber = module['subscriber'];
  if (subscriber !== undefined && typeof subscriber !== 'function') throw new PipelineModuleError(`${path}: \`subscriber\` must be a function`);
  if (built === undefined && Object.keys(indexes).length === 0) throw new PipelineModuleError(`${path} exports neither \`pipeline\`, a default export nor \`indexes\``);
  return {
    name: path,
    indexes: indexes as Record<string, IndexFunction<KubeObject>>,
    operator: built as OperatorFunction<Reflection<KubeObject>, unknown> | undefined,
    subscriber: subscriber as ((value: unknown) => void) | undefined,
  };
}
