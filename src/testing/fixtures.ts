import type { KubeObject } from '../index.ts';
import { hex, pick, randomInt, type Rng } from './prng.ts';

/**
 * Options of the fixture generators.
 *
 * @example
 * ```ts
 * import type { FixtureOptions } from 'rxkube/testing';
 * const opts: FixtureOptions = { namespace: 'team-a', nodeCount: 50 };
 * ```
 */
export interface FixtureOptions {
  /**
   * Namespace of namespaced objects.
   * @defaultValue `'default'`
   */
  readonly namespace?: string;
  /**
   * How many nodes pods are spread over (`node-0` … `node-(n-1)`), when `nodeName` is not given.
   * @defaultValue 10
   */
  readonly nodeCount?: number;
  /**
   * The node a pod is scheduled on (`spec.nodeName`); overrides `nodeCount`.
   * @defaultValue one of `node-0` … `node-(nodeCount-1)`
   */
  readonly nodeName?: string;
}

const APPS = ['web', 'api', 'worker', 'cache', 'ingest', 'billing', 'search', 'auth'];
const IMAGES = ['nginx:1.27.3', 'redis:7.4.1', 'ghcr.io/example/api:v2.14.0', 'registry.k8s.io/pause:3.10', 'postgres:17.2', 'busybox:1.37'];
const PHASES = ['Running', 'Running', 'Running', 'Running', 'Pending', 'Succeeded', 'Failed'];
const BASE_TIME = Date.UTC(2026, 0, 1);

function ts(offsetSeconds: number): string {
  return new Date(BASE_TIME + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function uid(rng: Rng): string {
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-a${hex(rng, 3)}-${hex(rng, 12)}`;
}

function container(rng: Rng, name: string): Record<string, unknown> {
  const port = pick(rng, [80, 8080, 9090, 6379, 5432]);
  return {
    name,
    image: pick(rng, IMAGES),
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
    env: [
      { name: 'LOG_LEVEL', value: pick(rng, ['info', 'debug', 'warn']) },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
      { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1' } } },
      { name: 'FEATURE_FLAGS', value: pick(rng, ['alpha,beta', 'beta', 'gamma,delta,epsilon']) },
    ],
    resources: {
      limits: { cpu: `${randomInt(rng, 1, 4) * 250}m`, memory: `${randomInt(rng, 1, 8) * 128}Mi` },
      requests: { cpu: `${randomInt(rng, 1, 4) * 50}m`, memory: `${randomInt(rng, 1, 8) * 64}Mi` },
    },
    livenessProbe: { httpGet: { path: '/healthz', port, scheme: 'HTTP' }, initialDelaySeconds: 10, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: '/readyz', port, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 5, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [{ name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

/**
 * A realistic pod of about 5 KB of JSON: labels, ownerReferences to a ReplicaSet, managedFields,
 * 1–3 containers with probes and resources, volumes, conditions, a phase and a node. Deterministic
 * for a given `rng` state and index. Leaves `uid`, `resourceVersion` and `creationTimestamp` to
 * the server (benchmarks pre-serialising bytes may set them).
 *
 * @example
 * ```ts
 * import { generatePod, mulberry32 } from 'rxkube/testing';
 * const rng = mulberry32(1);
 * const pods = Array.from({ length: 100 }, (_, i) => generatePod(rng, i));
 * JSON.stringify(pods[0]).length; // ≈ 5000
 * ```
 * @param rng - the seeded generator.
 * @param i - the pod's index (its name ends with it).
 * @param options - namespace and node count.
 */
export function generatePod(rng: Rng, i: number, options: FixtureOptions = {}): KubeObject {
  const ns = options.namespace ?? 'default';
  const app = pick(rng, APPS);
  const rsHash = hex(rng, 10);
  const name = `${app}-${rsHash}-${hex(rng, 5)}-${i}`;
  const containers = Array.from({ length: pick(rng, [1, 1, 1, 2, 3]) }, (_, c) => container(rng, c === 0 ? app : `sidecar-${c}`));
  const phase = pick(rng, PHASES);
  // Drawn even when nodeName is given, so that the rest of the pod does not depend on it.
  const drawn = `node-${randomInt(rng, 0, (options.nodeCount ?? 10) - 1)}`;
  const node = options.nodeName ?? drawn;
  const started = randomInt(rng, 0, 86_400);
  const ready = phase === 'Running' ? 'True' : 'False';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      labels: { app, 'pod-template-hash': rsHash, tier: pick(rng, ['frontend', 'backend']), 'app.kubernetes.io/version': `v${randomInt(rng, 1, 3)}` },
      annotations: { 'kubectl.kubernetes.io/restartedAt': ts(started - 60), 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090', 'sidecar.example.com/config-hash': hex(rng, 40) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${rsHash}`, uid: uid(rng), controller: true, blockOwnerDeletion: true }],
      managedFields: [
        {
          manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: ts(started), fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {}, 'f:tier': {} }, 'f:ownerReferences': { '.': {}, [`k:{"uid":"${hex(rng, 8)}"}`]: {} } }, 'f:spec': { 'f:containers': Object.fromEntries(containers.map((c) => [`k:{"name":"${c.name as string}"}`, { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:livenessProbe': {}, 'f:name': {}, 'f:ports': {}, 'f:readinessProbe': {}, 'f:resources': {} }])), 'f:dnsPolicy': {}, 'f:restartPolicy': {} } },
        },
        {
          manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: ts(started + 5), fieldsType: 'FieldsV1', subresource: 'status',
          fieldsV1: { 'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': {}, 'f:startTime': {} } },
        },
      ],
    },
    spec: {
      containers,
      volumes: [{ name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }] } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: node,
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
    },
    status: {
      phase,
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
        type, status: type === 'Ready' || type === 'ContainersReady' ? ready : 'True', lastProbeTime: null, lastTransitionTime: ts(started + 3),
      })),
      hostIP: `10.0.${randomInt(rng, 0, 255)}.${randomInt(rng, 1, 254)}`,
      podIP: `10.244.${randomInt(rng, 0, 255)}.${randomInt(rng, 1, 254)}`,
      startTime: ts(started),
      containerStatuses: containers.map((c) => ({
        name: c.name, ready: ready === 'True', restartCount: randomInt(rng, 0, 3), image: c.image, imageID: `docker.io/library/image@sha256:${hex(rng, 64)}`,
        containerID: `containerd://${hex(rng, 64)}`, started: ready === 'True', state: ready === 'True' ? { running: { startedAt: ts(started + 2) } } : { waiting: { reason: 'ContainerCreating' } },
      })),
      qosClass: 'Burstable',
    },
  } as KubeObject;
}

/**
 * A realistic apps/v1 Deployment.
 *
 * @example
 * ```ts
 * import { generateDeployment, mulberry32 } from 'rxkube/testing';
 * generateDeployment(mulberry32(1), 0).kind; // 'Deployment'
 * ```
 * @param rng - the seeded generator.
 * @param i - index used in the name.
 * @param options - namespace.
 */
export function generateDeployment(rng: Rng, i: number, options: FixtureOptions = {}): KubeObject {
  const app = pick(rng, APPS);
  const replicas = randomInt(rng, 1, 5);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${app}-${i}`, namespace: options.namespace ?? 'default', labels: { app }, annotations: { 'deployment.kubernetes.io/revision': String(randomInt(rng, 1, 9)) } },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      template: { metadata: { labels: { app } }, spec: { containers: [container(rng, app)], restartPolicy: 'Always' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas },
  } as KubeObject;
}

/**
 * A realistic Node with capacity, conditions and addresses.
 *
 * @example
 * ```ts
 * import { generateNode, mulberry32 } from 'rxkube/testing';
 * generateNode(mulberry32(1), 3).metadata?.name; // 'node-3'
 * ```
 * @param rng - the seeded generator.
 * @param i - index; the name is `node-<i>`.
 */
export function generateNode(rng: Rng, i: number): KubeObject {
  const zone = pick(rng, ['a', 'b', 'c']);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${zone}` } },
    spec: { podCIDR: `10.244.${i % 256}.0/24`, providerID: `sim://node-${i}` },
    status: {
      capacity: { cpu: String(pick(rng, [4, 8, 16])), memory: `${pick(rng, [16, 32, 64])}Gi`, pods: '110' },
      allocatable: { cpu: '3800m', memory: '15Gi', pods: '110' },
      conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
        type, status: type === 'Ready' ? 'True' : 'False', lastHeartbeatTime: ts(i), lastTransitionTime: ts(0), reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
      })),
      addresses: [{ type: 'InternalIP', address: `10.0.${i % 256}.${(i >> 8) % 256 + 1}` }, { type: 'Hostname', address: `node-${i}` }],
      nodeInfo: { kubeletVersion: 'v1.36.3', containerRuntimeVersion: 'containerd://2.1.0', osImage: 'Debian GNU/Linux 13', architecture: 'amd64', operatingSystem: 'linux' },
    },
  } as KubeObject;
}
