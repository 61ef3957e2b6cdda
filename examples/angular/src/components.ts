/**
 * The example's components: standalone, signal-based, zoneless. The decorators are applied as
 * functions (`Component({...})(class …)`), exactly what `@Component({...})` compiles to, so the
 * example needs no decorator transform and no Angular CLI: Angular compiles the templates in the
 * browser (JIT, `@angular/compiler`).
 */
import { Component, computed, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { objectSignal, selectSignal, snapshotSignal, statusSignal } from 'rxkube/angular';
import { failure$, nodes, pods, type Pod } from './cluster.ts';
import { describeStatus } from './describe-status.ts';
import { statusLog } from './status-log.ts';

/**
 * The pods informer's health: its phase, and every phase it went through (from `status$`, so a
 * relist that lasts a few milliseconds is still listed). Binding to the status does not start the
 * informer.
 */
export const StatusBanner = Component({
  selector: 'status-banner',
  template: `
    <section class="banner" data-testid="status" [attr.data-phase]="status().phase" [attr.data-synced]="status().hasSynced" [class]="status().phase">
      <strong>pods: {{ text() }}</strong>
      <span data-testid="nodes-status" [attr.data-phase]="nodeStatus().phase">nodes: {{ nodeStatus().phase }}</span>
      @if (lastFailure(); as failure) {
        <p data-testid="last-failure">{{ failure.message }}</p>
      }
      <ol data-testid="status-log">
        @for (entry of log(); track entry.seq) {
          <li [attr.data-seq]="entry.seq" [attr.data-phase]="entry.phase">{{ entry.text }}</li>
        }
      </ol>
    </section>
  `,
})(
  class StatusBanner {
    readonly status = statusSignal(pods);
    readonly nodeStatus = statusSignal(nodes);
    readonly text = computed(() => describeStatus(this.status()));
    readonly log = statusLog(pods.status$);
    readonly lastFailure = toSignal(failure$);
  },
);

/** One card per node with its pod count, from the nodes snapshot and the pods' `node` index. */
export const NodeList = Component({
  selector: 'node-list',
  template: `
    <p class="total">
      <span data-testid="total">{{ total() ?? '…' }}</span> pods on {{ rows().length }} nodes
      @if (firstPod(); as pod) { · first pod by key <code data-testid="first-pod">{{ pod.metadata?.name }}</code> on {{ pod.spec?.nodeName }} }
    </p>
    <ul class="nodes">
      @for (row of rows(); track row.name) {
        <li [attr.data-node]="row.name">
          <span class="name">{{ row.name }}</span>
          <span data-node-pods>{{ row.pods }}</span>
          <span class="running" data-node-running>{{ row.running }} running</span>
        </li>
      }
    </ul>
  `,
})(
  class NodeList {
    readonly nodes = snapshotSignal(nodes);
    readonly pods = snapshotSignal(pods);
    readonly total = selectSignal(pods, (s) => s.size);
    // The pod whose key sorts first, looked up by key (objectSignal follows the key signal).
    readonly firstKey = selectSignal(pods, (s) => {
      let first = '';
      for (const key of s.keys()) if (first === '' || key < first) first = key;
      return first;
    });
    readonly firstPod = objectSignal<Pod>(pods, computed(() => this.firstKey() ?? ''));
    readonly rows = computed(() => {
      const nodeSnapshot = this.nodes();
      const podSnapshot = this.pods();
      if (nodeSnapshot === undefined || podSnapshot === undefined) return [];
      return [...nodeSnapshot.keys()]
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .map((name) => {
          const onNode = podSnapshot.byIndex('node', name);
          return { name, pods: onNode.length, running: onNode.filter((p) => p.status?.phase === 'Running').length };
        });
    });
  },
);

/** Buttons that ask the simulated cluster for a fault, and one that shows or destroys the cluster view. */
export const App = Component({
  selector: 'rxkube-example',
  imports: [StatusBanner, NodeList],
  template: `
    <header>
      <h1>rxkube · Angular</h1>
      <button type="button" (click)="fault('compact')">Compact (410)</button>
      <button type="button" (click)="fault('drop-watches')">Drop watches</button>
      <button type="button" (click)="shown.set(!shown())">{{ shown() ? 'Hide cluster' : 'Show cluster' }}</button>
    </header>
    <status-banner />
    @if (shown()) {
      <node-list />
    } @else {
      <p data-testid="hidden">Cluster view destroyed: its subscriptions ended, the informers stopped.</p>
    }
  `,
})(
  class App {
    readonly shown = signal(true);
    fault(kind: 'compact' | 'drop-watches'): void {
      void fetch(`/_sim/faults/${kind}`, { method: 'POST' });
    }
  },
);
