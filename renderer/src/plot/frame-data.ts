// Pure functions turning ring-buffer windows into the arrays uPlot draws:
// min/max per pixel column when there are more points than pixels, and the
// union time axis uPlot's mode 1 needs when signals have different rates.
import { BLOCK, type Segment } from './signal-ring';

export interface Series {
  times: Float64Array;
  values: Float64Array;
}

/** Above this many points per pixel column a window is reduced to min/max per column. */
export const REDUCE_ABOVE_POINTS_PER_PIXEL = 2;

export function segmentsLength(segments: Segment[]): number {
  let n = 0;
  for (const s of segments) n += s.times.length;
  return n;
}

/** Copies a ring window into contiguous arrays. */
export function copySegments(segments: Segment[]): Series {
  const n = segmentsLength(segments);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  let at = 0;
  for (const s of segments) {
    times.set(s.times, at);
    values.set(s.values, at);
    at += s.times.length;
  }
  return { times, values };
}

/**
 * Keeps, for each pixel column of [tMin, tMax], the smallest and the largest
 * value, in the order they came, so that every peak and dip still shows.
 * They are placed at a quarter and three quarters of the column: less than a
 * pixel from where they were, and on the same times for every signal, so the
 * union axis of several reduced signals stays two points per column.
 * Samples outside the range (the neighbours a window keeps for its edges)
 * keep their times; NaN samples are skipped.
 */
export function minMaxPerPixel(segments: Segment[], tMin: number, tMax: number, columns: number): Series {
  const cols = Math.max(1, Math.floor(columns));
  const span = tMax - tMin;
  const out: Series & { n: number } = {
    times: new Float64Array(cols * 2 + 4),
    values: new Float64Array(cols * 2 + 4),
    n: 0,
  };
  const acc = new Float64Array(4);
  const pos = segments.map((s) => lowerBound(s.times, tMin, 0));

  resetExtremes(acc);
  segments.forEach((s, j) => foldExtremes(s, 0, pos[j], acc));
  emitExtremes(out, acc, acc[1], acc[3]);

  const step = segments.map((seg) => Math.max(1, Math.floor(seg.times.length / cols)));
  const dense = segments.every((s) => s.blocks && s.offset !== undefined) && segmentsLength(segments) >= cols * SNAP_ABOVE_SAMPLES;
  for (let c = 0; c < cols; c++) {
    resetExtremes(acc);
    const last = c === cols - 1;
    const hi = tMin + (span * (c + 1)) / cols;
    for (let j = 0; j < segments.length; j++) {
      const ts = segments[j].times;
      // Dense: the edge is a block edge, found in the blocks' first times. Else columns hold
      // about as many samples as the one before: search near there first.
      const b = last ? upperBound(ts, tMax, pos[j])
        : dense ? blockEdgeAtOrAfter(segments[j], hi, pos[j])
        : lowerBoundNear(ts, hi, pos[j], step[j]);
      step[j] = Math.max(1, b - pos[j]);
      if (dense) foldDenseColumn(segments[j], pos[j], b, c === 0, last, acc);
      else foldExtremes(segments[j], pos[j], b, acc);
      pos[j] = b;
    }
    const early = tMin + (span * (c + 0.25)) / cols;
    const late = tMin + (span * (c + 0.75)) / cols;
    emitExtremes(out, acc, acc[1] <= acc[3] ? early : late, acc[1] <= acc[3] ? late : early);
  }

  resetExtremes(acc);
  segments.forEach((s, j) => foldExtremes(s, pos[j], s.times.length, acc));
  emitExtremes(out, acc, acc[1], acc[3]);
  return { times: out.times.subarray(0, out.n), values: out.values.subarray(0, out.n) };
}

function resetExtremes(acc: Float64Array): void {
  acc[0] = Infinity; acc[1] = 0; acc[2] = -Infinity; acc[3] = 0;
}

/** Appends the extremes in acc at the given times, one point when they are the same sample. */
function emitExtremes(out: Series & { n: number }, acc: Float64Array, minAt: number, maxAt: number): void {
  if (acc[0] === Infinity) return;
  if (acc[1] === acc[3]) {
    out.times[out.n] = Math.min(minAt, maxAt); out.values[out.n] = acc[0]; out.n++;
    return;
  }
  const minFirst = minAt < maxAt;
  out.times[out.n] = minFirst ? minAt : maxAt; out.values[out.n] = minFirst ? acc[0] : acc[2]; out.n++;
  out.times[out.n] = minFirst ? maxAt : minAt; out.values[out.n] = minFirst ? acc[2] : acc[0]; out.n++;
}

/**
 * Above this many samples per column, a window is dense: the boundaries between
 * columns are ring block edges (the first block starting at or after the
 * column's time edge), so no sample is scanned one by one. At most BLOCK samples
 * (a quarter of a column, less than a pixel) change columns; both neighbours use
 * the same edge, so every sample still counts in exactly one column, and the
 * window's own ends stay exact.
 */
export const SNAP_ABOVE_SAMPLES = 4 * BLOCK;

/**
 * In a dense window: the index (from `from` on) of the first block edge of the
 * segment whose block starts at or after t, so no sample is read to find a
 * column edge. Past the last block edge, the exact sample (at most a block to scan).
 */
function blockEdgeAtOrAfter(s: Segment, t: number, from: number): number {
  const off = s.offset!;
  const len = s.times.length;
  const firstT = s.blocks!.firstT;
  const lowest = Math.ceil((off + from) / BLOCK);
  let lo = lowest;
  let hi = Math.floor((off + len - 1) / BLOCK) + 1;
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (firstT[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  // Before the first whole block, or past the last edge: the exact sample (less than a block to search).
  if (lo === lowest) return lowerBound(s.times.subarray(0, Math.min(len, lo * BLOCK - off)), t, from);
  if (lo < end) return Math.max(from, lo * BLOCK - off);
  return lowerBound(s.times, t, Math.max(from, (end - 1) * BLOCK - off));
}

/** Folds samples [a, b) of a segment into acc: whole ring blocks by their stored extremes, the ends sample by sample. */
function foldExtremes(s: Segment, a: number, b: number, acc: Float64Array): void {
  if (s.blocks && s.offset !== undefined && b - a >= 2 * BLOCK) {
    const firstBlock = Math.ceil((s.offset + a) / BLOCK);
    const endBlock = Math.floor((s.offset + b) / BLOCK);
    scanExtremes(s.times, s.values, a, firstBlock * BLOCK - s.offset, acc);
    blockExtremes(s, firstBlock, endBlock, acc);
    scanExtremes(s.times, s.values, endBlock * BLOCK - s.offset, b, acc);
  } else {
    scanExtremes(s.times, s.values, a, b, acc);
  }
}

/**
 * One column of a dense window: [a, b) with its inner ends snapped to block
 * edges. An end is exact where it is the segment's own end or the window's
 * first or last column boundary.
 */
function foldDenseColumn(s: Segment, a: number, b: number, exactStart: boolean, exactEnd: boolean, acc: Float64Array): void {
  const off = s.offset!;
  const len = s.times.length;
  exactStart ||= a === 0;
  exactEnd ||= b === len;
  if (exactStart && exactEnd) {
    foldExtremes(s, a, b, acc);
    return;
  }
  const lowest = Math.ceil(off / BLOCK);
  const highest = Math.floor((off + len) / BLOCK);
  let firstBlock: number;
  if (exactStart) {
    firstBlock = Math.min(highest, Math.ceil((off + a) / BLOCK));
    scanExtremes(s.times, s.values, a, Math.min(b, firstBlock * BLOCK - off), acc);
  } else {
    firstBlock = Math.min(highest, Math.max(lowest, Math.round((off + a) / BLOCK)));
  }
  let endBlock: number;
  if (exactEnd) {
    endBlock = Math.max(firstBlock, Math.floor((off + b) / BLOCK));
    scanExtremes(s.times, s.values, Math.max(a, endBlock * BLOCK - off), b, acc);
  } else {
    endBlock = Math.min(highest, Math.max(lowest, Math.round((off + b) / BLOCK)));
  }
  if (endBlock > firstBlock) blockExtremes(s, firstBlock, endBlock, acc);
}

/** Folds samples [from, to) into acc = [min value, its time, max value, its time]. */
function scanExtremes(ts: Float64Array, vs: Float64Array, from: number, to: number, acc: Float64Array): void {
  let minV = acc[0], minT = acc[1], maxV = acc[2], maxT = acc[3];
  for (let i = from; i < to; i++) {
    const v = vs[i];
    if (v < minV) { minV = v; minT = ts[i]; }
    if (v > maxV) { maxV = v; maxT = ts[i]; }
  }
  acc[0] = minV; acc[1] = minT; acc[2] = maxV; acc[3] = maxT;
}

/** Folds whole ring blocks [firstBlock, endBlock) of a segment into acc, from their stored extremes. */
function blockExtremes(s: Segment, firstBlock: number, endBlock: number, acc: Float64Array): void {
  const { minV, minT, maxV, maxT } = s.blocks!;
  let lo = acc[0], loT = acc[1], hi = acc[2], hiT = acc[3];
  for (let b = firstBlock; b < endBlock; b++) {
    // A block of NaN holds +Infinity and -Infinity: it changes nothing.
    if (minV[b] < lo) { lo = minV[b]; loT = minT[b]; }
    if (maxV[b] > hi) { hi = maxV[b]; hiT = maxT[b]; }
  }
  acc[0] = lo; acc[1] = loT; acc[2] = hi; acc[3] = hiT;
}

/** First index from `from` on with times[i] >= t. */
function lowerBound(times: Float64Array, t: number, from: number): number {
  let lo = from;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * lowerBound from `from` on, probing `from + guess` first: when the guess is
 * close, the search stays within a few cache lines instead of halving the
 * whole array (a million samples is twenty cache misses per column otherwise).
 */
function lowerBoundNear(times: Float64Array, t: number, from: number, guess: number): number {
  const n = times.length;
  let lo = from;
  let step = Math.max(1, guess);
  let hi = Math.min(n, lo + step);
  while (hi < n && times[hi] < t) {
    lo = hi;
    step *= 2;
    hi = Math.min(n, lo + step);
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index from `from` on with times[i] > t. */
function upperBound(times: Float64Array, t: number, from: number): number {
  let lo = from;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The points of a window to draw: reduced when denser than the threshold, else copied. */
export function windowForDisplay(segments: Segment[], tMin: number, tMax: number, columns: number): Series {
  if (segmentsLength(segments) > columns * REDUCE_ABOVE_POINTS_PER_PIXEL) return minMaxPerPixel(segments, tMin, tMax, columns);
  return copySegments(segments);
}

export type AlignedColumns = [Float64Array, ...(number | null)[][]];

/**
 * Builds uPlot mode 1 data from series sampled at different times: x is the
 * sorted union of all times, and each series holds its value where it has a
 * sample at that time and null elsewhere (drawn across with spanGaps).
 * Each input series must be sorted by time.
 */
export function alignUnion(series: Series[]): AlignedColumns {
  const k = series.length;
  let upper = 0;
  for (const s of series) upper += s.times.length;
  const x = new Float64Array(upper);
  const heads = new Int32Array(k);
  let n = 0;
  // Pass 1: the sorted union of times (a k-way merge).
  for (;;) {
    let t = Infinity;
    for (let j = 0; j < k; j++) {
      const h = heads[j];
      if (h < series[j].times.length && series[j].times[h] < t) t = series[j].times[h];
    }
    if (t === Infinity) break;
    x[n++] = t;
    for (let j = 0; j < k; j++) {
      const ts = series[j].times;
      let h = heads[j];
      // Duplicate times within one series collapse onto the first sample.
      while (h < ts.length && ts[h] === t) h++;
      heads[j] = h;
    }
  }
  // Pass 2: each series against the union, value or null.
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(n);
    let h = 0;
    for (let i = 0; i < n; i++) {
      if (h < s.times.length && s.times[h] === x[i]) {
        y[i] = s.values[h];
        while (h < s.times.length && s.times[h] === x[i]) h++;
      } else {
        y[i] = null;
      }
    }
    return y;
  });
  return [x.slice(0, n), ...ys];
}

/** Points a frame draws: every non-null y value. */
export function countPoints(data: AlignedColumns): number {
  let n = 0;
  for (let j = 1; j < data.length; j++) {
    const col = data[j] as (number | null)[];
    for (let i = 0; i < col.length; i++) if (col[i] !== null) n++;
  }
  return n;
}

/**
 * The value a series has nearest to index idx of the union axis: a series
 * holds null where another one has a sample, and the cursor readout should
 * still show this series' value there.
 */
export function nearestValue(column: ArrayLike<number | null | undefined>, idx: number, reach = 256): number | null {
  for (let d = 0; d <= reach; d++) {
    const before = column[idx - d];
    if (before != null && idx - d >= 0) return before;
    const after = column[idx + d];
    if (after != null && idx + d < column.length) return after;
  }
  return null;
}
