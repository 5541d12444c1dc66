// The signal picker's search: substring and regular expression, grouped by session,
// over 10,000 signals; a bad pattern filters nothing out and says why.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SignalInfo } from '../../shared/api/contract';
import { filterSignals, nextSignalRow } from '../../renderer/src/plot/signal-filter';

const sessions = [{ sessionId: 'a', name: 'PSU' }, { sessionId: 'b', name: 'Motor' }, { sessionId: 'c', name: 'Empty' }];
let nextId = 1;
const sig = (sessionId: string, name: string, unit: string | null = null): SignalInfo => ({ id: nextId++, sessionId, name, unit, total: 0 });
const signals = [sig('a', 'volts', 'V'), sig('a', 'amps', 'A'), sig('b', 'speed', 'rpm'), sig('b', 'current', 'A'), sig('b', 'state')];

const names = (f: ReturnType<typeof filterSignals>) => f.rows.map((r) => (r.kind === 'session' ? `[${r.session} ${r.matches}/${r.total}]` : r.signal.name));

describe('signal picker search', () => {
  it('lists every session, empty ones too, when the query is empty', () => {
    const f = filterSignals(sessions, signals, '  ', 'substring');
    expect(names(f)).toEqual(['[PSU 2/2]', 'volts', 'amps', '[Motor 3/3]', 'speed', 'current', 'state', '[Empty 0/0]']);
    expect([f.matches, f.total, f.error]).toEqual([5, 5, null]);
  });

  it('matches a substring of the name, of "session: name" or of the unit, case-insensitively', () => {
    expect(names(filterSignals(sessions, signals, 'AMP', 'substring'))).toEqual(['[PSU 1/2]', 'amps']);
    expect(names(filterSignals(sessions, signals, 'motor: s', 'substring'))).toEqual(['[Motor 2/3]', 'speed', 'state']);
    // The unit "A": amps and current; "a" also matches names, so use the unit of speed.
    expect(names(filterSignals(sessions, signals, 'rpm', 'substring'))).toEqual(['[Motor 1/3]', 'speed']);
    const none = filterSignals(sessions, signals, 'nothing like this', 'substring');
    expect([none.rows.length, none.matches, none.total]).toEqual([0, 0, 5]);
  });

  it('matches a regular expression; a broken one filters nothing out and says what is wrong', () => {
    expect(names(filterSignals(sessions, signals, '^(volts|speed)$', 'regex'))).toEqual(['[PSU 1/2]', 'volts', '[Motor 1/3]', 'speed']);
    // As a substring, the same text matches nothing.
    expect(filterSignals(sessions, signals, '^(volts|speed)$', 'substring').matches).toBe(0);
    const bad = filterSignals(sessions, signals, 'volts(', 'regex');
    expect(bad.error).toMatch(/unterminated group/i);
    expect(bad.matches).toBe(5);
    expect(filterSignals(sessions, signals, 'a'.repeat(501), 'regex').error).toBe('pattern longer than 500 characters');
  });

  it('finds one signal among 10,000 in three sessions', () => {
    const many: SignalInfo[] = [];
    for (let i = 0; i < 10_200; i++) many.push(sig(sessions[i % 3]!.sessionId, `ch${String(i).padStart(5, '0')}`));
    expect(names(filterSignals(sessions, many, 'ch07777', 'substring'))).toEqual(['[Motor 1/3400]', 'ch07777']);
    const re = filterSignals(sessions, many, '^ch077\\d7$', 'regex');
    expect(re.matches).toBe(10);
    expect(re.rows.filter((r) => r.kind === 'session').map((r) => r.kind === 'session' && r.session)).toEqual(['PSU', 'Motor', 'Empty']);
  });

  it('moves between signal rows only, and stays put at either end', () => {
    const rows = filterSignals(sessions, signals, '', 'substring').rows;
    expect(nextSignalRow(rows, -1, 1)).toBe(1);
    expect(nextSignalRow(rows, 2, 1)).toBe(4); // over the Motor header
    expect(nextSignalRow(rows, 4, -1)).toBe(2);
    expect(nextSignalRow(rows, 6, 1)).toBe(6); // the Empty header is not a stop
    expect(nextSignalRow(rows, 1, -1)).toBe(1);
    expect(nextSignalRow([], -1, 1)).toBe(-1);
  });

  it('never throws, whatever is typed, and every signal row it returns matches', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.boolean(), (q, regex) => {
      const f = filterSignals(sessions, signals, q, regex ? 'regex' : 'substring');
      const rows = f.rows.filter((r) => r.kind === 'signal');
      expect(rows.length).toBe(f.matches);
      if (!regex && q.trim() !== '') {
        for (const r of rows) {
          if (r.kind !== 'signal') continue;
          const texts = [r.signal.name, `${r.session}: ${r.signal.name}`, r.signal.unit ?? ''].map((t) => t.toLowerCase());
          expect(texts.some((t) => t.includes(q.trim().toLowerCase()))).toBe(true);
        }
      }
    }));
  });
});
