// The acquisitions desk with captures of several signals: arming refuses unknown
// channels by id, a capture names its channels (session, unit, what was lost), CSV
// carries every channel at its own times, and the MCAP file on disk reads back whole
// (a channel with no samples included), as do Scrutiny's shared-times acquisitions.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AcquisitionSummary } from '../../shared/api/capture';
import { TriggerSpec } from '../../shared/api/capture';
import { Acquisitions } from '../../main/datalog/acquisitions';
import { ApiError } from '../../shared/api/errors';
import { readRecording } from '../../main/files/recording-files';
import { storeAcquisition } from '../../main/protocols/scrutiny/acquisition-store';
import { TelemetryStore } from '../../main/telemetry/store';
import { captureLayout, MAX_Y_AXES } from '../../renderer/src/capture/capture-series';

const T0 = 1_700_000_000;

describe('acquisitions of several signals', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-acq-channels-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  function desk(capacity?: number) {
    const store = new TelemetryStore({ capacity });
    const captures: AcquisitionSummary[] = [];
    const names: Record<string, string> = { a: 'Bench A', b: 'Bench B' };
    const acq = new Acquisitions({ store, sessionName: (id) => names[id] ?? id, userDataDir: dir, onCapture: (s) => captures.push(s), onTriggersChanged: () => undefined });
    return { store, acq, captures };
  }

  it('refuses a channel that is not a signal, naming its id and place', () => {
    const { store, acq } = desk();
    const x = store.declare('a', 'x');
    const y = store.declare('a', 'y');
    const spec = (signalIds: number[]) => TriggerSpec.parse({ signalId: x, signalIds, condition: 'rising', level: 0, lengthSamples: 10 });
    expect(() => acq.arm(spec([y, 4711]))).toThrow(new ApiError('InvalidRequest', 'No signal 4711 to capture (signalIds[1]; listSignals gives the ids)'));
    store.remove(y);
    expect(() => acq.arm(spec([y]))).toThrow(`No signal ${y} to capture`);
    expect(acq.statuses()).toEqual([]);
    expect(acq.arm(spec([x])).triggerId).toMatch(/^[0-9a-f]{8}$/);
  });

  it('a capture names its channels, and CSV, the saved MCAP file and a fresh engine carry every one at its own times', async () => {
    const { store, acq, captures } = desk(512);
    const x = store.declare('a', 'x', 'V');
    const slow = store.declare('b', 'slow', 'A');
    const fast = store.declare('a', 'fast');
    const idle = store.declare('b', 'idle', 'A');
    acq.arm(TriggerSpec.parse({ signalId: x, signalIds: [slow, fast, idle], condition: 'rising', level: 0, preTrigger: 0.5, lengthSamples: 100 }));
    // x at 1 kHz crossing 0 at sample 300; slow at 100 Hz; fast at 8 kHz (its 512-sample ring holds 64 ms of a 100 ms window).
    for (let ms = 0; ms < 600; ms++) {
      store.append(x, T0 + ms / 1000, ms < 300 ? -1 : 1);
      if (ms % 10 === 3) store.append(slow, T0 + ms / 1000, ms);
      // A slow one with a sample before the window and one after it: none inside.
      if (ms === 100 || ms === 500) store.append(idle, T0 + ms / 1000, ms);
      for (let k = 0; k < 8; k++) store.append(fast, T0 + ms / 1000 + (k + 0.5) / 8000, ms * 8 + k);
      if (ms % 5 === 0) acq.poll();
    }
    expect(captures).toHaveLength(1);
    const a = await acq.get(captures[0]!.id);
    expect(a.ownTimes).toBe(true);
    expect(a.channels!.map((c) => [c.session, c.name, c.unit, c.signalId])).toEqual([['Bench B', 'slow', 'A', slow], ['Bench A', 'fast', null, fast], ['Bench B', 'idle', 'A', idle]]);
    expect(a.channelTimes!.map((t) => t.length)).toEqual([10, expect.any(Number), 0]);
    expect(a.channelValues![0]).toEqual([253, 263, 273, 283, 293, 303, 313, 323, 333, 343]);
    const fastLost = a.channels![1]!.lostSamples!;
    expect(fastLost).toBeGreaterThan(0);
    // The window is x's samples 250..349 (99 ms): 8 fast samples a millisecond. The idle channel held the capture
    // back until 500 ms, and the fast one was taken when it passed the window, not then (it would have lost it all).
    expect(fastLost + a.channelTimes![1]!.length).toBe(99 * 8);
    expect(a.channelTimes![1]!.length).toBeGreaterThan(400);
    expect(a.channels![0]!.lostSamples).toBeUndefined();

    const csv = await acq.exportCsv(a.id);
    const rows = csv.csv.trimEnd().split('\n');
    expect(rows[0]).toBe('time,Bench A/x,Bench B/slow,Bench A/fast,Bench B/idle');
    expect(csv.columns).toHaveLength(4);
    const filled = [1, 2, 3, 4].map((c) => rows.slice(1).filter((r) => r.split(',')[c] !== '').length);
    expect(filled).toEqual([100, 10, a.channelTimes![1]!.length, 0]);
    // x and slow share times every 10 ms: one row for both; fast never shares (half a tick off).
    expect(csv.rows).toBe(rows.length - 1);
    expect(csv.rows).toBe(100 + a.channelTimes![1]!.length);

    await acq.save(a.id, 'three rates');
    const file = await readRecording(path.join(dir, 'acquisitions', `${a.id}.mcap`));
    expect(file.signals.map((s) => s.topic)).toEqual(['Bench A/x', 'Bench B/slow', 'Bench A/fast']);
    expect(file.sessions.map((s) => s.name).sort()).toEqual(['Bench A', 'Bench B']);
    const fresh = new Acquisitions({ store: new TelemetryStore(), sessionName: () => '', userDataDir: dir, onCapture: () => undefined, onTriggersChanged: () => undefined });
    const back = await fresh.get(a.id);
    expect(back.name).toBe('three rates');
    expect(back.channels).toEqual(a.channels);
    expect(back.channelValues).toEqual(a.channelValues);
    expect(back.channelTimes!.map((t) => t.length)).toEqual(a.channelTimes!.map((t) => t.length));
    back.channelTimes!.forEach((times, k) => times.forEach((t, i) => expect(Math.abs(t - a.channelTimes![k]![i]!)).toBeLessThan(1e-6)));
  });

  it('Scrutiny\'s acquisitions (channels on the first signal\'s times) still save, read and export', async () => {
    const stored = await storeAcquisition(dir, {
      sessionId: 's', session: 'Board', acquisitionId: 7, condition: 'eq', loopName: 'fixed 1 kHz', triggerIndex: 2,
      time: [0, 0.001, 0.002, 0.003], timeUnit: 's',
      signals: [{ name: '/a', values: [1, 2, 3, 4] }, { name: '/b', values: [10, 20, 30, 40] }, { name: '/c', values: [0, 0, 1, 1] }],
    }, T0);
    const { acq } = desk();
    const a = await acq.get(stored!.id);
    expect(a.ownTimes).toBeUndefined();
    expect(a.channelTimes).toBeUndefined();
    expect(a.channelValues).toEqual([[10, 20, 30, 40], [0, 0, 1, 1]]);
    const csv = await acq.exportCsv(a.id);
    expect(csv.csv.trimEnd().split('\n').map((r) => r.split(',').slice(1).join(','))).toEqual(['Board//a,Board//b,Board//c', '1,10,0', '2,20,0', '3,30,1', '4,40,1']);
    expect(csv.rows).toBe(4);
    // The view lays them out as one axis (no units) and four times.
    const layout = captureLayout(a);
    expect(layout.series.map((s) => s.label)).toEqual(['/a', '/b', '/c']);
    expect(layout.data[0]).toHaveLength(4);
    expect(layout.triggerPoint).toEqual({ x: 0, y: 3 });
  });
});

describe('capture layout', () => {
  const base = {
    id: 'x', name: 'n', triggerId: 't', triggerTime: T0 + 1, triggerIndex: 1, forced: false, condition: 'rising' as const, level: 0, level2: null,
    saved: false, createdAt: 0, signal: { signalId: 1, sessionId: 'a', session: 'A', name: 'v', unit: 'V' },
  };

  it('one y axis per unit, the same unit shared, more than three units sharing the last axis', () => {
    const units = ['V', 'A', 'V', 'mm', null, 'deg'];
    const a = {
      ...base, samples: 3, times: [T0, T0 + 1, T0 + 2], values: [0, 1, 2], ownTimes: true,
      channels: units.slice(1).map((unit, k) => ({ name: `c${k}`, unit, signalId: 10 + k, session: k % 2 ? 'B' : 'A' })),
      channelTimes: units.slice(1).map((_u, k) => [T0 + 0.5 + k * 0.01]),
      channelValues: units.slice(1).map((_u, k) => [k]),
    };
    const layout = captureLayout(a);
    expect(layout.axes.length).toBe(MAX_Y_AXES);
    expect(layout.axes.map((ax) => ax.label)).toEqual(['V', 'A', 'mm · (no unit) · deg']);
    expect(layout.series.map((s) => s.axis)).toEqual([0, 1, 0, 2, 2, 2]);
    expect(layout.series.map((s) => s.label)).toEqual(['A: v [V]', 'A: c0 [A]', 'B: c1 [V]', 'A: c2 [mm]', 'B: c3', 'A: c4 [deg]']);
    // x: every time of every signal, from the trigger, in order; each series null where it has no sample.
    expect(Array.from(layout.data[0])).toEqual([-1, -0.5, -0.49, -0.48, -0.47, -0.46, 0, 1].map((t) => expect.closeTo(t, 6)));
    expect(layout.data[1]).toEqual([0, null, null, null, null, null, 1, 2]);
    expect(layout.data[3]).toEqual([null, null, 1, null, null, null, null, null]);
    expect(layout.triggerPoint).toEqual({ x: 0, y: 1 });
  });

  it('a forced capture has no trigger point; ragged or empty columns do not break the layout', () => {
    const layout = captureLayout({
      ...base, forced: true, triggerIndex: -1, samples: 0, times: [], values: [], ownTimes: true,
      channels: [{ name: 'c', unit: 'V' }], channelTimes: [[T0, T0 + 1]], channelValues: [[5]],
    });
    expect(layout.triggerPoint).toBeNull();
    expect(layout.axes.map((ax) => ax.label)).toEqual(['V']);
    expect(layout.series.map((s) => s.samples)).toEqual([0, 1]);
    expect(layout.data).toEqual([new Float64Array([-1]), [null], [5]]);
    expect(captureLayout({ ...base, triggerIndex: 5, samples: 1, times: [T0], values: [] }).triggerPoint).toBeNull();
  });
});
