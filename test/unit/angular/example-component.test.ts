// @vitest-environment happy-dom
import '@angular/compiler';
import { Component, provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { objectSignal, selectSignal, snapshotSignal, statusSignal } from '../../../src/angular/index.ts';
import { FakeInformer, pod } from '../ui/fake-informer.ts';
import type { Pod } from '../ui/fake-informer.ts';

// The component of docs/ui-binding.md. The test pipeline does not transform decorator syntax, so
// the decorator is applied as a function: exactly what `@Component({...}) class PodList {}` does.
const podInformer = new FakeInformer();
const pods = podInformer.informer;
const byName = (a: Pod, b: Pod) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

const PodList = Component({
  selector: 'pod-list',
  template: `
    @if (status().hasSynced) {
      <p>{{ snapshot()?.size }} pods</p>
      <ul>
        @for (pod of sorted(); track pod.metadata?.name) {
          <li (click)="selectedKey.set('default/' + pod.metadata?.name)">
            {{ pod.metadata?.name }} @ {{ pod.metadata?.resourceVersion }}
          </li>
        }
      </ul>
      <p>selected: {{ selected()?.metadata?.name ?? 'none' }}</p>
    } @else {
      <p>Loading…</p>
    }
  `,
})(
  class PodList {
    readonly snapshot = snapshotSignal(pods);
    readonly status = statusSignal(pods);
    readonly sorted = selectSignal(pods, (s) => [...s.values()].sort(byName));
    readonly selectedKey = signal('');
    readonly selected = objectSignal(pods, this.selectedKey);
  },
);

beforeAll(() => {
  TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());
});

beforeEach(() => {
  TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] });
});

describe('the docs example component', () => {
  it('renders the informer state, updates with it, and stops watching when destroyed', async () => {
    const fixture = TestBed.createComponent(PodList);
    const element = fixture.nativeElement as HTMLElement;
    const text = () => element.textContent?.replace(/\s+/g, ' ').trim();
    await fixture.whenStable();
    expect(text()).toBe('Loading…');
    expect(podInformer.watches.active).toBe(1);

    podInformer.apply(pod('web-1', '1'));
    podInformer.apply(pod('web-0', '2'));
    podInformer.setStatus({ phase: 'watching', hasSynced: true, resourceVersion: '2' });
    await fixture.whenStable();
    expect(text()).toBe('2 pods web-0 @ 2 web-1 @ 1 selected: none');

    element.querySelectorAll('li')[1]?.dispatchEvent(new Event('click'));
    podInformer.apply(pod('web-1', '3'));
    await fixture.whenStable();
    expect(text()).toBe('2 pods web-0 @ 2 web-1 @ 3 selected: web-1');

    fixture.destroy();
    expect(podInformer.watches.active).toBe(0);
    expect(podInformer.statusSubscriptions.active).toBe(0);
  });
});
