import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isInformer } from '../../../src/informer/is-informer.ts';
import { FakeInformer } from '../ui/fake-informer.ts';

describe('isInformer', () => {
  it('accepts anything shaped like an informer', () => {
    expect(isInformer(new FakeInformer().informer)).toBe(true);
  });

  it('rejects observables, primitives and partial shapes', () => {
    expect(isInformer(of(1))).toBe(false);
    expect(isInformer(null)).toBe(false);
    expect(isInformer('informer')).toBe(false);
    expect(isInformer({ getSnapshot: () => undefined, snapshot$: of(1) })).toBe(false);
  });
});
