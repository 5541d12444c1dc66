// State timelines: a discrete signal (a boolean, a KATCP discrete sensor, a
// device state) drawn as a lane of coloured bands, one band per run of the same
// state, named where the band is wide enough. The lanes sit under the line
// chart and share its time axis.
import type { Segment } from './signal-ring';

export const LANE_HEIGHT = 20;

/** Runs of one state: [start, end) times and the state index, NaN for "no value". */
export interface StateRuns {
  starts: number[];
  ends: number[];
  states: number[];
}

/**
 * The runs of equal values over [tMin, tMax] in a ring window (which holds one
 * sample before tMin when there is one). The last run lasts until `tEnd` (the
 * newest sample time of the chart, so a state holds until something changes it).
 * Runs narrower than `minWidth` seconds merge into their neighbour, so a lane
 * never has more runs than pixels.
 */
export function stateRuns(segments: readonly Segment[], tMin: number, tMax: number, tEnd: number, minWidth = 0): StateRuns {
  const runs: StateRuns = { starts: [], ends: [], states: [] };
  let curState = NaN;
  let curStart = NaN;
  let open = false;
  const close = (end: number) => {
    if (!open) return;
    const s = Math.max(curStart, tMin);
    const e = Math.min(end, tMax);
    if (e > s) {
      const n = runs.states.length;
      if (n && (runs.states[n - 1] === curState || (Object.is(runs.states[n - 1], NaN) && Number.isNaN(curState)) || e - s < minWidth)) {
        runs.ends[n - 1] = e;
      } else {
        runs.starts.push(s);
        runs.ends.push(e);
        runs.states.push(curState);
      }
    }
    open = false;
  };
  for (const seg of segments) {
    const ts = seg.times;
    const vs = seg.values;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      const v = Number.isFinite(vs[i]!) ? Math.round(vs[i]!) : NaN;
      if (open && (v === curState || (Number.isNaN(v) && Number.isNaN(curState)))) continue;
      if (t > tMax) {
        close(t);
        return runs;
      }
      close(t);
      curState = v;
      curStart = t;
      open = true;
    }
  }
  close(Math.max(tEnd, curStart));
  return runs;
}

const NAMED: [RegExp, string][] = [
  [/^(error|failure|fault|failed|alarm|critical)$/i, '#c62828'],
  [/^(warn|warning|degraded)$/i, '#ef8f00'],
  [/^(nominal|ok|normal|ready|on|true|open|enabled|1)$/i, '#2e7d32'],
  [/^(unknown|inactive|unreachable|off|false|closed|disabled|0)$/i, '#455a64'],
];
const PALETTE = ['#1565c0', '#6a1b9a', '#00838f', '#ad1457', '#4e342e', '#558b2f', '#283593', '#00695c'];

/** A state's colour: by its name where the name says (error, warn, ok...), else by its index. */
export function stateColour(states: readonly string[], index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= states.length) return '#263238';
  const name = states[index]!;
  for (const [re, colour] of NAMED) if (re.test(name)) return colour;
  return PALETTE[index % PALETTE.length]!;
}

/** The name shown for a state index (a value outside the names shows as the number). */
export function stateName(states: readonly string[], value: number): string {
  if (Number.isNaN(value)) return '—';
  return Number.isInteger(value) && value >= 0 && value < states.length ? states[value]! : String(value);
}
