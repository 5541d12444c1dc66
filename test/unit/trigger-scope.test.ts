// The scope trigger on synthetic signals with known crossings, fed straight into a
// real telemetry store in bursts between polls (as links deliver them).
import { describe, expect, it } from 'vitest';
import { TriggerSpec, type TriggerSpecInput } from '../../shared/api/capture';
import { ScopeTrigger, type TriggerCapture } from '../../main/datalog/trigger';
import { TelemetryStore } from '../../main/telemetry/store';

const T0 = 1_700_000_000;
const DT = 0.001;

function rig(input: Omit<TriggerSpecInput, 'signalId'>, capacity?: number) {
  const store = new TelemetryStore({ capacity });
  const id = store.declare('bench', 'x');
  const captures: TriggerCapture[] = [];
  const trigger = new ScopeTrigger('t1', TriggerSpec.parse({ ...input, signalId: id }), store, (c) => captures.push(c), 0);
  let k = 0;
  /** Appends samples f(k) for the next n sample numbers, in bursts of `burst`, polling after each. */
  const feed = (n: number, f: (k: number) => number, burst = 97, nowMs = 0) => {
    const t = new Float64Array(burst);
    const v = new Float64Array(burst);
    for (let done = 0; done < n; ) {
      const m = Math.min(burst, n - done);
      for (let i = 0; i < m; i++, k++) { t[i] = T0 + k * DT; v[i] = f(k); }
      store.appendBulk(id, t, v, m);
      done += m;
      trigger.poll(nowMs);
    }
  };
  return { store, id, trigger, captures, feed };
}

const square = (period: number) => (k: number) => (k % period < period / 2 ? -1 : 1);

describe('scope trigger', () => {
  it('rising edge: the capture is aligned to the crossing sample, pre-trigger fraction respected', () => {
    const { captures, feed, trigger } = rig({ condition: 'rising', level: 0, preTrigger: 0.25, lengthSamples: 200, mode: 'single' });
    feed(3000, (k) => k - 1000.5); // first sample at or above 0: k = 1001
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    expect(c.forced).toBe(false);
    expect(c.times).toHaveLength(200);
    expect(c.triggerIndex).toBe(50);
    expect(c.triggerTime).toBe(T0 + 1001 * DT);
    expect(c.times[50]).toBe(T0 + 1001 * DT);
    expect(c.values[49]).toBeLessThan(0);
    expect(c.values[50]).toBeGreaterThanOrEqual(0);
    expect(trigger.status().state).toBe('stopped');
  });

  it.each([
    ['falling', { level: 0.2 }, (p: number, v: number) => p > 0.2 && v <= 0.2],
    ['either', { level: 0.2 }, (p: number, v: number) => (p > 0.2 && v <= 0.2) || (p < 0.2 && v >= 0.2)],
    ['above', { level: 0.9 }, (_p: number, v: number) => v > 0.9],
    ['below', { level: -0.9 }, (_p: number, v: number) => v < -0.9],
    ['inside', { level: 0.4, level2: 0.5 }, (_p: number, v: number) => v >= 0.4 && v <= 0.5],
    ['outside', { level: -0.95, level2: 0.95 }, (_p: number, v: number) => v < -0.95 || v > 0.95],
  ] as const)('%s: fires on the first sample that meets the condition', (condition, levels, meets) => {
    const { captures, feed } = rig({ condition, ...levels, preTrigger: 0.5, lengthSamples: 100, mode: 'single' });
    const f = (k: number) => Math.sin((2 * Math.PI * k) / 777 + 0.3);
    feed(3000, f);
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    const k = Math.round((c.triggerTime - T0) / DT);
    expect(meets(f(k - 1), f(k))).toBe(true);
    for (let j = 1; j < k; j++) expect(meets(f(j - 1), f(j)), `sample ${j} met it earlier`).toBe(false);
    // Half the capture before the trigger, or all the history there is when it fires early.
    expect(c.triggerIndex).toBe(Math.min(50, k));
    expect(c.values[c.triggerIndex]).toBe(f(k));
  });

  it('capture length in seconds: pre-trigger part before the trigger time, the rest after', () => {
    const { captures, feed } = rig({ condition: 'rising', level: 0, preTrigger: 0.3, lengthSeconds: 0.2, mode: 'single' });
    feed(2000, square(1000)); // rising edge at k = 500
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    expect(c.triggerTime).toBe(T0 + 500 * DT);
    expect(c.times[0]).toBeGreaterThanOrEqual(c.triggerTime - 0.06);
    expect(c.times[0]! - DT).toBeLessThan(c.triggerTime - 0.06);
    expect(c.times[c.times.length - 1]).toBeLessThanOrEqual(c.triggerTime + 0.14);
    expect(c.times.length).toBeGreaterThanOrEqual(200);
    expect(c.times.length).toBeLessThanOrEqual(201);
    expect(c.times[c.triggerIndex]).toBe(c.triggerTime);
  });

  it('single mode arms once; normal mode re-arms after each capture', () => {
    const single = rig({ condition: 'rising', level: 0, lengthSamples: 20, mode: 'single' });
    single.feed(5000, square(100));
    expect(single.captures).toHaveLength(1);
    const normal = rig({ condition: 'rising', level: 0, lengthSamples: 20, mode: 'normal' });
    normal.feed(5000, square(100));
    // Rising edges at 50, 150, ..., 4950: every one is captured.
    expect(normal.captures.map((c) => Math.round((c.triggerTime - T0) / DT))).toEqual(Array.from({ length: 50 }, (_, i) => 50 + 100 * i));
  });

  it('holdoff: no trigger sooner than holdoff after the previous one; the next edge after it is taken', () => {
    const { captures, feed } = rig({ condition: 'rising', level: 0, lengthSamples: 20, mode: 'normal', holdoffS: 0.25 });
    feed(3000, square(100)); // edges every 0.1 s
    const at = captures.map((c) => Math.round((c.triggerTime - T0) / DT));
    expect(at).toEqual([50, 350, 650, 950, 1250, 1550, 1850, 2150, 2450, 2750]);
  });

  it('auto mode forces a capture of the newest samples when nothing triggers', () => {
    const { captures, feed } = rig({ condition: 'rising', level: 10, lengthSamples: 64, mode: 'auto' });
    feed(500, () => 1, 100, 0);
    expect(captures).toHaveLength(0);
    feed(100, () => 1, 100, 1500);
    expect(captures).toHaveLength(1);
    expect(captures[0]!.forced).toBe(true);
    expect(captures[0]!.triggerIndex).toBe(-1);
    expect(captures[0]!.times).toHaveLength(64);
    expect(captures[0]!.times[63]).toBe(T0 + 599 * DT);
  });

  it('counts samples lost to ring overrun between polls and still triggers after them', () => {
    const { captures, feed, trigger } = rig({ condition: 'rising', level: 0, lengthSamples: 16, mode: 'single' }, 1024);
    feed(5000, () => -1, 5000); // one burst larger than the ring
    expect(trigger.status().lostSamples).toBe(5000 - 1024);
    feed(100, (k) => (k >= 5050 ? 1 : -1));
    expect(captures).toHaveLength(1);
    expect(captures[0]!.triggerTime).toBe(T0 + 5050 * DT);
  });

  it('refuses a window without its high edge and a capture length given twice', () => {
    expect(TriggerSpec.safeParse({ signalId: 0, condition: 'inside', level: 1, lengthSamples: 10 }).success).toBe(false);
    expect(TriggerSpec.safeParse({ signalId: 0, condition: 'rising', level: 1, lengthSamples: 10, lengthSeconds: 1 }).success).toBe(false);
    expect(TriggerSpec.safeParse({ signalId: 0, condition: 'rising', level: 1 }).success).toBe(false);
  });
});
