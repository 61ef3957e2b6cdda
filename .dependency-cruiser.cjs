/** Import direction rules: model ← store ← operators ← informer → sources → model (leader → sources, model); the core never imports Node-only code. */
const core = '^src/(model|store|operators|informer|sources|leader)/';
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-runs-in-browsers', comment: 'the core must not import Node built-ins', severity: 'error', from: { path: core }, to: { dependencyTypes: ['core'] } },
    { name: 'core-not-adapters', comment: 'the core never imports kube/, testing/, react/, angular/, metrics/, json-patch/ or cli/', severity: 'error', from: { path: `${core}|^src/index\\.ts$` }, to: { path: '^src/(kube|testing|react|angular|metrics|cli|json-patch|worker)/' } },
    { name: 'worker-uses-public-core', comment: 'worker/ runs in browsers and workers: it imports only the core and model', severity: 'error', from: { path: '^src/worker/' }, to: { path: '^src/(kube|testing|react|angular|metrics|cli|json-patch)/' } },
    { name: 'worker-no-node', comment: 'worker/ must not import Node built-ins or packages other than rxjs', severity: 'error', from: { path: '^src/worker/' }, to: { dependencyTypes: ['core', 'npm', 'npm-peer', 'npm-dev', 'npm-optional'], pathNot: 'node_modules/rxjs/' } },
    { name: 'core-no-node-packages', comment: 'the core may only import rxjs', severity: 'error', from: { path: `${core}|^src/index\\.ts$` }, to: { dependencyTypes: ['npm', 'npm-peer', 'npm-dev', 'npm-optional'], pathNot: 'node_modules/rxjs/' } },
    { name: 'model-is-types-only', severity: 'error', from: { path: '^src/model/' }, to: { path: '^src/(store|operators|informer|sources)/' } },
    { name: 'store-is-pure', severity: 'error', from: { path: '^src/store/' }, to: { path: '^src/(operators|informer|sources)/|node_modules/rxjs/' } },
    { name: 'leader-not-informer', comment: 'leader/ builds on model/ and sources/ only; informer/ and operators/ compose with it', severity: 'error', from: { path: '^src/leader/' }, to: { path: '^src/(operators|informer)/' } },
    { name: 'operators-not-sources', severity: 'error', from: { path: '^src/operators/' }, to: { path: '^src/(sources|informer)/' } },
    { name: 'adapters-use-public-core', comment: 'react/ and angular/ import only the core and model', severity: 'error', from: { path: '^src/(react|angular)/' }, to: { path: '^src/(kube|testing|metrics|cli)/' } },
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
