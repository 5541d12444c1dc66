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
//
// Channels (the other signals of the spec, as a scope captures every channel): each
// keeps its own samples, at its own rate, whose times fall in the capture's window
// (the trigger signal's first to last captured sample time, or the spec's time window
// with lengthSeconds). Nothing is resampled. Once the trigger signal's window is
// complete, each channel's samples are taken as soon as it has one after the window
// (they come over other links, later or at lower rates), for at most CHANNEL_WAIT_MS;
// then what a quiet channel has is taken. Loss: a channel's window samples the ring
// dropped are counted, exactly while the window's edges are held, and estimated from
// the channel's held sample rate for an edge already gone (a ring shorter than the window at that rate).
import { captureSignalIds, type TriggerSpec, type TriggerStatus } from '../../shared/api/capture';
import type { TelemetryStore } from '../telemetry/store';

const SCRATCH = 1 << 14;
export const CHANNEL_WAIT_MS = 1000;

export interface ChannelCapture {
  signalId: number;
  times: Float64Array;
  values: Float64Array;
  /** Samples of the channel in the window that the ring had dropped. */
  lostSamples: number;
}

export interface TriggerCapture {
  triggerTime: number;
  triggerIndex: number;
  forced: boolean;
  times: Float64Array;
  values: Float64Array;
  /** The spec's other signals, in its order (the trigger signal and repeats left out). */
  channels: ChannelCapture[];
}

/** A triggered capture whose own samples are taken, waiting for its channels. */
interface PendingCapture {
  capture: Omit<TriggerCapture, 'channels'>;
  /** Per channel, once taken. */
  channels: (ChannelCapture | null)[];
  windowStart: number;
  windowEnd: number;
  sinceMs: number;
  end: number;
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
  private readonly channelIds: number[];
  /** Per channel: the number of its first sample in the window of the capture under way (estimated when already dropped). */
  private readonly channelStarts: number[];
  private windowStart = 0;
  private pending: PendingCapture | null = null;
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
    this.channelIds = captureSignalIds(spec).slice(1);
    this.channelStarts = this.channelIds.map(() => 0);
  }

  status(): TriggerStatus {
    const state = this.state === 'armed' && this.lastTime(this.spec.signalId) < this.holdoffUntil ? 'holdoff' : this.state;
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
          this.markChannelStarts(this.captureStartTime());
          return;
        }
      }
      this.cursor = from + n;
      if (n < SCRATCH) return;
    }
  }

  private tryComplete(nowMs: number): void {
    if (!this.pending) this.takeOwnSamples(nowMs);
    const p = this.pending;
    if (!p) return;
    const late = nowMs - p.sinceMs >= CHANNEL_WAIT_MS;
    this.channelIds.forEach((ch, k) => {
      if (!p.channels[k] && (late || !this.store.has(ch) || this.lastTime(ch) > p.windowEnd)) p.channels[k] = this.copyChannel(k, p.windowStart, p.windowEnd);
    });
    if (p.channels.some((c) => c === null)) return;
    this.pending = null;
    this.emit({ ...p.capture, channels: p.channels as ChannelCapture[] });
    this.holdoffUntil = this.trigTime + this.spec.holdoffS;
    this.rearm(nowMs, p.end);
  }

  /** Once the trigger signal's window is complete: its samples, held while the channels catch up. */
  private takeOwnSamples(nowMs: number): void {
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
      if (this.lastTime(id) <= postEnd) return;
      start = this.firstAtOrAfter(id, this.trigTime - this.spec.preTrigger * len);
      end = this.firstAtOrAfter(id, postEnd, true);
    }
    if (start > this.trigSample) {
      // The trigger sample itself fell out of the ring (a capture longer than the ring): lost.
      this.lostSamples += end - start;
      this.rearm(nowMs, end);
      return;
    }
    const c = this.copyRange(id, start, end);
    const timeWindow = this.spec.lengthSeconds !== undefined;
    const windowEnd = timeWindow ? this.trigTime + (1 - this.spec.preTrigger) * this.spec.lengthSeconds! : c.times[c.times.length - 1]!;
    this.pending = {
      capture: { triggerTime: this.trigTime, triggerIndex: this.trigSample - start, forced: false, ...c },
      channels: this.channelIds.map(() => null), windowStart: timeWindow ? this.windowStart : c.times[0]!, windowEnd, sinceMs: nowMs, end,
    };
  }

  /** Where the capture under way starts in time, as known when the trigger fires. */
  private captureStartTime(): number {
    const id = this.spec.signalId;
    if (this.spec.lengthSeconds !== undefined) return this.trigTime - this.spec.preTrigger * this.spec.lengthSeconds;
    const pre = Math.round(this.spec.preTrigger * this.spec.lengthSamples!);
    return this.timeOf(id, Math.max(this.trigSample - pre, this.store.oldest(id)));
  }

  /** Notes each channel's first window sample number, so that samples dropped before the capture is taken are counted. */
  private markChannelStarts(windowStart: number): void {
    this.windowStart = windowStart;
    this.channelIds.forEach((ch, k) => { this.channelStarts[k] = this.sampleNumberAt(ch, windowStart); });
  }

  /** A channel's samples in the window, and how many of them the ring had dropped. */
  private copyChannel(k: number, windowStart: number, windowEnd: number): ChannelCapture {
    const ch = this.channelIds[k]!;
    const end = this.sampleNumberAt(ch, windowEnd, true);
    const c = this.copyRange(ch, this.firstAtOrAfter(ch, windowStart), end);
    return { signalId: ch, ...c, lostSamples: Math.max(0, Math.min(this.store.oldest(ch), end) - this.channelStarts[k]!) };
  }

  /**
   * Number of the first sample at or after t (after t with `after`): exact when the
   * ring still holds a sample before that point; else estimated back from the oldest
   * held sample at the rate of the held samples.
   */
  private sampleNumberAt(id: number, t: number, after = false): number {
    const oldest = this.store.oldest(id);
    const held = this.store.total(id) - oldest;
    const first = held > 0 ? this.timeOf(id, oldest) : Number.NaN;
    if (oldest === 0 || held === 0 || (after ? first <= t : first < t)) return this.firstAtOrAfter(id, t, after);
    const dt = held > 1 ? (this.timeOf(id, oldest + held - 1) - first) / (held - 1) : 0;
    return dt > 0 ? oldest - Math.round((first - t) / dt) : oldest;
  }

  private force(nowMs: number): void {
    const id = this.spec.signalId;
    const total = this.store.total(id);
    if (total === 0) { this.armedAtMs = nowMs; return; }
    let start: number;
    if (this.spec.lengthSamples !== undefined) start = Math.max(this.store.oldest(id), total - this.spec.lengthSamples);
    else start = this.firstAtOrAfter(id, this.lastTime(id) - this.spec.lengthSeconds!);
    const c = this.copyRange(id, start, total);
    const windowStart = c.times[0] ?? 0;
    const windowEnd = c.times[c.times.length - 1] ?? 0;
    this.markChannelStarts(windowStart);
    this.emit({ triggerTime: windowEnd, triggerIndex: -1, forced: true, ...c, channels: this.channelIds.map((_ch, k) => this.copyChannel(k, windowStart, windowEnd)) });
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

  private lastTime(id: number): number {
    const total = this.store.total(id);
    if (total === 0 || this.store.copySince(id, total - 1, this.one.t, this.one.v, 0, 1) !== 1) return -Infinity;
    return this.one.t[0]!;
  }

  /** The time of a held sample. */
  private timeOf(id: number, n: number): number {
    this.store.copySince(id, n, this.one.t, this.one.v, 0, 1);
    return this.one.t[0]!;
  }

  /**
   * Number of the first sample with time >= t (or > t with `after`), by bisection
   * over the held samples (in time order).
   */
  private firstAtOrAfter(id: number, t: number, after = false): number {
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

  private copyRange(id: number, start: number, end: number): { times: Float64Array; values: Float64Array } {
    const n = Math.max(0, end - start);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    const got = this.store.copySince(id, start, times, values, 0, n);
    return { times: times.subarray(0, got), values: values.subarray(0, got) };
  }
}
