// The capture view's tick chooser: round values (1, 2 or 5 times a power of ten) for
// spans from nanoseconds to days, labels without float noise, and no throw on any input.
import { describe, expect, it } from 'vitest';
import { roundStep, roundTicks, timeTickLabels, timeUnitFor, valueTickLabels } from '../../renderer/src/capture/ticks';

/** True when x is m × 10^e for m in 1, 2, 5 (to 9 significant digits). */
function isRoundStep(x: number): boolean {
  const e = Math.floor(Math.log10(x));
  const m = Number((x / 10 ** e).toPrecision(9));
  return m === 1 || m === 2 || m === 5 || m === 10;
}

describe('round ticks', () => {
  const spans: [number, number][] = [
    [-0.0123, 0.0187], [-0.5, 0.5], [-1e-7, 3e-7], [-3e-12, 7e-12], [-1800, 1800], [0, 86_400 * 7],
    [1_700_000_000, 1_700_000_001], [-1e300, 1e300], [1e-300, 5e-300], [0.1, 0.7], [-2.5, -2.4], [99.99, 100.01],
  ];
  it.each(spans)('from %s to %s: evenly spaced multiples of a 1-2-5 step, inside the range', (min, max) => {
    for (const most of [2, 3, 5, 8, 13, 30]) {
      const { ticks, step } = roundTicks(min, max, most);
      expect(isRoundStep(step), `step ${step}`).toBe(true);
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      expect(ticks.length).toBeLessThanOrEqual(most);
      for (const t of ticks) {
        expect(t).toBeGreaterThanOrEqual(min - Math.abs(step) * 1e-9);
        expect(t).toBeLessThanOrEqual(max + Math.abs(step) * 1e-9);
        // The tick is k steps, as a decimal: its shortest text has no more digits than the step needs.
        expect(Math.abs(t - Math.round(t / step) * step)).toBeLessThanOrEqual(Math.abs(t) * 1e-15 + step * 1e-9);
      }
      // Not too sparse either: the next smaller 1-2-5 step would have given more than `most` ticks.
      const mantissa = Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(9));
      const smaller = mantissa === 5 ? (step * 2) / 5 : step / 2;
      if (smaller > 0 && Number.isFinite(max - min)) expect(Math.floor(max / smaller + 1e-9) - Math.ceil(min / smaller - 1e-9) + 1).toBeGreaterThan(most);
    }
  });

  it('a range around the trigger has 0 among its ticks, and ticks print without float noise', () => {
    const { ticks, step } = roundTicks(-0.0123, 0.0187, 8);
    expect(step).toBe(0.005);
    expect(ticks).toEqual([-0.01, -0.005, 0, 0.005, 0.01, 0.015]);
    expect(roundTicks(0.1, 0.7, 7).ticks.map(String)).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7']);
    expect(Object.is(roundTicks(-1, 1, 3).ticks[1], -0)).toBe(false);
  });

  it('a single value (one sample, or a zoom to one point) gives that one tick', () => {
    expect(roundTicks(3.25, 3.25, 10)).toEqual({ ticks: [3.25], step: 0 });
    expect(timeTickLabels([0], 0)).toEqual(['0']);
    expect(timeTickLabels([0.0123], 0)).toEqual(['12.3 ms']);
    expect(valueTickLabels([3.25], 0)).toEqual(['3.25']);
  });

  it('never throws on empty, NaN, infinite, reversed or absurd input', () => {
    const odd = [Number.NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324];
    for (const a of odd) for (const b of odd) for (const n of [Number.NaN, -3, 0, 1, 2.5, 1e9]) {
      const r = roundTicks(a, b, n);
      expect(Array.isArray(r.ticks)).toBe(true);
      expect(r.ticks.length).toBeLessThanOrEqual(Math.min(1000, Math.max(2, Number.isFinite(n) ? Math.floor(n) : 2)) + 1);
      expect(() => timeTickLabels(r.ticks, r.step)).not.toThrow();
      expect(() => valueTickLabels(r.ticks, r.step)).not.toThrow();
    }
    expect(roundTicks(Number.NaN, 1, 5)).toEqual({ ticks: [], step: Number.NaN });
    expect(roundTicks(2, 1, 5).ticks).toEqual(roundTicks(1, 2, 5).ticks);
    expect(timeTickLabels([], Number.NaN)).toEqual([]);
    expect(valueTickLabels([Number.NaN, 1], 1)).toEqual(['', '1']);
    expect(roundStep(0)).toBeNaN();
    expect(roundStep(-1)).toBeNaN();
    expect(roundStep(Number.NaN)).toBeNaN();
  });
});

describe('tick labels', () => {
  it('time from the trigger in the unit of its span: µs, ms or s, no trailing zeros, 0 bare', () => {
    const ms = roundTicks(-0.0123, 0.0187, 8);
    expect(timeTickLabels(ms.ticks, ms.step)).toEqual(['-10 ms', '-5 ms', '0', '5 ms', '10 ms', '15 ms']);
    const us = roundTicks(-0.00012, 0.00031, 6);
    expect(timeTickLabels(us.ticks, us.step)).toEqual(['-100 µs', '0', '100 µs', '200 µs', '300 µs']);
    const s = roundTicks(-2.2, 7.9, 6);
    expect(timeTickLabels(s.ticks, s.step)).toEqual(['-2 s', '0', '2 s', '4 s', '6 s']);
    const half = roundTicks(-1.2, 1.2, 6);
    expect(timeTickLabels(half.ticks, half.step)).toEqual(['-1 s', '-0.5 s', '0', '0.5 s', '1 s']);
    const ns = roundTicks(-4e-9, 4e-9, 5);
    expect(timeTickLabels(ns.ticks, ns.step)).toEqual(['-4 ns', '-2 ns', '0', '2 ns', '4 ns']);
    expect(timeUnitFor(0.5).unit).toBe('ms');
    expect(timeUnitFor(3600).unit).toBe('s');
    expect(timeUnitFor(Number.NaN).unit).toBe('ms');
  });

  it('values with the decimals of their step, exponent form when very large or fine', () => {
    const v = roundTicks(-0.043, 0.061, 6);
    expect(valueTickLabels(v.ticks, v.step)).toEqual(['-0.04', '-0.02', '0', '0.02', '0.04', '0.06']);
    const big = roundTicks(1e9, 3e9, 5);
    expect(valueTickLabels(big.ticks, big.step)).toEqual(['1e+9', '1.5e+9', '2e+9', '2.5e+9', '3e+9']);
    const fine = roundTicks(1e-6, 4e-6, 4);
    expect(valueTickLabels(fine.ticks, fine.step)).toEqual(['1e-6', '2e-6', '3e-6', '4e-6']);
    const counts = roundTicks(0, 1024, 6);
    expect(valueTickLabels(counts.ticks, counts.step)).toEqual(['0', '200', '400', '600', '800', '1000']);
  });
});
