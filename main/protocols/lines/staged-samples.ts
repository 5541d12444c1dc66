// key=value and JSON lines name their fields as they go: their samples wait here until the
// line is known good, so that a bad line yields no samples at all.
//
// Hot-path invariant: the stage is allocated once, sized for the longest line.

import type { LinesCounters, LinesSink } from './codec';
import type { DeviceTime } from './device-time';
import type { LineErrors } from './line-errors';

export class StagedSamples {
  private readonly ids: Int32Array;
  private readonly values: Float64Array;
  private count = 0;

  constructor(
    capacity: number,
    private readonly timestampField: string | null,
    private readonly sink: LinesSink,
    private readonly counters: LinesCounters,
    private readonly time: DeviceTime,
    private readonly errors: LineErrors,
  ) {
    this.ids = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
  }

  clear(): void {
    this.count = 0;
  }

  add(id: number, v: number): void {
    if (this.count === this.ids.length) return;
    this.ids[this.count] = id;
    this.values[this.count] = v;
    this.count++;
  }

  /** Sends the line's samples, at the device's time when the options name a timestamp field. */
  commit(t: number, hasTime: boolean, time: number): boolean {
    let at = t;
    const tsName = this.timestampField;
    if (tsName !== null) {
      if (!hasTime) return this.errors.fail(`no timestamp field "${tsName}"`);
      at = this.time.toEpoch(time, t);
      if (Number.isNaN(at)) return this.errors.fail(`timestamp field "${tsName}" is not a finite number`);
    }
    const n = this.count;
    for (let j = 0; j < n; j++) this.sink.sample(this.ids[j]!, at, this.values[j]!);
    this.counters.samples += n;
    return true;
  }
}
