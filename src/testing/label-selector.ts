/** One requirement of a label selector. */
export interface LabelRequirement {
  /** The label key. */
  readonly key: string;
  /** The operator. */
  readonly op: 'exists' | 'notExists' | 'in' | 'notIn' | 'gt' | 'lt';
  /** Values for `in`/`notIn` (`=`, `==` and `!=` are one-value sets), the number for `gt`/`lt`. */
  readonly values: readonly string[];
}

/** A parsed label selector: all requirements must hold. The empty selector matches everything. */
export type LabelSelector = readonly LabelRequirement[];

/** Thrown when a selector cannot be parsed; the server answers 400 with its message. */
export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

type Token =
  | { t: 'id'; v: string }
  | { t: 'op'; v: '=' | '==' | '!=' | '!' | '>' | '<' }
  | { t: '(' } | { t: ')' } | { t: ',' };

const SPECIAL = new Set([' ', '\t', '\n', ',', '(', ')', '=', '!', '<', '>']);

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n') { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c }); i++; continue; }
    if (c === '=') { if (s[i + 1] === '=') { out.push({ t: 'op', v: '==' }); i += 2; } else { out.push({ t: 'op', v: '=' }); i++; } continue; }
    if (c === '!') { if (s[i + 1] === '=') { out.push({ t: 'op', v: '!=' }); i += 2; } else { out.push({ t: 'op', v: '!' }); i++; } continue; }
    if (c === '>' || c === '<') { out.push({ t: 'op', v: c }); i++; continue; }
    let j = i;
    while (j < s.length && !SPECIAL.has(s[j]!)) j++;
    out.push({ t: 'id', v: s.slice(i, j) });
    i = j;
  }
  return out;
}

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(k: string): string {
  const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
  if (!KEY_RE.test(k) || name.length > 63) throw new SelectorParseError(`unable to parse requirement: key: Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return k;
}

function checkValue(v: string): string {
  if (!VALUE_RE.test(v) || v.length > 63) throw new SelectorParseError(`unable to parse requirement: values[0]: Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  return v;
}

/**
 * Parses a label selector in the API server's full syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, `k>1`, `k<1`, joined by commas.
 *
 * @throws SelectorParseError on a syntax error.
 */
export function parseLabelSelector(input: string): LabelSelector {
  const toks = lex(input);
  const reqs: LabelRequirement[] = [];
  let i = 0;
  const peek = (): Token | undefined => toks[i];
  const fail = (what: string): never => { throw new SelectorParseError(`unable to parse requirement: found '${what}', expected: identifier`); };
  while (i < toks.length) {
    let tok = toks[i++]!;
    if (tok.t === 'op' && tok.v === '!') {
      const k = toks[i++];
      if (k?.t !== 'id') fail(k === undefined ? '' : k.t === 'op' ? k.v : k.t);
      reqs.push({ key: checkKey((k as { v: string }).v), op: 'notExists', values: [] });
    } else if (tok.t === 'id') {
      const key = checkKey(tok.v);
      const next = peek();
      if (next === undefined || next.t === ',') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (next.t === 'op') {
        i++;
        if (next.v === '!') fail('!');
        const v = peek();
        let value = '';
        if (v?.t === 'id') { value = v.v; i++; }
        if (next.v === '>' || next.v === '<') {
          if (!/^-?\d+$/.test(value)) throw new SelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
          reqs.push({ key, op: next.v === '>' ? 'gt' : 'lt', values: [value] });
        } else {
          reqs.push({ key, op: next.v === '!=' ? 'notIn' : 'in', values: [checkValue(value)] });
        }
      } else if (next.t === 'id' && (next.v === 'in' || next.v === 'notin')) {
        i++;
        if (toks[i++]?.t !== '(') throw new SelectorParseError(`unable to parse requirement: found '${next.v}', expected: '('`);
        const values: string[] = [];
        let cur: string | undefined;
        for (;;) {
          tok = toks[i++] ?? fail('');
          if (tok.t === ')' || tok.t === ',') {
            values.push(checkValue(cur ?? ''));
            cur = undefined;
            if (tok.t === ')') break;
            continue;
          }
          if (tok.t !== 'id' || cur !== undefined) fail(tok.t === 'id' ? tok.v : tok.t === 'op' ? tok.v : tok.t);
          cur = (tok as { v: string }).v;
        }
        if (values.length === 0) throw new SelectorParseError('unable to parse requirement: for \'in\', \'notin\' operators, values set can\'t be empty');
        reqs.push({ key, op: next.v === 'in' ? 'in' : 'notIn', values });
      } else {
        fail(next.t === 'id' ? next.v : next.t);
      }
    } else {
      fail(tok.t === 'op' ? tok.v : tok.t);
    }
    const sep = toks[i];
    if (sep !== undefined) {
      if (sep.t !== ',') fail(sep.t === 'id' ? sep.v : sep.t === 'op' ? sep.v : sep.t);
      i++;
      if (i >= toks.length) fail('');
    }
  }
  return reqs;
}

/** Whether `labels` satisfy every requirement of `selector`. */
export function matchesLabels(selector: LabelSelector, labels: { readonly [k: string]: string } | undefined): boolean {
  for (const r of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels[r.key]! : undefined;
    switch (r.op) {
      case 'exists': if (!has) return false; break;
      case 'notExists': if (has) return false; break;
      case 'in': if (!has || !r.values.includes(v!)) return false; break;
      case 'notIn': if (has && r.values.includes(v!)) return false; break;
      case 'gt': case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v), bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}
