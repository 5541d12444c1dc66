// Per-signal history on the renderer side: columnar ring buffers of time and
// value, appended in bulk from telemetry blocks.
//
// Invariants the chart layer relies on (load-bearing):
// - times inside a ring never decrease, so a window is found by binary search;
//   a device clock that jumps back starts the ring afresh instead;
// - a window of a ring is at most two contiguous segments of the backing
//   arrays, handed out as views (subarray), never copied per sample;
// - every block of BLOCK physical slots knows where its smallest and largest
//   value are, so reducing a long window reads blocks, not every sample.

/** The largest history a signal keeps: 16 MiB of time + value per signal. */
export const MAX_RING_CAPACITY = 1 << 20;
const INITIAL_CAPACITY = 4096;
/** Samples per min/max block; capacities are multiples of it. */
export const BLOCK = 64;

/**
 * The extremes of each block of a ring and their times, side by side so a long
 * window is reduced by reading these arrays in order (not the samples: with 16
 * signals of a million samples, reading the samples misses the cache at every
 * block). A block of NaN has min +Infinity and max -Infinity.
 */
export interface BlockIndex {
  /** Time of each block's first slot: column edges of a dense window are found here. */
  firstT: Float64Array;
  minV: Float64Array;
  minT: Float64Array;
  maxV: Float64Array;
  maxT: Float64Array;
}

function blockIndex(blocks: number): BlockIndex {
  return { firstT: new Float64Array(blocks), minV: new Float64Array(blocks), minT: new Float64Array(blocks), maxV: new Float64Array(blocks), maxT: new Float64Array(blocks) };
}

export interface Segment {
  times: Float64Array;
  values: Float64Array;
  /** With a ring's segments: the physical index of times[0], and the ring's block index. */
  offset?: number;
  blocks?: BlockIndex;
}

export class SignalRing {
  times: Float64Array;
  values: Float64Array;
  /** Physical index of the oldest sample. */
  start = 0;
  length = 0;
  /** Samples ever appended, including those overwritten or dropped by a clock jump. */
  total = 0;

  blocks: BlockIndex;

  constructor(private readonly maxCapacity = MAX_RING_CAPACITY, initialCapacity = INITIAL_CAPACITY) {
    if (maxCapacity % BLOCK || initialCapacity % BLOCK) throw new RangeError(`Ring capacities must be multiples of ${BLOCK}`);
    const cap = Math.min(initialCapacity, maxCapacity);
    this.times = new Float64Array(cap);
    this.values = new Float64Array(cap);
    this.blocks = blockIndex(cap / BLOCK);
  }

  get capacity(): number {
    return this.times.length;
  }

  /** Time of the newest sample, or NaN when empty. */
  get lastTime(): number {
    return this.length ? this.times[(this.start + this.length - 1) % this.capacity] : NaN;
  }

  /** Time of the logical sample i (0 = oldest). */
  private timeAt(i: number): number {
    return this.times[(this.start + i) % this.capacity];
  }

  append(times: Float64Array, values: Float64Array): void {
    const n = Math.min(times.length, values.length);
    if (n === 0) return;
    this.total += n;
    if (this.length && times[0] < this.lastTime) this.clear();
    this.ensureCapacity(this.length + n);
    const cap = this.capacity;
    // Only the newest `cap` samples of an oversized block can survive.
    const from = n > cap ? n - cap : 0;
    let src = from;
    while (src < n) {
      const end = (this.start + this.length) % cap;
      const run = Math.min(n - src, cap - end);
      this.times.set(times.subarray(src, src + run), end);
      this.values.set(values.subarray(src, src + run), end);
      src += run;
      const overflow = this.length + run - cap;
      if (overflow > 0) {
        this.start = (this.start + overflow) % cap;
        this.length = cap;
      } else {
        this.length += run;
      }
      this.indexBlocks(end, end + run);
    }
  }

  /** Recomputes the extremes of the blocks overlapping physical slots [from, to). */
  private indexBlocks(from: number, to: number): void {
    // A ring that is not full has never wrapped: its samples are slots [0, length).
    const valid = this.length === this.capacity ? this.capacity : this.length;
    const bi = this.blocks;
    const vs = this.values;
    const ts = this.times;
    for (let b = Math.floor(from / BLOCK); b * BLOCK < to; b++) {
      let minV = Infinity;
      let maxV = -Infinity;
      let minT = 0;
      let maxT = 0;
      const last = Math.min(b * BLOCK + BLOCK, valid);
      for (let i = b * BLOCK; i < last; i++) {
        const v = vs[i];
        if (v < minV) { minV = v; minT = ts[i]; }
        if (v > maxV) { maxV = v; maxT = ts[i]; }
      }
      bi.firstT[b] = ts[b * BLOCK];
      bi.minV[b] = minV;
      bi.minT[b] = minT;
      bi.maxV[b] = maxV;
      bi.maxT[b] = maxT;
    }
  }

  clear(): void {
    this.start = 0;
    this.length = 0;
  }

  /**
   * The samples with tMin <= t <= tMax plus one neighbour on each side (so a
   * line reaches the plot's edges), as at most two views into the ring.
   */
  window(tMin: number, tMax: number): Segment[] {
    if (this.length === 0) return [];
    const lo = Math.max(0, this.lowerBound(tMin) - 1);
    const hi = Math.min(this.length, this.upperBound(tMax) + 1);
    if (hi <= lo) return [];
    const cap = this.capacity;
    const a = (this.start + lo) % cap;
    const count = hi - lo;
    const seg = (from: number, to: number): Segment => ({
      times: this.times.subarray(from, to), values: this.values.subarray(from, to), offset: from, blocks: this.blocks,
    });
    if (a + count <= cap) return [seg(a, a + count)];
    return [seg(a, cap), seg(0, count - (cap - a))];
  }

  /** First logical index with time >= t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First logical index with time > t. */
  private upperBound(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private ensureCapacity(needed: number): void {
    const cap = this.capacity;
    if (needed <= cap || cap >= this.maxCapacity) return;
    let next = cap;
    while (next < needed && next < this.maxCapacity) next *= 2;
    next = Math.min(next, this.maxCapacity);
    const times = new Float64Array(next);
    const values = new Float64Array(next);
    // Unwrap into logical order so that start becomes 0.
    const firstRun = Math.min(this.length, cap - this.start);
    times.set(this.times.subarray(this.start, this.start + firstRun), 0);
    values.set(this.values.subarray(this.start, this.start + firstRun), 0);
    if (firstRun < this.length) {
      times.set(this.times.subarray(0, this.length - firstRun), firstRun);
      values.set(this.values.subarray(0, this.length - firstRun), firstRun);
    }
    this.times = times;
    this.values = values;
    this.start = 0;
    this.blocks = blockIndex(next / BLOCK);
    this.indexBlocks(0, this.length);
  }
}
