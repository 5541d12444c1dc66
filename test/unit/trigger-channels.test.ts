// A scope trigger capturing every signal of a plot: signals of other rates fed into a
// real telemetry store in bursts of simulated time (as links deliver them), the
// trigger polled after each burst. Each channel must hold exactly its own samples
// whose times fall in the capture window, and count what its ring had dropped.
import { describe, expect, it } from 'vitest';
import { TRIGGER_MAX_SIGNALS, TriggerSpec, type TriggerSpecInput } from '../../shared/api/capture';
import { CHANNEL_WAIT_MS, ScopeTrigger, type TriggerCapture } from '../../main/datalog/trigger';
import { TelemetryStore } from '../../main/telemetry/store';

const T0 = 1_700_000_000;

interface Feed {
  id: number;
  /** Sample j's time and value. */
  time(j: number): number;
  value(j: number): number;
  next: number;
  /** Seconds this signal's link is behind the others (its samples arrive that much later). */
  lagS: number;
  /** No sample after this time (a link that went quiet). */
  stopAt: number;
}

function rig(input: Omit<TriggerSpecInput, 'signalId' | 'signalIds'>, opts: { capacity?: number; lagS?: number; stopAt?: number } = {}) {
  const store = new TelemetryStore({ capacity: opts.capacity });
  const signal = (name: string, unit: string | undefined, rateHz: number, phase: number, value: (j: number) => number, lagS = 0, stopAt = Infinity): Feed => ({
    id: store.declare('bench', name, unit), time: (j) => T0 + (j + phase) / rateHz, value, next: 0, lagS, stopAt,
  });
  // The trigger signal: 1 kHz, crossing 0 upwards at its sample 1001 (then every 2000).
  const x = signal('x', 'V', 1000, 0, (j) => ((j - 1) % 2000 < 1000 ? -1 : 1));
  const slow = signal('slow', 'A', 250, 0.3, (j) => j);
  const fast = signal('fast', undefined, 4000, 0.5, (j) => -j, opts.lagS ?? 0, opts.stopAt ?? Infinity);
  const spec = TriggerSpec.parse({ ...input, signalId: x.id, signalIds: [slow.id, x.id, fast.id, slow.id] });
  const captures: TriggerCapture[] = [];
  const trigger = new ScopeTrigger('t1', spec, store, (c) => captures.push(c), 0);
  let nowS = 0;
  /** Runs simulated time on by `seconds` in steps of `stepS`, each signal delivering what it has up to then, polling after each step. */
  const run = (seconds: number, stepS = 0.01) => {
    for (const end = nowS + seconds; nowS < end - 1e-12; ) {
      nowS += stepS;
      for (const f of [x, slow, fast]) {
        const upTo = T0 + nowS - f.lagS;
        const t: number[] = [];
        const v: number[] = [];
        while (f.time(f.next) <= upTo && f.time(f.next) <= f.stopAt) { t.push(f.time(f.next)); v.push(f.value(f.next)); f.next++; }
        if (t.length) store.appendBulk(f.id, Float64Array.from(t), Float64Array.from(v), t.length);
      }
      trigger.poll(nowS * 1000);
    }
  };
  /** Every sample of a signal (as fed) whose time is in [t0, t1]. */
  const inWindow = (f: Feed, t0: number, t1: number) => {
    const out: number[] = [];
    for (let j = 0; j < f.next; j++) if (f.time(j) >= t0 && f.time(j) <= t1) out.push(j);
    return out;
  };
  return { store, x, slow, fast, trigger, captures, run, inWindow };
}

describe('scope trigger: every signal of the plot', () => {
  it('holds each channel at its own rate: exactly its samples inside the trigger signal\'s window, nothing resampled', () => {
    const { x, slow, fast, captures, run, inWindow } = rig({ condition: 'rising', level: 0, preTrigger: 0.25, lengthSamples: 200, mode: 'single' });
    run(2);
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    expect(c.triggerTime).toBe(x.time(1001));
    expect(c.triggerIndex).toBe(50);
    expect(c.times).toHaveLength(200);
    // The trigger signal and the repeats are held once: two channels, in the spec's order.
    expect(c.channels.map((ch) => ch.signalId)).toEqual([slow.id, fast.id]);
    const [s, f] = c.channels;
    const t0 = c.times[0]!;
    const t1 = c.times[c.times.length - 1]!;
    const slowJ = inWindow(slow, t0, t1);
    const fastJ = inWindow(fast, t0, t1);
    // 199 ms of window at 250 Hz and 4 kHz.
    expect(slowJ.length).toBeGreaterThanOrEqual(49);
    expect(slowJ.length).toBeLessThanOrEqual(51);
    expect(fastJ.length).toBeGreaterThanOrEqual(795);
    expect(Array.from(s!.values)).toEqual(slowJ.map(slow.value));
    expect(Array.from(s!.times)).toEqual(slowJ.map(slow.time));
    expect(Array.from(f!.values)).toEqual(fastJ.map(fast.value));
    expect(Array.from(f!.times)).toEqual(fastJ.map(fast.time));
    expect(s!.lostSamples).toBe(0);
    expect(f!.lostSamples).toBe(0);
  });

  it('capture length in seconds: the channels fill the spec\'s time window, the fast one up to its end', () => {
    const { x, fast, captures, run, inWindow } = rig({ condition: 'rising', level: 0, preTrigger: 0.4, lengthSeconds: 0.1, mode: 'single' });
    run(2);
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    const t0 = x.time(1001) - 0.04;
    const t1 = x.time(1001) + 0.06;
    const f = c.channels[1]!;
    expect(Array.from(f.times)).toEqual(inWindow(fast, t0, t1).map(fast.time));
    expect(f.times.length).toBeGreaterThanOrEqual(399);
    expect(f.times[f.times.length - 1]! + 1 / 4000).toBeGreaterThan(t1);
  });

  it('waits for a channel whose link lags, then holds all of its window', () => {
    const { fast, captures, run, inWindow } = rig({ condition: 'rising', level: 0, preTrigger: 0.5, lengthSamples: 100, mode: 'single' }, { lagS: 0.3 });
    run(1.06);
    // The trigger signal's window ended at 1.051 s; the fast channel has only reached 0.76 s.
    expect(captures).toHaveLength(0);
    run(0.5);
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    const f = c.channels[1]!;
    const expected = inWindow(fast, c.times[0]!, c.times[c.times.length - 1]!);
    expect(expected.length).toBeGreaterThan(390);
    expect(Array.from(f.values)).toEqual(expected.map(fast.value));
  });

  it(`takes what a quiet channel has after ${CHANNEL_WAIT_MS} ms rather than waiting for ever`, () => {
    const stopAt = T0 + 1.02;
    const { fast, captures, run } = rig({ condition: 'rising', level: 0, preTrigger: 0.5, lengthSamples: 100, mode: 'single' }, { stopAt });
    run(1.06);
    expect(captures).toHaveLength(0);
    run(CHANNEL_WAIT_MS / 1000 - 0.05);
    expect(captures).toHaveLength(0);
    run(0.1);
    expect(captures).toHaveLength(1);
    const f = captures[0]!.channels[1]!;
    expect(f.times[f.times.length - 1]).toBeLessThanOrEqual(stopAt);
    expect(f.times[f.times.length - 1]).toBeGreaterThan(stopAt - 1 / 4000 - 1e-9);
    expect(f.times[0]).toBeGreaterThanOrEqual(captures[0]!.times[0]!);
    expect(fast.next).toBeGreaterThan(0);
  });

  it('counts exactly the window samples a channel\'s ring dropped while the capture filled', () => {
    // 1024 samples of ring: 256 ms of the 4 kHz channel; the window is 50 ms before and 350 ms after the trigger.
    const { fast, slow, captures, run, inWindow } = rig({ condition: 'rising', level: 0, preTrigger: 0.125, lengthSeconds: 0.4, mode: 'single' }, { capacity: 1024 });
    run(2);
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    const t0 = c.triggerTime - 0.05;
    const t1 = c.triggerTime + 0.35;
    const [s, f] = c.channels;
    const all = inWindow(fast, t0, t1);
    expect(f!.lostSamples).toBeGreaterThan(0);
    expect(f!.lostSamples + f!.times.length).toBe(all.length);
    // What is held is the end of the window, every sample of it.
    expect(Array.from(f!.values)).toEqual(all.slice(f!.lostSamples).map(fast.value));
    // The slow channel's ring holds 4 s: nothing lost.
    expect(s!.lostSamples).toBe(0);
    expect(Array.from(s!.values)).toEqual(inWindow(slow, t0, t1).map(slow.value));
  });

  it('estimates from the channel\'s rate what its ring had dropped before the trigger fired', () => {
    // 512 samples of ring: 128 ms of the fast channel, the pre-trigger part is 300 ms.
    const { fast, captures, run, inWindow } = rig({ condition: 'rising', level: 0, preTrigger: 0.75, lengthSeconds: 0.4, mode: 'single' }, { capacity: 512 });
    run(2);
    expect(captures).toHaveLength(1);
    const c = captures[0]!;
    const all = inWindow(fast, c.triggerTime - 0.3, c.triggerTime + 0.1);
    const f = c.channels[1]!;
    expect(f.times.length).toBeGreaterThan(0);
    expect(Math.abs(f.lostSamples + f.times.length - all.length)).toBeLessThanOrEqual(1);
    expect(f.lostSamples).toBeGreaterThan(all.length / 2);
  });

  it('an auto capture with nothing to trigger on holds the channels over its window too', () => {
    const store = new TelemetryStore();
    const x = store.declare('bench', 'flat');
    const y = store.declare('bench', 'other');
    const captures: TriggerCapture[] = [];
    const trigger = new ScopeTrigger('t', TriggerSpec.parse({ signalId: x, signalIds: [y], condition: 'rising', level: 10, lengthSamples: 50, mode: 'auto' }), store, (c) => captures.push(c), 0);
    for (let k = 0; k < 300; k++) {
      store.append(x, T0 + k * 0.01, 0);
      if (k % 3 === 0) store.append(y, T0 + k * 0.01 + 0.001, k);
      trigger.poll(k * 10);
    }
    expect(captures.length).toBeGreaterThanOrEqual(1);
    const c = captures[0]!;
    expect(c.forced).toBe(true);
    const ch = c.channels[0]!;
    expect(ch.times.length).toBeGreaterThanOrEqual(15);
    expect(ch.times[0]).toBeGreaterThanOrEqual(c.times[0]!);
    expect(ch.times[ch.times.length - 1]).toBeLessThanOrEqual(c.times[c.times.length - 1]!);
  });

  it('a channel with no samples in the window is held empty, and a removed one does not stop the trigger', () => {
    const store = new TelemetryStore();
    const x = store.declare('bench', 'x');
    const idle = store.declare('bench', 'idle');
    const gone = store.declare('bench', 'gone');
    store.append(gone, T0, 1);
    store.remove(gone);
    const captures: TriggerCapture[] = [];
    const trigger = new ScopeTrigger('t', TriggerSpec.parse({ signalId: x, signalIds: [idle, gone], condition: 'rising', level: 0, lengthSamples: 10, mode: 'single' }), store, (c) => captures.push(c), 0);
    for (let k = 0; k < 40; k++) {
      store.append(x, T0 + k * 0.001, k - 20);
      trigger.poll(k);
    }
    // The idle channel never passes the window's end: the capture comes once the wait is over.
    expect(captures).toHaveLength(0);
    trigger.poll(40 + CHANNEL_WAIT_MS);
    expect(captures).toHaveLength(1);
    expect(captures[0]!.channels.map((ch) => [ch.signalId, ch.times.length, ch.lostSamples])).toEqual([[idle, 0, 0], [gone, 0, 0]]);
  });

  it('the spec takes up to 32 signals in all and refuses more, naming the count', () => {
    const base = { signalId: 0, condition: 'rising', level: 0, lengthSamples: 10 } as const;
    expect(TriggerSpec.safeParse({ ...base, signalIds: Array.from({ length: TRIGGER_MAX_SIGNALS - 1 }, (_, i) => i + 1) }).success).toBe(true);
    // Repeats and the trigger signal itself do not count twice.
    expect(TriggerSpec.safeParse({ ...base, signalIds: [0, ...Array.from({ length: TRIGGER_MAX_SIGNALS - 1 }, (_, i) => i + 1)] }).success).toBe(true);
    const tooMany = TriggerSpec.safeParse({ ...base, signalIds: Array.from({ length: TRIGGER_MAX_SIGNALS }, (_, i) => i + 1) });
    expect(tooMany.success).toBe(false);
    expect(tooMany.error!.issues[0]).toMatchObject({ path: ['signalIds'], message: 'A capture holds at most 32 signals: got 33 (the trigger signal and 32 others)' });
    for (const bad of [[-1], [1.5], ['3'], 'all', Array.from({ length: 40 }, (_, i) => i)]) {
      expect(TriggerSpec.safeParse({ ...base, signalIds: bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
