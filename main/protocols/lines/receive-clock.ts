// Receive times for lines that carry no device time. A link hands over chunks, not
// lines: a 200 Hz device read every 10 ms delivers two lines per chunk, and stamping
// both with the chunk's time would give 100 distinct times a second and a staircase on
// the plot. The lines of one chunk were printed between the previous chunk and this
// one, so they are spread evenly over that gap, the last one at the chunk's time.
//
// Invariant: times handed out are strictly increasing, whatever the link's clock does.

/** A gap longer than this is silence, not transmission: lines after it are spread over this much at most. */
const MAX_SPREAD_S = 1;
/** The smallest step between two lines: well above a float64's resolution at today's epoch seconds (about 0.24 µs). */
const MIN_STEP_S = 1e-6;

export class ReceiveClock {
  private previous = NaN;
  private last = -Infinity;
  private start = 0;
  private step = 0;
  private index = 0;

  /** A chunk received at `t` that completes `lines` lines. */
  chunk(t: number, lines: number): void {
    if (lines === 0) return;
    const gap = t - this.previous;
    const window = gap > 0 ? Math.min(gap, MAX_SPREAD_S) : lines * MIN_STEP_S;
    this.step = window / lines;
    this.start = t - window;
    this.index = 0;
    this.previous = t;
  }

  /** The time of the next line of the current chunk. */
  next(): number {
    this.index++;
    let at = this.start + this.step * this.index;
    if (!(at > this.last)) at = this.last + MIN_STEP_S;
    this.last = at;
    return at;
  }

  /** The link went down: the next chunk has no previous one to spread from. */
  reset(): void {
    this.previous = NaN;
  }
}
