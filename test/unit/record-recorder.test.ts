// The recorder on a real store and a real file: a signal fed while recording and
// stopped mid-feed ends up whole in the file; a signal that appears mid-way is
// recorded from its first sample; console lines get their own channel; samples that
// fell out of the ring before the recorder reached them are counted.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleLine, Mark } from '../../shared/api/contract';
import { Recorder, type RecordedSession } from '../../main/record/recorder';
import { readRecording } from '../../main/files/recording-files';
import { Replays } from '../../main/record/replay';
import { TelemetryStore } from '../../main/telemetry/store';

const T0 = 1_700_000_000;

function session(lines: ConsoleLine[]): RecordedSession {
  return {
    id: 's1', name: 'meter', protocolName: 'lines', consoleWatchers: 0,
    consoleSince: (cursor) => ({ lines: lines.slice(cursor), next: lines.length, lost: 0 }),
  };
}

describe('recorder', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-recorder-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('writes every sample fed while recording, up to the stop, with its time, value and number', async () => {
    const store = new TelemetryStore();
    const a = store.declare('s1', 'a', 'V');
    for (let k = 0; k < 10; k++) store.append(a, T0 + k, -1); // before the start: not recorded
    const lines: ConsoleLine[] = [];
    const s = session(lines);
    const file = path.join(dir, 'r.mcap');
    const rec = new Recorder({ store, sessions: () => [s], file, periodMs: 1, chunkBytes: 4096 });
    await rec.start();
    expect(s.consoleWatchers, 'the recording watches the console').toBe(1);
    let k = 10;
    let b = -1;
    const timer = setInterval(() => {
      for (let i = 0; i < 500; i++, k++) store.append(a, T0 + k * 1e-3 + 0.123456789, Math.sin(k) * 1e3);
      if (k > 3000 && b < 0) b = store.declare('s1', 'b');
      if (b >= 0) store.append(b, T0 + k * 1e-3, k);
      lines.push({ sessionId: 's1', dir: 'rx', t: T0 + k * 1e-3, text: `line ${k}` });
    }, 2);
    await new Promise((r) => setTimeout(r, 150));
    clearInterval(timer);
    const status = await rec.stop();
    expect(s.consoleWatchers).toBe(0);
    expect(status.state).toBe('stopped');
    expect(status.lostSamples).toBe(0);

    const got = await readRecording(file);
    expect(got.complete).toBe(true);
    const sa = got.signals.find((x) => x.signal === 'a')!;
    expect(sa.unit).toBe('V');
    expect(sa.count).toBe(k - 10);
    for (let i = 0; i < sa.count; i++) {
      const n = 10 + i;
      if (sa.sequences[i] !== n) throw new Error(`sample ${i}: sequence ${sa.sequences[i]}, expected ${n}`);
      if (sa.values[i] !== Math.sin(n) * 1e3) throw new Error(`sample ${n}: value ${sa.values[i]}`);
      if (Math.abs(sa.times[i]! - (T0 + n * 1e-3 + 0.123456789)) > 1e-6) throw new Error(`sample ${n}: time ${sa.times[i]}`);
    }
    const sb = got.signals.find((x) => x.signal === 'b')!;
    expect(sb.sequences[0], 'a signal born mid-way is recorded from its first sample').toBe(0);
    expect(sb.count).toBe(store.total(b));
    expect(got.console.map((l) => l.text)).toEqual(lines.map((l) => l.text));
    expect(status.samples).toBe(sa.count + sb.count);
  });

  it('counts samples that fell out of the ring before the recorder wrote them', async () => {
    const store = new TelemetryStore({ capacity: 1024 });
    const a = store.declare('s1', 'a');
    const rec = new Recorder({ store, sessions: () => [session([])], file: path.join(dir, 'lossy.mcap'), periodMs: 50 });
    await rec.start();
    const t = new Float64Array(5000);
    const v = new Float64Array(5000);
    for (let i = 0; i < 5000; i++) { t[i] = T0 + i; v[i] = i; }
    store.appendBulk(a, t, v, 5000);
    const status = await rec.stop();
    expect(status.lostSamples).toBe(5000 - 1024);
    expect(status.samples).toBe(1024);
    const got = await readRecording(path.join(dir, 'lossy.mcap'));
    expect(got.signals[0]!.sequences[0]).toBe(5000 - 1024);
    expect(got.signals[0]!.values[0]).toBe(5000 - 1024);
  });

  it('records marks in their own channel; a replay gives them back on its own signals', async () => {
    const store = new TelemetryStore();
    const a = store.declare('s1', 'position', 'mm');
    const marks: Mark[] = [];
    const s: RecordedSession = {
      ...session([]),
      marksSince: (cursor) => ({ marks: marks.slice(cursor), next: marks.length }),
    };
    marks.push({ sessionId: 's1', t: T0 - 1, label: 'before the recording', severity: 'info', signal: null });
    const file = path.join(dir, 'marks.mcap');
    const rec = new Recorder({ store, sessions: () => [s], file, periodMs: 1 });
    await rec.start();
    for (let k = 0; k < 100; k++) store.append(a, T0 + k * 0.01, k);
    marks.push({ sessionId: 's1', t: T0 + 0.2, label: 'move started', severity: 'info', signal: 'position' });
    marks.push({ sessionId: 's1', t: T0 + 0.9, label: 'limit reached', severity: 'error', signal: null });
    await new Promise((r) => setTimeout(r, 30));
    await rec.stop();
    const got = await readRecording(file);
    expect(got.marks).toEqual([
      { session: 'meter', t: T0 + 0.2, label: 'move started', severity: 'info', signal: 'position' },
      { session: 'meter', t: T0 + 0.9, label: 'limit reached', severity: 'error', signal: null },
    ]);
    // Marks are not console lines.
    expect(got.console).toEqual([]);

    const replays = new Replays({ store, resolve: async () => file, onChange: () => undefined });
    const r = await replays.openReplay({ name: 'marks' });
    expect(replays.marks(r.replayId)).toEqual([
      { sessionId: r.replayId, t: T0 + 0.2, label: 'move started', severity: 'info', signal: 'meter/position' },
      { sessionId: r.replayId, t: T0 + 0.9, label: 'limit reached', severity: 'error', signal: null },
    ]);
    await replays.closeAll();
  });
});
