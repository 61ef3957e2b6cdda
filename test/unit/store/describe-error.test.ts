import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/model/errors.ts';
import { describeError } from '../../../src/store/describe-error.ts';

describe('describeError', () => {
  it('names an API error by name, code and reason, then its message', () => {
    expect(describeError(new ApiError({ code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' }))).toBe('ApiError 410 Expired: too old resource version: 1 (5)');
  });

  it('describes values that are not errors', () => {
    expect(describeError('boom')).toBe('boom');
    expect(describeError(undefined)).toBe('undefined');
    expect(describeError({ code: 503 })).toBe('Error 503');
  });

  it('keeps one line of at most 300 characters', () => {
    const text = describeError(new Error(`first line\n\tsecond ${'x'.repeat(400)}`));
    expect(text).not.toMatch(/\n|\t/);
    expect(text.startsWith('Error: first line second x')).toBe(true);
    expect(text.length).toBe('Error: '.length + 300);
    expect(text.endsWith('…')).toBe(true);
  });

  it('reads nothing but name, code, reason and message: a request with credentials stays out', () => {
    const error = Object.assign(new TypeError('fetch failed'), { request: { headers: { authorization: 'Bearer s3cr3t' } }, cause: { token: 's3cr3t' } });
    expect(describeError(error)).toBe('TypeError: fetch failed');
  });
});
