// The signal picker's search: which signals match a query, grouped by session, as
// the flat row list the virtualised picker draws. Pure, so that 10,000 signals can
// be filtered on every keystroke without touching the DOM.
import type { SignalInfo } from '../../../shared/api/contract';
import type { SignalSource } from './plot-signals';

export type SearchMode = 'substring' | 'regex';

export type PickerRow =
  | { kind: 'session'; session: string; sessionId: string; matches: number; total: number }
  | { kind: 'signal'; session: string; sessionId: string; signal: SignalInfo };

export interface PickerFilter {
  rows: PickerRow[];
  /** Signals matching, over all sessions. */
  matches: number;
  total: number;
  /** Why the query is not a usable regular expression (then nothing is filtered out). */
  error: string | null;
}

/** A longer pattern is refused: a regex typed into a search box has no reason to be this long. */
const MAX_PATTERN = 500;

/**
 * Signals whose name (or "session: name", or unit) matches `query`: case-insensitive
 * substring, or a regular expression (case-insensitive, tested against the same texts).
 * A session with no match is left out unless the query is empty.
 */
export function filterSignals(sessions: readonly SignalSource[], signals: readonly SignalInfo[], query: string, mode: SearchMode): PickerFilter {
  let test: (text: string) => boolean = () => true;
  let error: string | null = null;
  const q = query.trim();
  if (q !== '') {
    if (mode === 'regex') {
      if (q.length > MAX_PATTERN) error = `pattern longer than ${MAX_PATTERN} characters`;
      else {
        try {
          const re = new RegExp(q, 'i');
          test = (text) => re.test(text);
        } catch (e) {
          error = (e as Error).message.replace(/^Invalid regular expression: /, '');
        }
      }
    } else {
      const needle = q.toLowerCase();
      test = (text) => text.toLowerCase().includes(needle);
    }
  }
  const bySession = new Map<string, SignalInfo[]>();
  for (const s of signals) {
    const list = bySession.get(s.sessionId);
    if (list) list.push(s);
    else bySession.set(s.sessionId, [s]);
  }
  const rows: PickerRow[] = [];
  let matches = 0;
  for (const session of sessions) {
    const mine = bySession.get(session.sessionId) ?? [];
    const hits = error ? mine : mine.filter((sig) => test(sig.name) || test(`${session.name}: ${sig.name}`) || (sig.unit != null && sig.unit !== '' && test(sig.unit)));
    if (hits.length === 0 && q !== '') continue;
    matches += hits.length;
    rows.push({ kind: 'session', session: session.name, sessionId: session.sessionId, matches: hits.length, total: mine.length });
    for (const signal of hits) rows.push({ kind: 'signal', session: session.name, sessionId: session.sessionId, signal });
  }
  return { rows, matches, total: signals.length, error };
}

/** The next signal row from `from` in direction `step` (+1/-1), skipping session headers; `from` itself if there is none. */
export function nextSignalRow(rows: readonly PickerRow[], from: number, step: 1 | -1): number {
  for (let i = from + step; i >= 0 && i < rows.length; i += step) if (rows[i]!.kind === 'signal') return i;
  return from;
}
