// Engine to renderer and the chart, in headless Chromium. Two runs:
// 1. The DESIGN budget: a source inside the engine appends 16 signals at
//    exactly 1 M samples/s to the telemetry store (what any protocol's decoder
//    does), the real renderer plots all 16 with a window long enough to hold
//    1 M points per signal. Measured once the window is full: samples/s that
//    reached the page's chart cache, samples lost, animation frames per second
//    and the sample-to-screen lag (engine receive time to the frame that drew it).
// 2. End to end over a real link: a lines emulator streaming CSV over loopback
//    TCP into the engine at the same nominal rate (the emulator in its own process,
//    as a device is); on a two-core machine the emulator, the decoder and Chromium
//    share the cores, so this is reported, not held to the budget.
import { startHost, type RunningHost } from '../../app/host/server';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../e2e/browser';
import type { BenchResult } from './run';

interface Measured { received: number; offered: number; lost: number; fps: number; lagP50: number; lagP99: number }

export async function benchChromium(opts: { rate?: number; channels?: number; measureS?: number } = {}): Promise<BenchResult[]> {
  const rate = opts.rate ?? 1_000_000;
  const channels = opts.channels ?? 16;
  const measureS = opts.measureS ?? 5;
  const perSignal = rate / channels;
  const windowSeconds = Math.ceil((1_000_000 / perSignal) * 1.1);
  const fillS = (1_000_000 / perSignal) + 1;

  const engine = await measureEngineSource({ rate, channels, windowSeconds, warmupS: fillS, measureS });
  // The first run's teardown (its browser, 512 MB of rings) must not land in the second one's measurement.
  await new Promise((r) => setTimeout(r, 3000));
  const tcp = await measureLinesOverTcp({ lineRate: perSignal, channels, windowSeconds, warmupS: 6, measureS });
  return [
    { name: `engine to Chromium (${channels} signals fed in the engine at ${rate.toLocaleString('en-US')}/s)`, value: engine.received, unit: 'samples/s', budget: 1_000_000 },
    { name: 'engine to Chromium: samples lost', value: engine.lost, unit: 'samples', budget: 0, lowerIsBetter: true },
    { name: 'engine to Chromium: sample-to-screen lag p50', value: engine.lagP50, unit: 'ms', lowerIsBetter: true },
    { name: 'engine to Chromium: sample-to-screen lag p99', value: engine.lagP99, unit: 'ms', budget: 50, lowerIsBetter: true },
    { name: `chart: animation frames with ${channels} signals, 1 M points each in view, while ingesting`, value: engine.fps, unit: 'frames/s', budget: 30 },
    { name: `lines over TCP to Chromium (${channels} signals, emulator + decoder + Chromium on one machine)`, value: tcp.received, unit: 'samples/s' },
    { name: 'lines over TCP to Chromium: samples offered by the decoder', value: tcp.offered, unit: 'samples/s' },
    { name: 'lines over TCP to Chromium: samples lost', value: tcp.lost, unit: 'samples', lowerIsBetter: true },
    { name: 'lines over TCP to Chromium: frames/s', value: tcp.fps, unit: 'frames/s' },
    { name: 'lines over TCP to Chromium: sample-to-screen lag p50', value: tcp.lagP50, unit: 'ms', lowerIsBetter: true },
    { name: 'lines over TCP to Chromium: sample-to-screen lag p99', value: tcp.lagP99, unit: 'ms', lowerIsBetter: true },
  ];
}

/** A paced source in the engine: `rate` samples/s spread over `channels` signals of one session. */
async function measureEngineSource(o: { rate: number; channels: number; windowSeconds: number; warmupS: number; measureS: number }): Promise<Measured> {
  const host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, storeCapacity: 1 << 21 });
  try {
    const { sessionId } = await host.hub.call('createSession', {
      protocol: 'lines', name: 'Bench source', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: 9 }, autoConnect: false,
    });
    const ids = Array.from({ length: o.channels }, (_, i) => host.hub.store.declare(sessionId, `s${i + 1}`));
    const perSignal = o.rate / o.channels;
    const t0 = Date.now() / 1000;
    let sent = 0;
    const feed = setInterval(() => {
      const now = Date.now() / 1000;
      const due = Math.floor((now - t0) * perSignal);
      const n = due - sent;
      for (let k = 0; k < n; k++) {
        // Sample times spread evenly up to now, as a decoder stamping a chunk would.
        const t = now - (n - 1 - k) / perSignal;
        const phase = (sent + k) / perSignal;
        for (let j = 0; j < ids.length; j++) host.hub.store.append(ids[j]!, t, Math.sin(phase * (j + 1)));
      }
      sent = due;
    }, 4);
    try {
      return await measurePage(host, ids, o);
    } finally {
      clearInterval(feed);
    }
  } finally {
    await host.close();
  }
}

async function measureLinesOverTcp(o: { lineRate: number; channels: number; windowSeconds: number; warmupS: number; measureS: number }): Promise<Measured> {
  const host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, storeCapacity: 1 << 21 });
  const emulator = await startEmulatorProcess(o.lineRate, o.channels);
  try {
    const { sessionId } = await host.hub.call('createSession', {
      protocol: 'lines', name: 'Bench source', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port }, options: { format: 'csv' },
    });
    let signals = await host.hub.call('listSignals', { sessionId });
    for (let i = 0; i < 100 && signals.length < o.channels; i++) {
      await new Promise((r) => setTimeout(r, 50));
      signals = await host.hub.call('listSignals', { sessionId });
    }
    return await measurePage(host, signals.map((s) => s.id), o);
  } finally {
    await emulator.close();
    await host.close();
  }
}

/** The lines emulator as its own process (`npm run emulate -- lines`), as a device would be: its work is not the engine's. */
async function startEmulatorProcess(rate: number, channels: number): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/emulate.ts', 'lines', '--tcp', '0', '--rate', String(rate), '--channels', String(channels), '--format', 'csv'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lines emulator did not start: ${out}`)), 20_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b;
      const m = /on tcp 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`lines emulator exited (${code}): ${out}`)); });
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    }),
  };
}

async function measurePage(host: RunningHost, ids: number[], o: { windowSeconds: number; warmupS: number; measureS: number }): Promise<Measured> {
  const signals = (await host.hub.call('listSignals', {})).filter((s) => ids.includes(s.id));
  await host.hub.call('setPlots', {
    plots: [{ id: 'bench', title: 'Bench', windowSeconds: o.windowSeconds, signals: signals.map((s) => ({ session: 'Bench source', signal: s.name })) }],
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await page.getByTestId('plot-received').first().waitFor();
    await page.waitForTimeout(o.warmupS * 1000);
    const received = async () => Number((await page.getByTestId('plot-received').first().textContent())?.replace(/[^0-9]/g, ''));
    const engineTotal = () => ids.reduce((a, id) => a + host.hub.store.total(id), 0);
    const dropped0 = (await host.hub.call('getServerStats')).telemetryDroppedSamples;
    const r0 = await received();
    const e0 = engineTotal();
    // Passed as text: tsx's transform would otherwise add helpers the page does not have.
    // Each frame also reads the plot's lag (ms since the newest drawn sample reached the engine).
    const { frames, lags } = await page.evaluate(`new Promise((resolve) => {
      let n = 0;
      const lags = [];
      const lagEl = document.querySelector('[data-testid="plot-lag"]');
      const end = performance.now() + ${o.measureS * 1000};
      const tick = () => {
        n++;
        const lag = Number(lagEl && lagEl.textContent);
        if (Number.isFinite(lag)) lags.push(lag);
        if (performance.now() < end) requestAnimationFrame(tick); else resolve({ frames: n, lags });
      };
      requestAnimationFrame(tick);
    })`) as { frames: number; lags: number[] };
    const r1 = await received();
    const e1 = engineTotal();
    // Whatever the engine held when measuring stopped must still arrive: lost is what never does.
    const deadline = Date.now() + 5000;
    let last = r1;
    while (Date.now() < deadline) {
      await page.waitForTimeout(250);
      last = await received();
      if (last - r0 >= e1 - e0) break;
    }
    const dropped = (await host.hub.call('getServerStats')).telemetryDroppedSamples - dropped0;
    lags.sort((a, b) => a - b);
    return {
      received: (r1 - r0) / o.measureS,
      offered: (e1 - e0) / o.measureS,
      lost: Math.max(0, (e1 - e0) - (last - r0)) + dropped,
      fps: frames / o.measureS,
      lagP50: lags.length ? lags[Math.floor(lags.length * 0.5)]! : Number.NaN,
      lagP99: lags.length ? lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))]! : Number.NaN,
    };
  } finally {
    await browser.close();
  }
}
