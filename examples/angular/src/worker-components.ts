/**
 * The worker mode's components: the same bindings as components.ts (`statusSignal`,
 * `snapshotSignal`, `selectSignal`, the status log of `status$`), bound to the views of a
 * worker-hosted informer instead of an informer on the page. The pods never reach the page; one
 * is fetched by key for the detail line.
 */
import { Component, computed, signal } from '@angular/core';
import type { Snapshot } from 'rxkube';
import { selectSignal, snapshotSignal, statusSignal } from 'rxkube/angular';
import type { Pod } from './cluster.ts';
import { describeStatus } from './describe-status.ts';
import { statusLog } from './status-log.ts';
import { cluster, podsPerNode, runningPerNode } from './worker-cluster.ts';

/** The worker informer's health, as it crosses from the worker: its phase and its phase log. */
export const WorkerStatusBanner = Component({
  selector: 'worker-status-banner',
  template: `
    <section class="banner" data-testid="status" [attr.data-phase]="status().phase" [attr.data-synced]="status().hasSynced" [class]="status().phase">
      <strong>pods (in a worker): {{ text() }}</strong>
      <ol data-testid="status-log">
        @for (entry of log(); track entry.seq) {
          <li [attr.data-seq]="entry.seq" [attr.data-phase]="entry.phase">{{ entry.text }}</li>
        }
      </ol>
    </section>
  `,
})(
  class WorkerStatusBanner {
    readonly status = statusSignal(podsPerNode);
    readonly text = computed(() => describeStatus(this.status()));
    readonly log = statusLog(podsPerNode.status$);
  },
);

const sum = (s: Snapshot<number>): number => {
  let total = 0;
  for (const n of s.values()) total += n;
  return total;
};

/** One card per node with its pod and running counts, from the two views; a pod by key on click. */
export const WorkerNodeList = Component({
  selector: 'worker-node-list',
  template: `
    <p class="total"><span data-testid="total">{{ total() ?? '…' }}</span> pods on {{ rows().length }} nodes</p>
    <ul class="nodes">
      @for (row of rows(); track row.name) {
        <li [attr.data-node]="row.name">
          <span class="name">{{ row.name }}</span>
          <span data-node-pods>{{ row.pods }}</span>
          <span class="running" data-node-running>{{ row.running }} running</span>
        </li>
      }
    </ul>
    <form (submit)="$event.preventDefault(); lookUp(key.value)">
      <input #key placeholder="namespace/name" data-testid="pod-key" />
      <button type="submit">Get pod</button>
    </form>
    @if (detail(); as pod) {
      <p data-testid="pod-detail">{{ pod.metadata?.name }} on {{ pod.spec?.nodeName }}: {{ pod.status?.phase }}</p>
    }
  `,
})(
  class WorkerNodeList {
    readonly pods = snapshotSignal(podsPerNode);
    readonly running = snapshotSignal(runningPerNode);
    readonly total = selectSignal(podsPerNode, sum);
    readonly detail = signal<Pod | undefined>(undefined);
    readonly rows = computed(() => {
      const pods = this.pods();
      if (pods === undefined) return [];
      const running = this.running();
      return [...pods.entries()]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([name, count]) => ({ name, pods: count, running: running?.get(name) ?? 0 }));
    });
    lookUp(key: string): void {
      void cluster.getObject(key).then((pod) => this.detail.set(pod));
    }
  },
);

/** The fault button and the show/destroy toggle of the in-page example, over the worker. */
export const WorkerApp = Component({
  selector: 'rxkube-example',
  imports: [WorkerStatusBanner, WorkerNodeList],
  template: `
    <header>
      <h1>rxkube · Angular · worker mode</h1>
      <button type="button" (click)="fault('compact')">Compact (410)</button>
      <button type="button" (click)="shown.set(!shown())">{{ shown() ? 'Hide cluster' : 'Show cluster' }}</button>
    </header>
    <worker-status-banner />
    @if (shown()) {
      <worker-node-list />
    } @else {
      <p data-testid="hidden">Cluster view destroyed: its views unsubscribed, the worker stopped the informer.</p>
    }
  `,
})(
  class WorkerApp {
    readonly shown = signal(true);
    fault(kind: 'compact'): void {
      void fetch(`/_sim/faults/${kind}`, { method: 'POST' });
    }
  },
);
