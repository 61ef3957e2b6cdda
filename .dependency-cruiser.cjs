/**
 * Import direction rules (STYLE.md, "A layout that shows the architecture"):
 *
 *   model ← store ← operators ← informer → sources → model      (backoff/: a leaf beside model)
 *   leader → sources, model
 *   wire/ shard/ health/ leader/index.ts: public entry points (rxkube/wire, …) that only re-export
 *   adapters (kube, react, angular, cli, worker, metrics, json-patch) and testing → the entry
 *     points `src/index.ts`, `src/{wire,shard,health,leader}/index.ts`, plus `src/internal/index.ts`
 *
 * The core never imports Node-only code or an adapter, and nothing imports in a cycle.
 * test/package/dependency-rules.test.ts runs these rules on a fixture with one violation of each, so
 * a rule that stops matching fails a test instead of passing silently.
 */
const core = '^src/(model|store|operators|informer|sources|leader|backoff|wire|shard|health|internal)/';
const adapters = '^src/(kube|testing|react|angular|metrics|cli|json-patch|worker)/';
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-runs-in-browsers', comment: 'the core must not import Node built-ins', severity: 'error', from: { path: core }, to: { dependencyTypes: ['core'] } },
    { name: 'core-not-adapters', comment: 'the core never imports kube/, testing/, react/, angular/, metrics/, json-patch/, worker/ or cli/', severity: 'error', from: { path: `${core}|^src/index\\.ts$` }, to: { path: adapters } },
    { name: 'worker-uses-public-core', comment: 'worker/ runs in browsers and workers: it imports only the core and model', severity: 'error', from: { path: '^src/worker/' }, to: { path: '^src/(kube|testing|react|angular|metrics|cli|json-patch)/' } },
    { name: 'worker-no-node', comment: 'worker/ must not import Node built-ins or packages other than rxjs', severity: 'error', from: { path: '^src/worker/' }, to: { dependencyTypes: ['core', 'npm', 'npm-peer', 'npm-dev', 'npm-optional'], pathNot: 'node_modules/rxjs/' } },
    { name: 'core-no-node-packages', comment: 'the core may only import rxjs', severity: 'error', from: { path: `${core}|^src/index\\.ts$` }, to: { dependencyTypes: ['npm', 'npm-peer', 'npm-dev', 'npm-optional'], pathNot: 'node_modules/rxjs/' } },
    { name: 'model-is-the-base', comment: 'model/ (types, errors, isRecord) imports nothing else of rxkube', severity: 'error', from: { path: '^src/model/' }, to: { path: '^src/', pathNot: '^src/model/' } },
    { name: 'store-only-model', comment: 'store/ is pure functions over model/ types: no operators, informer, sources, and no rxjs', severity: 'error', from: { path: '^src/store/' }, to: { path: '^src/|node_modules/rxjs/', pathNot: '^src/(store|model)/' } },
    { name: 'backoff-is-a-leaf', comment: 'backoff/ (delays, jitter, Retry-After, the retry token bucket) builds on model/ only, without rxjs; the loop and reconcile share it', severity: 'error', from: { path: '^src/backoff/' }, to: { path: '^src/|node_modules/', pathNot: '^src/(backoff|model)/' } },
    {
      name: 'sources-only-model',
      comment: 'sources/ is the wire: it knows model/ (and the backoff leaf), never the operators, the store or the informer',
      severity: 'error',
      from: { path: '^src/sources/' },
      to: { path: '^src/', pathNot: '^src/(sources|model|backoff)/' },
    },
    { name: 'leader-not-informer', comment: 'leader/ builds on model/ and sources/ only; informer/ and operators/ compose with it', severity: 'error', from: { path: '^src/leader/' }, to: { path: '^src/(operators|informer|store)/' } },
    { name: 'operators-not-sources', severity: 'error', from: { path: '^src/operators/' }, to: { path: '^src/(sources|informer)/' } },
    {
      name: 'entry-points-not-each-other',
      comment: 'rxkube/wire, rxkube/shard, rxkube/health and the internal entry re-export core files, never another entry point (each report lists its own names)',
      severity: 'error',
      from: { path: '^src/(wire|shard|health|internal)/' },
      to: { path: '^src/(wire|shard|health|internal|index\\.ts)' },
    },
    {
      name: 'adapters-use-entry-points',
      comment:
        'adapters and testing/ reach the core only through its public entry points (src/index.ts, src/{wire,shard,health,leader}/index.ts) ' +
        'and src/internal/index.ts, the one entry for names that are deliberately not API (isInformer, idleStatus, loadPeer, …); never a core file directly',
      severity: 'error',
      from: { path: adapters },
      to: { path: core, pathNot: '^src/(wire|shard|health|leader|internal)/index\\.ts$' },
    },
    { name: 'adapters-use-public-core', comment: 'react/ and angular/ import only the core', severity: 'error', from: { path: '^src/(react|angular)/' }, to: { path: '^src/(kube|testing|metrics|cli|worker|json-patch)/' } },
    { name: 'metrics-use-public-core', comment: 'metrics/ binds the core\'s hooks to prom-client, nothing else', severity: 'error', from: { path: '^src/metrics/' }, to: { path: '^src/(kube|testing|react|angular|cli)/' } },
    { name: 'client-node-loaded-lazily', comment: 'cli/ and kube/ import @kubernetes/client-node (an optional peer) for types only, or with loadPeer at run time: the rxkube command runs without it', severity: 'error', from: { path: '^src/(cli|kube)/' }, to: { path: '@kubernetes/client-node', dependencyTypesNot: ['type-only', 'type-import', 'dynamic-import'] } },
    { name: 'testing-not-kube', severity: 'error', from: { path: '^src/testing/' }, to: { path: '^src/(kube|react|angular|cli)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
