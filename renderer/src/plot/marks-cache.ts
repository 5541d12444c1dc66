// The marks the hub has broadcast (a sensor's status changed, a move started or
// ended), per session, outside React: charts read them on animation frames and
// redraw when the version changes.
import type { Mark, MarkSeverity } from '../../../shared/api/contract';

/** Marks kept per session in the renderer (the hub keeps as many). */
export const MARKS_PER_SESSION = 2000;

export const MARK_COLOURS: Record<MarkSeverity, string> = {
  info: '#90a4ae',
  ok: '#81c784',
  warn: '#ffb74d',
  error: '#e57373',
};

const bySession = new Map<string, Mark[]>();
let version = 0;

/** Bumped whenever marks are added or cleared: a chart redraws when it changes. */
export function marksVersion(): number {
  return version;
}

export function ingestMarks(marks: readonly Mark[]): void {
  if (!marks.length) return;
  for (const m of marks) {
    let list = bySession.get(m.sessionId);
    if (!list) {
      list = [];
      bySession.set(m.sessionId, list);
    }
    // Marks come in time order per session; an older one (another source) is put in its place.
    let at = list.length;
    while (at > 0 && list[at - 1]!.t > m.t) at--;
    list.splice(at, 0, m);
    if (list.length > MARKS_PER_SESSION * 1.5) list.splice(0, list.length - MARKS_PER_SESSION);
  }
  version++;
}

/** After a reconnection the hub's marks are fetched again: the old ones are dropped first. */
export function resetMarks(marks: readonly Mark[] = []): void {
  bySession.clear();
  version++;
  ingestMarks(marks);
}

/** Which marks a chart shows: a session's marks for any of its plotted signals, or for one of them. */
export interface MarkFilter {
  /** session id -> names of that session's signals on the chart */
  signalsBySession: Map<string, Set<string>>;
}

/** The marks of the filter with tMin <= t <= tMax, oldest first. */
export function marksIn(filter: MarkFilter, tMin: number, tMax: number): Mark[] {
  const out: Mark[] = [];
  for (const [sessionId, names] of filter.signalsBySession) {
    const list = bySession.get(sessionId);
    if (!list) continue;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.t < tMin) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && list[i]!.t <= tMax; i++) {
      const m = list[i]!;
      if (m.signal === null || names.has(m.signal)) out.push(m);
    }
  }
  if (filter.signalsBySession.size > 1) out.sort((a, b) => a.t - b.t);
  return out;
}
