// Axis ticks of a frozen capture on round values, as a scope's graticule: steps of
// 1, 2 or 5 times a power of ten (uPlot's own numeric steps include 2.5), ticks at
// whole multiples of the step, so 0 (the trigger) is a tick whenever it is in view.
// A tick is k × m × 10^e computed as an integer over an exact power of ten: the
// double nearest the decimal, with no accumulated noise like 0.30000000000000004.
// Pure: any input (empty, NaN, reversed, a single value) gives ticks or none, never a throw.

export interface RoundTicks {
  ticks: number[];
  /** The spacing of the ticks; 0 for a single value, NaN for none. */
  step: number;
}

const MULTIPLES = [1, 2, 5, 10];
/** More ticks than an axis of any screen could show: a bound on the work for any maxTicks asked. */
const MAX_TICKS = 1000;

/** A step as its multiple (1, 2 or 5) and power of ten. */
function decompose(raw: number): { m: number; e: number } | null {
  if (!Number.isFinite(raw) || raw <= 0) return null;
  let e = Math.floor(Math.log10(raw));
  // A raw step that is already round (5e-3 read back as 4.999...e-3) stays that step.
  const tolerant = raw * (1 - 1e-9);
  let m = MULTIPLES.find((k) => k * 10 ** e >= tolerant) ?? 10;
  if (m === 10) { m = 1; e += 1; }
  return { m, e };
}

/** The smallest 1-2-5 step at least `raw` (NaN for a non-positive or non-finite one). */
export function roundStep(raw: number): number {
  const d = decompose(raw);
  return d ? scaled(d.m, d.e) : Number.NaN;
}

/** n × 10^e, exact to the nearest double for integer n. */
function scaled(n: number, e: number): number {
  if (e >= 0) return n * 10 ** e;
  // Past 10^308 the divisor overflows: multiply in two steps instead.
  return e >= -300 ? n / 10 ** -e : (n / 1e300) / 10 ** (-e - 300);
}

/** Round ticks in [min, max]: the finest 1-2-5 step that gives at most `maxTicks` of them. */
export function roundTicks(min: number, max: number, maxTicks: number): RoundTicks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [], step: Number.NaN };
  if (min > max) [min, max] = [max, min];
  if (min === max) return { ticks: [min], step: 0 };
  const most = Math.min(MAX_TICKS, Math.max(2, Math.floor(Number.isFinite(maxTicks) ? maxTicks : 2)));
  // No step below span / (most + 1) can fit; from there, up the 1-2-5 ladder to the first that does.
  let d = decompose((max - min) / (most + 1));
  if (!d) return { ticks: [min], step: 0 };
  for (let tries = 0; tries < 8; tries++) {
    const step = scaled(d.m, d.e);
    const first = Math.ceil(min / step - 1e-9);
    const last = Math.floor(max / step + 1e-9);
    if (last - first + 1 <= most) {
      const ticks: number[] = [];
      for (let k = first; k <= last; k++) ticks.push(scaled(k * d.m, d.e) + 0);
      return { ticks, step };
    }
    d = d.m === 5 ? { m: 1, e: d.e + 1 } : { m: d.m === 1 ? 2 : 5, e: d.e };
  }
  return { ticks: [min], step: 0 };
}

/** Digits after the point that a step needs (0.5 → 1, 0.02 → 2, 10 → 0). */
function decimalsOf(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 3;
  return Math.min(20, Math.max(0, -Math.floor(Math.log10(Number(step.toPrecision(12))))));
}

/** A number with the step's decimals and no trailing zeros ("-0" shows as "0"). */
function plain(v: number, decimals: number): string {
  const text = String(Number(v.toFixed(decimals)));
  return text === '-0' ? '0' : text;
}

const TIME_UNITS = [
  { unit: 's', scale: 1 },
  { unit: 'ms', scale: 1e-3 },
  { unit: 'µs', scale: 1e-6 },
  { unit: 'ns', scale: 1e-9 },
] as const;

/** The unit a time span reads in: s from 1 s, ms from 1 ms, µs from 1 µs, else ns. */
export function timeUnitFor(span: number): (typeof TIME_UNITS)[number] {
  const a = Math.abs(span);
  if (!Number.isFinite(a) || a === 0) return TIME_UNITS[1];
  return TIME_UNITS.find((u) => a >= u.scale) ?? TIME_UNITS[3];
}

/**
 * Labels of time ticks (seconds from the trigger) in the unit of their span, as
 * "-10 ms", "-5 ms", "0", "5 ms": the step's decimals, no trailing zeros.
 */
export function timeTickLabels(ticks: readonly number[], step: number): string[] {
  const span = ticks.length > 1 ? ticks[ticks.length - 1]! - ticks[0]! : Math.abs(ticks[0] ?? 0);
  const { unit, scale } = timeUnitFor(step > 0 ? Math.max(span, step) : span);
  const decimals = decimalsOf(step > 0 ? step / scale : Number.NaN);
  return ticks.map((t) => {
    if (!Number.isFinite(t)) return '';
    const text = plain(t / scale, decimals);
    return text === '0' ? '0' : `${text} ${unit}`;
  });
}

/** Labels of value ticks: the step's decimals, exponent form for very large or very fine values. */
export function valueTickLabels(ticks: readonly number[], step: number): string[] {
  const biggest = Math.max(0, ...ticks.filter(Number.isFinite).map(Math.abs));
  const fine = step > 0 && step < 1e-4;
  if (biggest >= 1e9 || fine) {
    const digits = step > 0 ? Math.min(15, Math.max(0, Math.floor(Math.log10(biggest || step)) - Math.floor(Math.log10(step)))) : 3;
    return ticks.map((v) => (Number.isFinite(v) ? (v === 0 ? '0' : v.toExponential(digits).replace(/\.?0+e/, 'e')) : ''));
  }
  const decimals = decimalsOf(step);
  return ticks.map((v) => (Number.isFinite(v) ? plain(v, decimals) : ''));
}
