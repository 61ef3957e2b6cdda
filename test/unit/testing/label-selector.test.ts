import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matchesLabels, parseLabelSelector, SelectorParseError } from '../../../src/testing/label-selector.ts';

const m = (sel: string, labels?: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);

describe('parseLabelSelector / matchesLabels', () => {
  it('the empty selector matches everything', () => {
    expect(m('', undefined)).toBe(true);
    expect(m('  ', { a: 'b' })).toBe(true);
  });
  it('equality, inequality (matches objects without the key), set-based, existence', () => {
    expect(m('a=b', { a: 'b' })).toBe(true);
    expect(m('a==b', { a: 'c' })).toBe(false);
    expect(m('a!=b', {})).toBe(true);
    expect(m('a!=b', { a: 'b' })).toBe(false);
    expect(m('a in (x, y)', { a: 'y' })).toBe(true);
    expect(m('a in (x,y)', {})).toBe(false);
    expect(m('a notin (x,y)', {})).toBe(true);
    expect(m('a notin (x,y)', { a: 'x' })).toBe(false);
    expect(m('a', { a: '' })).toBe(true);
    expect(m('!a', { a: '' })).toBe(false);
    expect(m('!a', { b: '' })).toBe(true);
    expect(m('n>3', { n: '4' })).toBe(true);
    expect(m('n<3', { n: '4' })).toBe(false);
  });
  it('requirements are ANDed', () => {
    expect(m('a=b,!c,d in (1)', { a: 'b', d: '1' })).toBe(true);
    expect(m('a=b,!c,d in (1)', { a: 'b', c: 'x', d: '1' })).toBe(false);
  });
  it('prefixed keys', () => {
    expect(m('app.kubernetes.io/name=web', { 'app.kubernetes.io/name': 'web' })).toBe(true);
  });
  it.each(['a in x', 'a in (x', '=b', 'a=b,', 'a b', 'a=b=c', '-bad=x'])('rejects %j', (s) => {
    expect(() => parseLabelSelector(s)).toThrow(SelectorParseError);
  });
  it('property: k=v matches exactly the label maps where k maps to v', () => {
    const tok = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
    fc.assert(fc.property(tok, tok, fc.dictionary(tok, tok), (k, v, labels) => {
      expect(m(`${k}=${v}`, labels)).toBe(labels[k] === v && Object.prototype.hasOwnProperty.call(labels, k));
      expect(m(`${k}!=${v}`, labels)).toBe(!(Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v));
    }));
  });
});
