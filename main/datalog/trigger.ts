// A scope trigger on one live signal, evaluated in the engine on the full-rate
// stream: it follows the telemetry store with a cursor (like a batcher client) and
// scans new samples in bulk at each poll. Nothing is added to store.append.
//
// Conditions: rising (previous < level <= sample), falling (previous > level >=
// sample), either; above, below, inside [level, level2], outside: these fire on the
// first sample, after arming or after holdoff, where the condition holds.
// Capture: N samples (or T seconds) around the trigger sample, preTrigger of them
// before it; the trigger sample is at index round(preTrigger * N) (fewer when the
// ring does not hold that much history yet). Holdoff: no trigger on a sample less
// than holdoffS (sample time) after the previous trigger, and never inside the
// previous capture. Modes: single (one capture, then stopped), normal (re-arms),
// auto (re-arms, and forces an untriggered capture of the newest samples when
// nothing triggers for max(1 s, capture length)).
import type { TriggerSpec, TriggerStatus } from '../../shared/api/capture';
import type { TelemetryStore } from '../telemetry/store';

const SCRATCH = 1 << 14;

export interface TriggerCapture {
  triggerTime: number;
  triggerIndex: number;
  forced: boolean;
  times: Float64Array;
  values: Float64Array;
}

export class ScopeTrigger {
  private state: TriggerStatus['state'] = 'armed';
  private cursor: number;
  private prev = Number.NaN;
  private holdoffUntil = -Infinity;
  /** Sample number and time of the trigger while capturing. */
  private trigSample = -1;
  private trigTime = 0;
  private armedAtMs: number;
  private captures = 0;
  private lostSamples = 0;
  private readonly times = new Float64Array(SCRATCH);
  private readonly values = new Float64Array(SCRATCH);
  private readonly one = { t: new Float64Array(1), v: new Float64Array(1) };

  constructor(
    readonly id: string,
    readonly spec: TriggerSpec,
    private readonly store: TelemetryStore,
    private readonly onCapture: (c: TriggerCapture) => void,
    nowMs = Date.now(),
  ) {
    this.cursor = store.total(spec.signalId);
    this.armedAtMs = nowMs;
  }

  status(): TriggerStatus {
    const state = this.state === 'armed' && this.lastTime() < this.holdoffUntil ? 'holdoff' : this.state;
    return { triggerId: this.id, spec: this.spec, state, captures: this.captures, lostSamples: this.lostSamples };
  }

  get stopped(): boolean {
    return this.state === 'stopped';
  }

  stop(): void {
    this.state = 'stopped';
  }

  /** Scans the samples that arrived since the last poll; may complete a capture. */
  poll(nowMs = Date.now()): void {
    const id = this.spec.signalId;
    if (this.state === 'stopped') return;
    if (!this.store.has(id)) { this.state = 'stopped'; return; }
    if (this.state === 'armed') this.scan();
    if (this.state === 'capturing') this.tryComplete(nowMs);
    if (this.state === 'armed' && this.spec.mode === 'auto' && nowMs - this.armedAtMs >= this.autoTimeoutMs()) this.force(nowMs);
  }

  private scan(): void {
    const { signalId: id, condition, level } = this.spec;
    const level2 = this.spec.level2 ?? level;
    for (;;) {
      const from = Math.max(this.cursor, this.store.oldest(id));
      if (from > this.cursor) { this.lostSamples += from - this.cursor; this.prev = Number.NaN; }
      const n = this.store.copySince(id, from, this.times, this.values, 0, SCRATCH);
      this.cursor = from;
      if (n === 0) return;
      for (let i = 0; i < n; i++) {
        const v = this.values[i]!;
        const p = this.prev;
        this.prev = v;
        if (this.times[i]! < this.holdoffUntil) continue;
        let fire: boolean;
        switch (condition) {
          case 'rising': fire = p < level && v >= level; break;
          case 'falling': fire = p > level && v <= level; break;
          case 'either': fire = (p < level && v >= level) || (p > level && v <= level); break;
          case 'above': fire = v > level; break;
          case 'below': fire = v < level; break;
          case 'inside': fire = v >= level && v <= level2; break;
          case 'outside': fire = v < level || v > level2; break;
        }
        if (fire) {
          this.trigSample = from + i;
          this.trigTime = this.times[i]!;
          this.cursor = from + i + 1;
          this.state = 'capturing';
          return;
        }
      }
      this.cursor = from + n;
      if (n < SCRATCH) return;
    }
  }

  private tryComplete(nowMs: number): void {
    const id = this.spec.signalId;
    const total = this.store.total(id);
    let start: number;
    let end: number;
    if (this.spec.lengthSamples !== undefined) {
      const len = this.spec.lengthSamples;
      const pre = Math.round(this.spec.preTrigger * len);
      end = this.trigSample - pre + len;
      if (total < end) return;
      start = Math.max(this.trigSample - pre, this.store.oldest(id));
    } else {
      const len = this.spec.lengthSeconds!;
      const postEnd = this.trigTime + (1 - this.spec.preTrigger) * len;
      if (this.lastTime() <= postEnd) return;
      start = this.firstAtOrAfter(this.trigTime - this.spec.preTrigger * len);
      end = this.firstAtOrAfter(postEnd, true);
    }
    if (start > this.trigSample) {
      // The trigger sample itself fell out of the ring (a capture longer than the ring): lost.
      this.lostSamples += end - start;
      this.rearm(nowMs, end);
      return;
    }
    const c = this.copyRange(start, end);
    this.emit({ triggerTime: this.trigTime, triggerIndex: this.trigSample - start, forced: false, ...c });
    this.holdoffUntil = this.trigTime + this.spec.holdoffS;
    this.rearm(nowMs, end);
  }

  private force(nowMs: number): void {
    const id = this.spec.signalId;
    const total = this.store.total(id);
    if (total === 0) { this.armedAtMs = nowMs; return; }
    let start: number;
    if (this.spec.lengthSamples !== undefined) start = Math.max(this.store.oldest(id), total - this.spec.lengthSamples);
    else start = this.firstAtOrAfter(this.lastTime() - this.spec.lengthSeconds!);
    const c = this.copyRange(start, total);
    this.emit({ triggerTime: c.times[c.times.length - 1] ?? 0, triggerIndex: -1, forced: true, ...c });
    this.rearm(nowMs, Math.max(this.cursor, total));
  }

  private rearm(nowMs: number, next: number): void {
    this.cursor = Math.max(this.cursor, next);
    this.prev = Number.NaN;
    this.armedAtMs = nowMs;
    this.state = this.spec.mode === 'single' ? 'stopped' : 'armed';
    if (this.state === 'armed') {
      // The sample just before the next one seeds edge detection, so an edge right at the capture's end is seen.
      const k = this.cursor - 1;
      if (k >= this.store.oldest(this.spec.signalId) && this.store.copySince(this.spec.signalId, k, this.one.t, this.one.v, 0, 1) === 1) this.prev = this.one.v[0]!;
    }
  }

  private emit(c: TriggerCapture): void {
    this.captures++;
    this.onCapture(c);
  }

  private autoTimeoutMs(): number {
    return Math.max(1000, (this.spec.lengthSeconds ?? 0) * 1000);
  }

  private lastTime(): number {
    const id = this.spec.signalId;
    const total = this.store.total(id);
    if (total === 0 || this.store.copySince(id, total - 1, this.one.t, this.one.v, 0, 1) !== 1) return -Infinity;
    return this.one.t[0]!;
  }

  /**
   * Number of the first sample with time >= t (or > t with `after`), by bisection
   * over the held samples (in time order).
   */
  private firstAtOrAfter(t: number, after = false): number {
    const id = this.spec.signalId;
    let lo = this.store.oldest(id);
    let hi = this.store.total(id);
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      this.store.copySince(id, mid, this.one.t, this.one.v, 0, 1);
      const tm = this.one.t[0]!;
      if (after ? tm > t : tm >= t) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  private copyRange(start: number, end: number): { times: Float64Array; values: Float64Array } {
    const n = Math.max(0, end - start);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    const got = this.store.copySince(this.spec.signalId, start, times, values, 0, n);
    return { times: times.subarray(0, got), values: values.subarray(0, got) };
  }
}
