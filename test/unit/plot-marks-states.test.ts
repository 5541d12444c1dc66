// State timelines and marks on the renderer side: runs of a discrete signal
// over a window, their colours and names, and which marks a chart shows.
import { describe, expect, it } from 'vitest';
import type { Mark } from '../../shared/api/contract';
import { ingestMarks, marksIn, marksVersion, resetMarks } from '../../renderer/src/plot/marks-cache';
import { SignalRing } from '../../renderer/src/plot/signal-ring';
import { stateColour, stateName, stateRuns } from '../../renderer/src/plot/state-lanes';

function ringOf(times: number[], values: number[]): SignalRing {
  const r = new SignalRing(16384, 64);
  r.append(Float64Array.from(times), Float64Array.from(values));
  return r;
}

describe('stateRuns', () => {
  it('makes one run per change of state, clipped to the window, the last held until tEnd', () => {
    const r = ringOf([0, 1, 2, 3, 4, 5], [0, 0, 1, 1, 2, 0]);
    const runs = stateRuns(r.window(0.5, 4.5), 0.5, 4.5, 5);
    expect(runs.states).toEqual([0, 1, 2]);
    expect(runs.starts).toEqual([0.5, 2, 4]);
    expect(runs.ends).toEqual([2, 4, 4.5]);
  });

  it('holds the state before the window into it, and the newest state until the newest time', () => {
    const r = ringOf([0, 10], [1, 0]);
    const runs = stateRuns(r.window(5, 20), 5, 20, 12);
    expect(runs).toEqual({ starts: [5, 10], ends: [10, 12], states: [1, 0] });
  });

  it('shows no value (NaN) as its own run and rounds values to state indices', () => {
    const r = ringOf([0, 1, 2, 3], [1.0000001, Number.NaN, Number.NaN, 2]);
    const runs = stateRuns(r.window(0, 4), 0, 4, 4);
    expect(runs.states.length).toBe(3);
    expect(runs.states[0]).toBe(1);
    expect(Number.isNaN(runs.states[1])).toBe(true);
    expect(runs.states[2]).toBe(2);
  });

  it('merges runs narrower than a pixel so a lane never holds more runs than columns', () => {
    const n = 10000;
    const times = Array.from({ length: n }, (_, i) => i / 1000);
    const values = times.map((_, i) => i % 2);
    const r = ringOf(times, values);
    const width = 100;
    const runs = stateRuns(r.window(0, 10), 0, 10, 10, 10 / width);
    expect(runs.states.length).toBeLessThanOrEqual(width + 1);
    expect(runs.starts[0]).toBe(0);
    expect(runs.ends[runs.ends.length - 1]).toBeCloseTo(10, 9);
  });

  it('is empty for an empty window', () => {
    expect(stateRuns([], 0, 1, 1)).toEqual({ starts: [], ends: [], states: [] });
  });
});

describe('state names and colours', () => {
  it('names a value by its index and shows an unknown value as its number', () => {
    expect(stateName(['off', 'on'], 1)).toBe('on');
    expect(stateName(['off', 'on'], 7)).toBe('7');
    expect(stateName(['off', 'on'], Number.NaN)).toBe('—');
  });
  it('colours by meaning where the name says, by index otherwise', () => {
    const states = ['nominal', 'warn', 'error', 'idle', 'moving'];
    expect(stateColour(states, 0)).not.toBe(stateColour(states, 1));
    expect(stateColour(states, 2)).toBe(stateColour(['failure'], 0));
    expect(stateColour(states, 3)).not.toBe(stateColour(states, 4));
    expect(stateColour(states, 99)).toBe(stateColour(states, -1));
  });
});

describe('marks cache', () => {
  const mark = (sessionId: string, t: number, signal: string | null, label = `m${t}`): Mark => ({ sessionId, t, label, severity: 'info', signal });

  it('keeps marks in time order per session and bumps its version', () => {
    resetMarks();
    const v = marksVersion();
    ingestMarks([mark('a', 3, null), mark('a', 1, null), mark('b', 2, 'x')]);
    expect(marksVersion()).toBeGreaterThan(v);
    const all = marksIn({ signalsBySession: new Map([['a', new Set(['x'])], ['b', new Set(['x'])]]) }, 0, 10);
    expect(all.map((m) => m.t)).toEqual([1, 2, 3]);
  });

  it('shows a session-wide mark on any plot of the session, a signal mark only where that signal is', () => {
    resetMarks([mark('a', 1, null, 'all'), mark('a', 2, 'pos', 'pos only'), mark('b', 3, null, 'other session')]);
    const withPos = marksIn({ signalsBySession: new Map([['a', new Set(['pos'])]]) }, 0, 10).map((m) => m.label);
    const withVel = marksIn({ signalsBySession: new Map([['a', new Set(['vel'])]]) }, 0, 10).map((m) => m.label);
    expect(withPos).toEqual(['all', 'pos only']);
    expect(withVel).toEqual(['all']);
  });

  it('returns only the marks inside the window, bounds included', () => {
    resetMarks([1, 2, 3, 4, 5].map((t) => mark('a', t, null)));
    expect(marksIn({ signalsBySession: new Map([['a', new Set()]]) }, 2, 4).map((m) => m.t)).toEqual([2, 3, 4]);
  });

  it('keeps a bounded number of marks per session', () => {
    resetMarks();
    ingestMarks(Array.from({ length: 5000 }, (_, i) => mark('a', i, null)));
    const kept = marksIn({ signalsBySession: new Map([['a', new Set()]]) }, -Infinity, Infinity);
    expect(kept.length).toBeLessThanOrEqual(3000);
    expect(kept[kept.length - 1]!.t).toBe(4999);
  });
});
