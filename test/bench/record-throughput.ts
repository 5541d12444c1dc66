// Recording budget figures (issue 8): how fast the recorder writes samples to MCAP,
// the file size per sample, and whether it keeps up with a live feed into the store
// (no sample lost to ring overrun) while the engine keeps appending.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './run';
import { Recorder, type RecordedSession } from '../../main/record/recorder';
import { TelemetryStore } from '../../main/telemetry/store';

const SIGNALS = 8;
const T0 = 1_700_000_000;

function bench(store: TelemetryStore): { ids: number[]; session: RecordedSession } {
  const ids = Array.from({ length: SIGNALS }, (_, c) => store.declare('bench', `ch${c}`));
  const session: RecordedSession = { id: 'bench', name: 'bench', protocolName: 'lines', consoleWatchers: 0, consoleSince: (c) => ({ lines: [], next: c, lost: 0 }) };
  return { ids, session };
}

/** Appends `n` samples to each signal: a 10 kHz-like clock and a sine. */
function feed(store: TelemetryStore, ids: number[], from: number, n: number, t: Float64Array, v: Float64Array): void {
  for (let i = 0; i < n; i++) {
    t[i] = T0 + (from + i) * 1e-4;
    v[i] = Math.sin((from + i) * 0.01) * 3.3;
  }
  for (const id of ids) store.appendBulk(id, t, v, n);
}

async function drainRate(dir: string): Promise<{ rate: number; bytesPerSample: number }> {
  const PER_SIGNAL = 1 << 18;
  const store = new TelemetryStore({ capacity: PER_SIGNAL });
  const { ids, session } = bench(store);
  const file = path.join(dir, 'drain.mcap');
  const rec = new Recorder({ store, sessions: () => [session], file, periodMs: 1 });
  await rec.start();
  // Appended after start: every sample is new to the recorder.
  feed(store, ids, 0, PER_SIGNAL, new Float64Array(PER_SIGNAL), new Float64Array(PER_SIGNAL));
  const t0 = performance.now();
  while (rec.status().samples < PER_SIGNAL * SIGNALS) await new Promise((r) => setTimeout(r, 1));
  const s = await rec.stop();
  const seconds = (performance.now() - t0) / 1000;
  const size = (await stat(file)).size;
  return { rate: s.samples / seconds, bytesPerSample: size / s.samples };
}

async function liveFeed(dir: string, rate: number, seconds: number): Promise<{ lost: number; written: number; fed: number }> {
  const store = new TelemetryStore();
  const { ids, session } = bench(store);
  const rec = new Recorder({ store, sessions: () => [session], file: path.join(dir, `live-${rate}.mcap`) });
  await rec.start();
  const perTick = Math.round((rate / SIGNALS) / 100);
  const t = new Float64Array(perTick);
  const v = new Float64Array(perTick);
  let k = 0;
  const timer = setInterval(() => { feed(store, ids, k, perTick, t, v); k += perTick; }, 10);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  clearInterval(timer);
  const s = await rec.stop();
  return { lost: s.lostSamples, written: s.samples, fed: k * SIGNALS };
}

export async function benchRecord(): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-bench-record-'));
  try {
    const drain = await drainRate(dir);
    const live = await liveFeed(dir, 1_000_000, 3);
    const live2 = await liveFeed(dir, 2_000_000, 3);
    return [
      // At least the decode + store budget: the recorder keeps up with anything the engine takes in.
      { name: 'record: samples written to MCAP (8 signals, one core)', value: drain.rate, unit: 'samples/s', budget: 2_000_000 },
      { name: 'record: file size per sample', value: drain.bytesPerSample, unit: 'bytes/sample' },
      // The feed is timer-driven on the same thread: what it reached is reported, not assumed.
      { name: 'record: live feed rate reached while recording (asked 1 M samples/s, 3 s)', value: live.fed / 3, unit: 'samples/s' },
      { name: 'record: samples lost to ring overrun during that feed', value: live.lost, unit: 'samples', budget: 0, lowerIsBetter: true },
      { name: 'record: samples fed but missing from the file', value: live.fed - live.written - live.lost, unit: 'samples', budget: 0, lowerIsBetter: true },
      { name: 'record: live feed rate reached while recording (asked 2 M samples/s, 3 s)', value: live2.fed / 3, unit: 'samples/s' },
      { name: 'record: samples lost or missing at 2 M samples/s', value: live2.fed - live2.written, unit: 'samples', budget: 0, lowerIsBetter: true },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchRecord()) console.log(`${r.name}: ${Math.round(r.value * 100) / 100} ${r.unit}${r.budget !== undefined ? ` (budget ${r.budget})` : ''}`);
}
