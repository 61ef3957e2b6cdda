import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/model/errors.ts';
import { retryAfterMs } from '../../../src/backoff/retry-after-ms.ts';

describe('retryAfterMs', () => {
  it('reads retryAfterSeconds in milliseconds, ignoring missing, negative and non-finite hints', () => {
    expect(retryAfterMs(new ApiError({ code: 429, retryAfterSeconds: 2 }))).toBe(2000);
    expect(retryAfterMs({ retryAfterSeconds: -1 })).toBeUndefined();
    expect(retryAfterMs({ retryAfterSeconds: Number.NaN })).toBeUndefined();
    expect(retryAfterMs('x')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('caps a hint at an hour', () => {
    expect(retryAfterMs({ retryAfterSeconds: 86_400 })).toBe(3_600_000);
  });
});
