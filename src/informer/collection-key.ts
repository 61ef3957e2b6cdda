/**
 * Internal, not API: the canonical forms of label and field selectors that {@link informerCache}
 * keys its informers by. Two selectors get one form only when the API server reads them as the
 * same set of requirements; anything this module cannot parse is kept verbatim, so it is shared
 * only with the very same string.
 *
 * @internal
 * @packageDocumentation
 */

type Token = { readonly t: 'id'; readonly v: string } | { readonly t: 'op' | '(' | ')' | ','; readonly v: string };

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SPECIAL = new Set([...WHITESPACE, ',', '(', ')', '=', '!', '<', '>']);

/** The API server's label selector lexer: whitespace separates tokens and is otherwise ignored. */
function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (WHITESPACE.has(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else if ((c === '=' || c === '!') && s[i + 1] === '=') {
      out.push({ t: 'op', v: `${c}=` });
      i += 2;
    } else if (c === '=' || c === '!' || c === '<' || c === '>') {
      out.push({ t: 'op', v: c });
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j]!)) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/**
 * One requirement in a form that names it exactly: `=`, `==` and `in` with one value are one
 * requirement, so are `!=` and `notin`; value sets are sorted. Keys and values cannot contain
 * spaces or operator characters (the lexer split on them), so the form is unambiguous.
 */
function requirements(tokens: readonly Token[]): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i++]!;
    if (first.t === 'op' && first.v === '!') {
      const key = tokens[i++];
      if (key?.t !== 'id') return undefined;
      out.push(`!${key.v}`);
    } else if (first.t === 'id') {
      const next = tokens[i];
      if (next === undefined || next.t === ',') {
        out.push(first.v);
      } else if (next.t === 'op' && next.v !== '!') {
        i++;
        const value = tokens[i]?.t === 'id' ? tokens[i++]!.v : '';
        const op = next.v === '==' ? '=' : next.v;
        out.push(op === '=' ? `${first.v} in (${value})` : op === '!=' ? `${first.v} notin (${value})` : `${first.v}${op}${value}`);
      } else if (next.t === 'id' && (next.v === 'in' || next.v === 'notin') && tokens[i + 1]?.t === '(') {
        i += 2;
        // `in ()` is rejected by the server while `k=` is valid: they must not share a form.
        if (tokens[i]?.t === ')') return undefined;
        const values = new Set<string>();
        let current: string | undefined;
        for (;;) {
          const tok = tokens[i++];
          if (tok === undefined) return undefined;
          if (tok.t === ',' || tok.t === ')') {
            values.add(current ?? '');
            current = undefined;
            if (tok.t === ')') break;
          } else if (tok.t === 'id' && current === undefined) {
            current = tok.v;
          } else {
            return undefined;
          }
        }
        out.push(`${first.v} ${next.v} (${[...values].sort().join(',')})`);
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
    const separator = tokens[i];
    if (separator !== undefined) {
      if (separator.t !== ',' || i + 1 >= tokens.length) return undefined;
      i++;
    }
  }
  return out;
}

/**
 * The canonical form of a label selector: its requirements, parsed as the API server parses them,
 * deduplicated and sorted. A selector that does not parse is kept verbatim (marked, so that it
 * never equals a canonical form): the server rejects it anyway, and only identical strings share.
 *
 * @internal
 */
export function canonicalLabelSelector(selector: string | undefined): string {
  if (selector === undefined) return '';
  const parsed = requirements(lex(selector));
  return parsed === undefined ? `\0${selector}` : [...new Set(parsed)].sort().join(',');
}

/**
 * The canonical form of a field selector: its terms, split on the commas that are not escaped
 * with `\`, empty ones dropped, sorted. Nothing inside a term is touched: the API server does not
 * trim field selector terms, so `a=b` and `a= b` are different selectors.
 *
 * @internal
 */
export function canonicalFieldSelector(selector: string | undefined): string {
  if (selector === undefined) return '';
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i]!;
    if (c === '\\' && i + 1 < selector.length) {
      current += c + selector[++i]!;
    } else if (c === ',') {
      terms.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  terms.push(current);
  return [...new Set(terms.filter((t) => t !== ''))].sort().join(',');
}
