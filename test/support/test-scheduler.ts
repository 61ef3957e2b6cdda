import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

/**
 * A fresh `TestScheduler` whose marble assertions are vitest's deep equality: the one factory every
 * marble test uses. Pass the returned scheduler to time-based operators (`resync`, `coalesce`,
 * `listWatch`, `informer`) so their timers run in the same virtual time as the marbles.
 */
export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}
