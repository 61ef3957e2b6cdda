import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/model/kube-object.ts';
import type { Reflection } from '../../../src/model/reflection.ts';
import { groupObjects, type Grouping } from '../../../src/operators/group-objects.ts';
import type { Joined } from '../../../src/operators/join-with.ts';
import { selectorJoin, type LabelSelector, type SelectorJoinOptions } from '../../../src/operators/selector-join.ts';
import { entriesOf } from './pipeline-helpers.ts';
import { StoreModel, type Op } from '../../support/store-model.ts';
import { boom, operatorChecklist } from '../../support/operator-checklist.ts';

interface Selecting {
  readonly selector?: Record<string, string>;
  readonly labelSelector?: LabelSelector;
}
const pod = (labels?: Record<string, string>): KubeObject => ({ metadata: { name: 'x', ...(labels ? { labels } : {}) } });
const services: SelectorJoinOptions<KubeObject, Selecting> = { matchLabels: (s) => s.selector };
const policies: SelectorJoinOptions<KubeObject, Selecting> = { selector: (s) => s.labelSelector };

function harness(options: SelectorJoinOptions<KubeObject, Selecting>) {
  const pods = new StoreModel<KubeObject>();
  const sels = new StoreModel<Selecting>();
  const left = new Subject<Reflection<KubeObject>>();
  const right = new Subject<Reflection<Selecting>>();
  const out: Reflection<Joined<KubeObject, Selecting>>[] = [];
  const firsts = { l: true, r: true };
  left.pipe(selectorJoin(right, options)).subscribe((r) => out.push(r));
  return {
    out,
    rows: () => Object.fromEntries(entriesOf(out.at(-1)!.snapshot).map(([k, row]) => [k, [...row.rightKeys].sort()])),
    pods: (ops: Op<KubeObject>[]) => {
      left.next(pods.batch(ops, { first: firsts.l }));
      firsts.l = false;
    },
    sels: (ops: Op<Selecting>[]) => {
      right.next(sels.batch(ops, { first: firsts.r }));
      firsts.r = false;
    },
  };
}

describe('selectorJoin', () => {
  describe('checklist', () => {
    const [a, b] = StoreModel.reflections<KubeObject>([[['put', 'p1', pod({ app: 'web' })]], [['put', 'p2', pod({ app: 'web' })]]]);
    const [r] = StoreModel.reflections<Selecting>([[['put', 's1', { selector: { app: 'web' } }]]]);
    operatorChecklist({ operator: () => selectorJoin(of(r!), services), values: { a: a!, b: b! }, throwing: () => selectorJoin(of(r!), { ...services, labels: boom }) });
  });

  it('joins each pod with the Services whose selector matches all of their labels', () => {
    const h = harness(services);
    h.pods([
      ['put', 'web-1', pod({ app: 'web', tier: 'fe' })],
      ['put', 'web-2', pod({ app: 'web' })],
      ['put', 'db-1', pod({ app: 'db' })],
      ['put', 'bare', pod()],
    ]);
    h.sels([
      ['put', 'web', { selector: { app: 'web' } }],
      ['put', 'web-fe', { selector: { app: 'web', tier: 'fe' } }],
      ['put', 'none', { selector: {} }],
      ['put', 'external', {}],
    ]);
    expect(h.rows()).toEqual({ 'web-1': ['web', 'web-fe'], 'web-2': ['web'], 'db-1': [], bare: [] });
  });

  it('follows label changes on pods and selector changes on Services', () => {
    const h = harness(services);
    h.pods([['put', 'p', pod({ app: 'web' })]]);
    h.sels([['put', 's', { selector: { app: 'web' } }]]);
    h.pods([['put', 'p', pod({ app: 'api' })]]);
    expect(h.rows()).toEqual({ p: [] });
    h.sels([['put', 's', { selector: { app: 'api' } }]]);
    expect(h.rows()).toEqual({ p: ['s'] });
    h.sels([['del', 's']]);
    expect(h.rows()).toEqual({ p: [] });
  });

  it('implements metav1 LabelSelector semantics: {} selects all, absent selects none, expressions', () => {
    const h = harness(policies);
    h.pods([
      ['put', 'a', pod({ app: 'web', env: 'prod' })],
      ['put', 'b', pod({ app: 'web', env: 'dev' })],
      ['put', 'c', pod({ app: 'db' })],
    ]);
    h.sels([
      ['put', 'all', { labelSelector: {} }],
      ['put', 'nothing', {}],
      ['put', 'in', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] } }],
      ['put', 'notin', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } }],
      ['put', 'exists', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'Exists' }] } }],
      ['put', 'absent', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } }],
      ['put', 'mixed', { labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }],
      ['put', 'bogus', { labelSelector: { matchExpressions: [{ key: 'env', operator: 'Gt', values: ['1'] }] } }],
    ]);
    expect(h.rows()).toEqual({
      a: ['all', 'exists', 'in', 'mixed'],
      b: ['all', 'exists', 'in', 'notin'],
      c: ['absent', 'all', 'notin'],
    });
  });

  it('requires exactly one of selector and matchLabels', () => {
    expect(() => selectorJoin(of(), {})).toThrow(TypeError);
    expect(() => selectorJoin(of<Reflection<Selecting>>(), { selector: (s) => s.labelSelector, matchLabels: (s) => s.selector })).toThrow(TypeError);
  });

  it('gives the reverse view (pods per Service) through groupObjects on rightKeys', () => {
    const pods = new StoreModel<KubeObject>();
    const svcs = new StoreModel<Selecting>();
    const out: Grouping<Joined<KubeObject, Selecting>>[] = [];
    of(pods.batch([['put', 'p1', pod({ app: 'web' })], ['put', 'p2', pod({ app: 'web' })], ['put', 'p3', pod({ app: 'db' })]]))
      .pipe(selectorJoin(of(svcs.batch([['put', 'web', { selector: { app: 'web' } }]])), services), groupObjects((row) => row.rightKeys))
      .subscribe((g) => out.push(g));
    expect([...out[0]!.groups.get('web')!.keys()].sort()).toEqual(['p1', 'p2']);
  });
});
