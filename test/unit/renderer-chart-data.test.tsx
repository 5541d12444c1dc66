// @vitest-environment happy-dom
// The chart layer's data path as pure functions: uPlot itself needs a canvas
// and is exercised in Chromium, not here.
import { describe, expect, it } from 'vitest';
import { alignUnion, copySegments, countPoints, minMaxPerPixel, nearestValue, windowForDisplay } from '../../renderer/src/plot/frame-data';
import { SignalRing } from '../../renderer/src/plot/signal-ring';

const f64 = (xs: number[]) => Float64Array.from(xs);

function ringWith(capacity: number, times: number[], values = times.map((t) => t * 10)): SignalRing {
  const r = new SignalRing(capacity, capacity);
  r.append(f64(times), f64(values));
  return r;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('signal ring buffer', () => {
  it('copies a window that wraps around the end of the buffer, in time order', () => {
    const r = new SignalRing(64, 64);
    r.append(f64(range(0, 40)), f64(range(0, 40).map((t) => t * 10)));
    r.append(f64(range(40, 80)), f64(range(40, 80).map((t) => t * 10)));
    expect(r.length).toBe(64);
    expect(r.total).toBe(80);
    const segs = r.window(60, 70);
    expect(segs).toHaveLength(2);
    const w = copySegments(segs);
    // One neighbour on each side so the line reaches the plot's edges.
    expect([...w.times]).toEqual(range(59, 72));
    expect([...w.values]).toEqual(range(59, 72).map((t) => t * 10));
  });

  it('keeps only the newest samples and never returns overwritten ones', () => {
    const r = ringWith(64, range(1, 101));
    expect([...copySegments(r.window(-Infinity, Infinity)).times]).toEqual(range(37, 101));
    expect([...copySegments(r.window(0, 20)).times]).toEqual([37]);
    expect([...copySegments(r.window(200, 300)).times]).toEqual([100]);
  });

  it('grows its capacity up to the maximum without losing order', () => {
    const r = new SignalRing(1024, 64);
    for (let i = 0; i < 10; i++) r.append(f64(range(i * 50, i * 50 + 50)), f64(range(0, 50)));
    expect(r.capacity).toBe(512);
    expect([...copySegments(r.window(-Infinity, Infinity)).times]).toEqual(range(0, 500));
  });

  it('starts afresh when the device clock jumps back, so times stay sorted', () => {
    const r = ringWith(64, [10, 11, 12]);
    r.append(f64([1, 2]), f64([0, 0]));
    expect([...copySegments(r.window(-Infinity, Infinity)).times]).toEqual([1, 2]);
    expect(r.total).toBe(5);
  });

  it('returns nothing for an empty ring', () => {
    expect(new SignalRing(64, 64).window(0, 10)).toEqual([]);
  });
});

describe('min/max per pixel column', () => {
  it('keeps every peak and dip, in the column they were in', () => {
    // 1000 samples over [0, 1000) into 10 columns: a spike up in column 3, a dip in column 7.
    const times = range(0, 1000);
    const values = times.map((t) => (t === 345 ? 100 : t === 712 ? -50 : Math.sin(t / 10)));
    const out = minMaxPerPixel([{ times: f64(times), values: f64(values) }], 0, 1000, 10);
    expect(out.times.length).toBeLessThanOrEqual(20);
    const at = (v: number) => out.times[[...out.values].indexOf(v)];
    expect(Math.floor(at(100) / 100)).toBe(3);
    expect(Math.floor(at(-50) / 100)).toBe(7);
    for (let i = 1; i < out.times.length; i++) expect(out.times[i]).toBeGreaterThan(out.times[i - 1]);
  });

  it('puts min before max when the min came first, and the other way round', () => {
    const up = minMaxPerPixel([{ times: f64([0, 1, 2, 3]), values: f64([0, -1, 5, 2]) }], 0, 4, 1);
    expect([...up.times]).toEqual([1, 3]);
    expect([...up.values]).toEqual([-1, 5]);
    const down = minMaxPerPixel([{ times: f64([0, 1, 2, 3]), values: f64([0, 5, -1, 2]) }], 0, 4, 1);
    expect([...down.values]).toEqual([5, -1]);
  });

  it('reduces a window spread over two ring segments and skips NaN samples', () => {
    const a = { times: f64([0, 1, 2]), values: f64([5, NaN, -5]) };
    const b = { times: f64([3, 4, 5]), values: f64([7, 1, 2]) };
    const out = minMaxPerPixel([a, b], 0, 6, 1);
    expect([...out.times]).toEqual([1.5, 4.5]);
    expect([...out.values]).toEqual([-5, 7]);
  });

  it('passes the edge neighbours outside the range with their own times', () => {
    const out = minMaxPerPixel([{ times: f64([-1, 0, 0.5, 1, 2]), values: f64([9, 1, 3, 2, 8]) }], 0, 1, 1);
    expect([...out.times]).toEqual([-1, 0.25, 0.75, 2]);
    expect([...out.values]).toEqual([9, 1, 3, 8]);
  });

  it('gives the same result from the ring block index as from every sample', () => {
    const r = new SignalRing(4096, 4096);
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (let i = 0; i < 7; i++) {
      const t = range(i * 1000, i * 1000 + 1000);
      r.append(f64(t), f64(t.map(() => rnd())));
    }
    const segs = r.window(1500, 6500);
    expect(segs.length).toBe(2);
    const plain = segs.map((s) => ({ times: s.times, values: s.values }));
    for (const cols of [7, 64, 300]) {
      const fast = minMaxPerPixel(segs, 1500, 6500, cols);
      const slow = minMaxPerPixel(plain, 1500, 6500, cols);
      expect([...fast.times]).toEqual([...slow.times]);
      expect([...fast.values]).toEqual([...slow.values]);
    }
  });

  it('skips blocks of NaN from the block index as it skips NaN samples', () => {
    const r = new SignalRing(4096, 4096);
    const t = range(0, 3000);
    // Whole blocks of NaN (a device reporting no value), and NaN at block edges.
    r.append(f64(t), f64(t.map((x) => (x >= 640 && x < 1024) || x % 700 === 63 ? NaN : Math.sin(x / 50))));
    const segs = r.window(0, 2999);
    const plain = segs.map((s) => ({ times: s.times, values: s.values }));
    // Columns of 150 to 250 samples: whole blocks are read from the index, and the window is
    // not dense enough for column edges to snap to blocks (that path is checked below).
    for (const cols of [12, 16, 20]) {
      const fast = minMaxPerPixel(segs, 0, 2999, cols);
      const slow = minMaxPerPixel(plain, 0, 2999, cols);
      expect([...fast.values].some((v) => Number.isNaN(v))).toBe(false);
      expect([...fast.times]).toEqual([...slow.times]);
      expect([...fast.values]).toEqual([...slow.values]);
    }
  });

  it('only reduces above two points per pixel', () => {
    const seg = [{ times: f64([0, 1, 2, 3]), values: f64([1, 2, 3, 4]) }];
    expect(windowForDisplay(seg, 0, 3, 2).times.length).toBe(4);
    expect(windowForDisplay(seg, 0, 3, 1).times.length).toBe(2);
  });

  it('lets reduced signals share one time axis: two points per column', () => {
    const t = f64(range(0, 10000));
    const a = windowForDisplay([{ times: t, values: t.map((x) => Math.sin(x)) }], 0, 9999, 100);
    const b = windowForDisplay([{ times: t, values: t.map((x) => Math.cos(x)) }], 0, 9999, 100);
    expect(alignUnion([a, b])[0].length).toBe(200);
  });
});

describe('union time axis', () => {
  it('merges times of signals at different rates with nulls where a signal has no sample', () => {
    const fast = { times: f64([0, 0.5, 1, 1.5, 2]), values: f64([0, 1, 2, 3, 4]) };
    const slow = { times: f64([0, 1, 2]), values: f64([10, 11, 12]) };
    const odd = { times: f64([0.25, 1.75]), values: f64([-1, -2]) };
    const [x, y1, y2, y3] = alignUnion([fast, slow, odd]);
    expect([...x]).toEqual([0, 0.25, 0.5, 1, 1.5, 1.75, 2]);
    expect(y1).toEqual([0, null, 1, 2, 3, null, 4]);
    expect(y2).toEqual([10, null, null, 11, null, null, 12]);
    expect(y3).toEqual([null, -1, null, null, null, -2, null]);
    expect(countPoints([x, y1, y2, y3])).toBe(10);
  });

  it('handles empty series and duplicate times', () => {
    const a = { times: f64([1, 1, 2]), values: f64([5, 6, 7]) };
    const empty = { times: f64([]), values: f64([]) };
    const [x, ya, ye] = alignUnion([a, empty]);
    expect([...x]).toEqual([1, 2]);
    expect(ya).toEqual([5, 7]);
    expect(ye).toEqual([null, null]);
    expect(alignUnion([])).toEqual([new Float64Array(0)]);
  });

  it('finds the nearest sample of a series for the cursor readout', () => {
    const col = [null, 3, null, null, null, 8, null];
    expect(nearestValue(col, 1)).toBe(3);
    expect(nearestValue(col, 2)).toBe(3);
    expect(nearestValue(col, 4)).toBe(8);
    expect(nearestValue(col, 6)).toBe(8);
    expect(nearestValue([null, null], 0)).toBeNull();
  });
});

describe('min/max per pixel column in a dense window (column edges snapped to ring blocks)', () => {
  it('shows every single-sample spike within one column of where it was, wrapped rings included', async () => {
    const fc = await import('fast-check');
    fc.assert(fc.property(
      fc.integer({ min: 300, max: 600 }),          // samples per column, above the snapping threshold
      fc.integer({ min: 20, max: 50 }),            // columns
      fc.integer({ min: 0, max: 40000 }),          // samples written before (wraps the ring)
      fc.double({ min: 0, max: 1, noNaN: true }),  // where the spike is
      fc.boolean(),                                // spike up or down
      (perColumn, columns, before, where, up) => {
        const n = perColumn * columns;
        const ring = new SignalRing(1 << 15, 64);
        const total = before + n;
        const times = Float64Array.from({ length: total }, (_, i) => i);
        const values = Float64Array.from({ length: total }, (_, i) => Math.sin(i / 50));
        const spikeAt = before + Math.floor(where * (n - 1));
        values[spikeAt] = up ? 10 : -10;
        ring.append(times, values);
        const tMin = before;
        const tMax = total - 1;
        const out = minMaxPerPixel(ring.window(tMin, tMax), tMin, tMax, columns);
        const hits = [...out.values.keys()].filter((i) => out.values[i] === values[spikeAt]);
        expect(hits.length).toBe(1);
        const colWidth = (tMax - tMin) / columns;
        expect(Math.abs(out.times[hits[0]!]! - spikeAt)).toBeLessThanOrEqual(colWidth * 1.01);
        // Two points per column at most, plus the neighbours at the edges.
        expect(out.times.length).toBeLessThanOrEqual(columns * 2 + 4);
        for (let i = 1; i < out.times.length; i++) expect(out.times[i]!).toBeGreaterThanOrEqual(out.times[i - 1]!);
      },
    ), { numRuns: 150 });
  });
});
