/** The phase log the status banners show, from an informer's `status$`. */
import type { Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { scan, type Observable } from 'rxjs';
import type { InformerStatus } from 'rxkube';
import { describeStatus } from './describe-status.ts';

/** One line of the log: its sequence number, the phase, and the status as text. */
export interface StatusLogEntry {
  readonly seq: number;
  readonly phase: string;
  readonly text: string;
}

/**
 * Every status `status$` went through, numbered, the last `size` kept (from `status$`, so a relist
 * that lasts a few milliseconds is still listed). Call it where `toSignal` can be called (a field
 * initialiser of a component).
 */
export function statusLog(status$: Observable<InformerStatus>, size = 12): Signal<readonly StatusLogEntry[]> {
  return toSignal(
    status$.pipe(
      scan((log: readonly StatusLogEntry[], s: InformerStatus) => {
        const entry = { seq: (log.at(-1)?.seq ?? 0) + 1, phase: s.phase, text: describeStatus(s) };
        return [...log, entry].slice(-size);
      }, []),
    ),
    { initialValue: [] },
  );
}
