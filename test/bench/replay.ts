// Replay of a long recording stays responsive: ONE HOUR at 10 kHz on 8 signals
// (288 M samples, about 17 GB of MCAP written by the recorder's own writer).
// Measured: the time to open it, the latency of a seek that loads 10 s of history
// (800 k samples; each seek's sample count is checked), the samples appended per
// second while playing at 1x and 10x, how late the event loop answers while playing
// (a stand-in for the hub answering requests during a replay), and the RSS after.
// The file is made once and cached in the OS temp folder (it takes minutes).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { McapTypes } from '@mcap/core';
import type { BenchResult } from './run';
import {
  CONSOLE_SCHEMA, CONSOLE_SCHEMA_NAME, NanosClock, nsToSeconds, recordingMetadata, SAMPLE_BYTES, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA_TEXT,
} from '../../main/files/mcap-format';
import { MESSAGE_OVERHEAD, SampleMcapWriter } from '../../main/files/mcap-sample-writer';
import { DEFAULT_CHUNK_BYTES } from '../../main/record/recorder';
import { Replays } from '../../main/record/replay';
import { TelemetryStore } from '../../main/telemetry/store';
import { startHost } from '../../app/host/server';
import { launchChromium } from '../e2e/browser';

const RATE = 10_000;
const SIGNALS = 8;
const T0 = 1_700_000_000;
/** Samples per signal in one recorder pass (100 ms at 10 kHz): the file's message order. */
const PASS = 1000;
/** A sample's bytes in the file: its message record and its message index entry. */
const BYTES_PER_SAMPLE = MESSAGE_OVERHEAD + SAMPLE_BYTES + 16;
const HISTORY_S = 10;
const SEEKS = 20;
const PLAY_MS = 3000;
const PROBE_MS = 10;

interface Size { seconds: number; label: string; file: string }

const SIZES: Size[] = [
  { seconds: 3600, label: '1 h', file: 'benchscope-replay-1h-10k-8-v2.mcap' },
  { seconds: 600, label: '10 min', file: 'benchscope-replay-10min-10k-8-v2.mcap' },
];

// ---------------------------------------------------------------- the recording, as the recorder lays it out

const SAMPLE_SCHEMA = { name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) };
const CONSOLE_SCHEMA_INFO = { name: CONSOLE_SCHEMA_NAME, encoding: 'jsonschema', data: new TextEncoder().encode(JSON.stringify(CONSOLE_SCHEMA)) };

function signalChannel(c: number, schemaId: number): Omit<McapTypes.Channel, 'id'> {
  return {
    topic: `bench/ch${c}`, messageEncoding: 'cdr', schemaId,
    metadata: new Map([['sessionId', 'bench'], ['session', 'bench'], ['signal', `ch${c}`], ['signalId', String(c)], ['unit', 'V']]),
  };
}

function sampleTime(k: number): number {
  return T0 + k * 1e-4;
}

/**
 * Writes the recording to `file` with the recorder's own writer, in the recorder's
 * order (header, schemas, channels, metadata, then per pass each signal's block),
 * through a temporary name renamed only once the file is complete.
 */
async function writeRecording(file: string, seconds: number): Promise<void> {
  const partial = `${file}.partial`;
  const handle = await fs.open(partial, 'w');
  try {
    const writer = new SampleMcapWriter(handle, { chunkBytes: DEFAULT_CHUNK_BYTES });
    await writer.start({ profile: '', library: 'benchscope' });
    const sampleSchemaId = await writer.registerSchema(SAMPLE_SCHEMA);
    const consoleSchemaId = await writer.registerSchema(CONSOLE_SCHEMA_INFO);
    await writer.registerChannel({
      topic: 'bench/console', messageEncoding: 'json', schemaId: consoleSchemaId,
      metadata: new Map([['sessionId', 'bench'], ['session', 'bench'], ['protocol', 'lines']]),
    });
    const ids: number[] = [];
    for (let c = 0; c < SIGNALS; c++) ids.push(await writer.registerChannel(signalChannel(c, sampleSchemaId)));
    await writer.addMetadata(recordingMetadata([{ sessionId: 'bench', name: 'bench', protocol: 'lines' }], T0 * 1000));
    const times = new Float64Array(PASS);
    const values = new Float64Array(PASS);
    const passes = (seconds * RATE) / PASS;
    const started = performance.now();
    let nextReport = 0.1;
    for (let p = 0; p < passes; p++) {
      for (let k = 0; k < PASS; k++) times[k] = sampleTime(p * PASS + k);
      for (let c = 0; c < SIGNALS; c++) {
        const phase = c * 0.7;
        for (let k = 0; k < PASS; k++) values[k] = Math.sin((p * PASS + k) * 0.002 + phase) * (1 + c * 0.25);
        await writer.addSamples(ids[c]!, times, values, PASS, p * PASS);
      }
      if ((p + 1) / passes >= nextReport) {
        const s = (performance.now() - started) / 1000;
        console.error(`replay bench: writing ${path.basename(file)}: ${Math.round(((p + 1) / passes) * 100)} %, ${s.toFixed(0)} s, ${(writer.bytes / 1e9).toFixed(2)} GB, ${((((p + 1) * PASS * SIGNALS) / s) / 1e6).toFixed(2)} M samples/s`);
        nextReport += 0.1;
      }
    }
    await writer.end();
  } finally {
    await handle.close();
  }
  await fs.rename(partial, file);
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return -1;
  }
}

/** The cached recording (made when missing): the hour when it fits on the disk, else ten minutes. */
async function recording(): Promise<{ size: Size; file: string; bytes: number; madeS: number | null }> {
  const dir = os.tmpdir();
  for (const size of SIZES) {
    const file = path.join(dir, size.file);
    // Only a complete file is ever renamed to this name.
    const cached = await sizeOf(file);
    if (cached > 0) return { size, file, bytes: cached, madeS: null };
    // A run cut short leaves its partial file: it must not count against the free space.
    await fs.rm(`${file}.partial`, { force: true });
    const st = await fs.statfs(dir);
    const free = st.bavail * st.bsize;
    const need = size.seconds * RATE * SIGNALS * BYTES_PER_SAMPLE * 1.2;
    if (free < need) {
      console.error(`replay bench: SKIPPING the ${size.label} recording: ${(free / 1e9).toFixed(1)} GB free in ${dir}, it needs ${(need / 1e9).toFixed(1)} GB`);
      continue;
    }
    console.error(`replay bench: writing the ${size.label} x 10 kHz x ${SIGNALS} recording to ${file} (about ${((size.seconds * RATE * SIGNALS * BYTES_PER_SAMPLE) / 1e9).toFixed(0)} GB, once; cached after)`);
    const t = performance.now();
    await writeRecording(file, size.seconds);
    const madeS = (performance.now() - t) / 1000;
    console.error(`replay bench: wrote ${file} in ${madeS.toFixed(0)} s`);
    return { size, file, bytes: await sizeOf(file), madeS };
  }
  throw new Error(`replay bench: not enough free disk space in ${dir} for even the 10-minute recording`);
}

// ---------------------------------------------------------------- what the replay must load

/** A sample's time as the replay reads it back (ns in the file, then seconds). */
function readBack(clock: NanosClock, k: number): number {
  return nsToSeconds(clock.toNs(sampleTime(k)));
}

/** How many of the samples 0..count-1 have a read-back time <= t. */
function samplesUpTo(clock: NanosClock, count: number, t: number): number {
  let k = Math.min(count - 1, Math.max(-1, Math.floor((t - T0) * RATE)));
  while (k + 1 < count && readBack(clock, k + 1) <= t) k++;
  while (k >= 0 && readBack(clock, k) > t) k--;
  return k + 1;
}

// ---------------------------------------------------------------- event-loop probe

/**
 * Every PROBE_MS a "request" is due; it is answered in a setImmediate. The delay is
 * answer time minus due time: how long a request arriving then would wait.
 */
function probe(): { stop(): number[] } {
  const delays: number[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const arm = (): void => {
    const due = performance.now() + PROBE_MS;
    timer = setTimeout(() => {
      setImmediate(() => {
        delays.push(performance.now() - due);
        if (timer !== null) arm();
      });
    }, PROBE_MS);
  };
  arm();
  return {
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      return delays;
    },
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A small seeded generator: the same seek positions every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- the benchmark

export async function benchReplay(): Promise<BenchResult[]> {
  const { size, file, bytes } = await recording();
  const perSignal = size.seconds * RATE;
  const clock = new NanosClock();
  const store = new TelemetryStore();
  const replays = new Replays({ store, resolve: () => Promise.resolve(file), onChange: () => {} });
  const name = `replay ${size.label} x 10 kHz x ${SIGNALS}`;

  let t = performance.now();
  const opened = await replays.openReplay({ name: path.basename(file, '.mcap') });
  const openMs = performance.now() - t;
  const id = opened.replayId;
  const start = opened.start;
  const end = opened.end;
  if (opened.signals.length !== SIGNALS) throw new Error(`${name}: the replay has ${opened.signals.length} signals, expected ${SIGNALS}`);
  if (start !== readBack(clock, 0) || end !== readBack(clock, perSignal - 1)) throw new Error(`${name}: the replay spans ${start}..${end}, expected ${readBack(clock, 0)}..${readBack(clock, perSignal - 1)}`);

  const random = rng(42);
  const seekMs: number[] = [];
  for (let i = 0; i < SEEKS; i++) {
    // Half of the seeks land exactly on a sample (the boundary case), half between samples.
    const k = HISTORY_S * RATE + Math.floor(random() * (perSignal - HISTORY_S * RATE));
    const to = i % 2 === 0 ? readBack(clock, k) : readBack(clock, k) + random() * 0.9e-4;
    t = performance.now();
    await replays.control({ replayId: id, seek: to, historyS: HISTORY_S });
    seekMs.push(performance.now() - t);
    const pos = Math.min(Math.max(to, start), end);
    const expected = samplesUpTo(clock, perSignal, pos) - samplesUpTo(clock, perSignal, Math.max(start, pos - HISTORY_S) - 1e-6);
    if (expected !== HISTORY_S * RATE && expected !== HISTORY_S * RATE + 1) throw new Error(`${name}: expected count ${expected} for a ${HISTORY_S} s seek (bench bug)`);
    for (const s of store.list(id)) {
      if (s.total !== expected) throw new Error(`${name}: seek ${i} to ${pos} put ${s.total} samples of ${s.name} in the store, expected ${expected}`);
    }
  }

  // Play from a quarter in: there is recording enough ahead for 3 s at 1x then 3 s at 10x.
  await replays.control({ replayId: id, seek: start + (end - start) / 4, historyS: HISTORY_S });
  const stored = (): number => store.list(id).reduce((n, s) => n + s.total, 0);
  const play = async (speed: number): Promise<{ rate: number; delays: number[] }> => {
    const before = stored();
    const p = probe();
    const t0 = performance.now();
    await replays.control({ replayId: id, speed, play: true });
    await sleep(PLAY_MS);
    const after = stored();
    const seconds = (performance.now() - t0) / 1000;
    const delays = p.stop();
    return { rate: (after - before) / seconds, delays };
  };
  const x1 = await play(1);
  const x10 = await play(10);
  await replays.control({ replayId: id, play: false });
  const rssMb = process.memoryUsage().rss / (1 << 20);
  await replays.close(id);
  const ui = await replayInChromium(file, size.label);

  return [
    { name: `${name}: file size`, value: bytes / 1e9, unit: 'GB' },
    { name: `${name}: open`, value: openMs, unit: 'ms', lowerIsBetter: true },
    { name: `${name}: seek (${HISTORY_S} s history, ${SEEKS} random) p50`, value: quantile(seekMs, 0.5), unit: 'ms', lowerIsBetter: true },
    { name: `${name}: seek (${HISTORY_S} s history) max`, value: Math.max(...seekMs), unit: 'ms', budget: 500, lowerIsBetter: true },
    { name: `${name}: play 1x`, value: x1.rate, unit: 'samples/s' },
    { name: `${name}: event loop delay p99 while playing 1x`, value: quantile(x1.delays, 0.99), unit: 'ms', lowerIsBetter: true },
    { name: `${name}: play 10x`, value: x10.rate, unit: 'samples/s' },
    { name: `${name}: event loop delay p99 while playing 10x`, value: quantile(x10.delays, 0.99), unit: 'ms', budget: 50, lowerIsBetter: true },
    { name: `${name}: event loop delay max while playing 10x`, value: Math.max(...x10.delays), unit: 'ms', lowerIsBetter: true },
    { name: `${name}: rss after open, ${SEEKS + 1} seeks and 6 s of play`, value: rssMb, unit: 'MB', lowerIsBetter: true },
    { name: `${name} in Chromium (a plot of the 8 signals, 10 s window): frames/s at 1x`, value: ui.fps1, unit: 'frames/s', budget: 30 },
    { name: `${name} in Chromium: samples/s reaching the plot at 1x`, value: ui.rate1, unit: 'samples/s' },
    { name: `${name} in Chromium: frames/s at 10x`, value: ui.fps10, unit: 'frames/s', budget: 30 },
    { name: `${name} in Chromium: samples/s reaching the plot at 10x`, value: ui.rate10, unit: 'samples/s' },
    { name: `${name} in Chromium: samples dropped on the way to the page`, value: ui.dropped, unit: 'samples', budget: 0, lowerIsBetter: true },
    { name: `${name} in Chromium: seek from the keyboard (End) to the plot drawing there`, value: ui.seekMs, unit: 'ms', budget: 1000, lowerIsBetter: true },
  ];
}

/**
 * The same recording replayed in the workbench as a user does: opened from the
 * engine's recordings folder (a link to the cached file), one plot of its 8 signals,
 * played at 1x then 10x (animation frames and samples reaching the plot), then a seek
 * to the end from the keyboard, timed until the plot shows the samples there.
 */
async function replayInChromium(file: string, label: string): Promise<{ fps1: number; rate1: number; fps10: number; rate10: number; dropped: number; seekMs: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'benchscope-replay-ui-'));
  await fs.mkdir(path.join(dir, 'recordings'));
  await fs.symlink(file, path.join(dir, 'recordings', 'hour.mcap'));
  const host = await startHost({ port: 0, userDataDir: dir, demoOnFirstStart: false });
  const browser = await launchChromium();
  try {
    const r = await host.hub.call('openReplay', { name: 'hour' });
    await host.hub.call('setPlots', { plots: [{ id: 'replay', title: r.name, windowSeconds: 10, signals: r.signals.map((signal) => ({ session: r.name, signal })) }] });
    await host.hub.call('controlReplay', { replayId: r.replayId, seek: r.start + (r.end - r.start) / 3, historyS: 10 });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await page.getByTestId('replay-bar').waitFor();
    const received = async () => Number(await page.getByTestId('plot-received').textContent());
    while (!(await received() > 0)) await sleep(50);
    const dropped0 = (await host.hub.call('getServerStats', {})).telemetryDroppedSamples;
    const measure = async (speed: number) => {
      await host.hub.call('controlReplay', { replayId: r.replayId, speed, play: true });
      await page.waitForTimeout(1000);
      const n0 = await received();
      const t0 = Date.now();
      const frames = await page.evaluate(`new Promise((resolve) => { let n = 0; const end = performance.now() + 4000; const tick = () => { n++; if (performance.now() < end) requestAnimationFrame(tick); else resolve(n); }; requestAnimationFrame(tick); })`) as number;
      const seconds = (Date.now() - t0) / 1000;
      return { fps: frames / 4, rate: (await received() - n0) / seconds };
    };
    const x1 = await measure(1);
    const x10 = await measure(10);
    await host.hub.call('controlReplay', { replayId: r.replayId, play: false });
    const dropped = (await host.hub.call('getServerStats', {})).telemetryDroppedSamples - dropped0;
    // Seek to the end from the keyboard: timed until the plot has the 10 s before the end
    // (the seek declares the signals again, so the plot's count starts again from 0).
    const before = await received();
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid="plot-received"]');
      window.__seek = { low: false, done: false };
      new MutationObserver(() => {
        const n = Number(el.textContent);
        if (n < ${before}) window.__seek.low = true;
        if (window.__seek.low && n >= ${HISTORY_S * RATE * SIGNALS} && !window.__seek.done) { window.__seek.done = true; window.__seek.doneAt = performance.now(); }
      }).observe(el, { childList: true, characterData: true, subtree: true });
    })()`);
    const slider = page.getByRole('slider', { name: 'Replay position' });
    await slider.focus();
    const t0 = Date.now();
    await page.evaluate('window.__seek.t0 = performance.now()');
    await page.keyboard.press('End');
    // (Polled from here: the page's CSP refuses evaluated strings in waitForFunction.)
    while (!(await page.evaluate('window.__seek.done'))) {
      if (Date.now() - t0 > 20_000) throw new Error('replay bench: the plot did not show the end of the recording within 20 s of the seek');
      await sleep(10);
    }
    // Timed in the page, from the key press to the count reaching the history.
    const seekMs = await page.evaluate('window.__seek.doneAt - window.__seek.t0') as number;
    await page.close();
    console.error(`replay bench: ${label} in Chromium measured`);
    return { fps1: x1.fps, rate1: x1.rate, fps10: x10.fps, rate10: x10.rate, dropped, seekMs };
  } finally {
    await browser.close();
    await host.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
