// Engine to renderer and the chart, in headless Chromium: a lines emulator
// streams 16 channels at about 1 M samples/s over loopback TCP into the
// engine; the real renderer plots all 16 with a window long enough to hold
// 1 M points per signal. Measured: samples/s that reached the page's chart
// cache, samples lost on the way, and animation frames per second.
import { startHost } from '../../app/host/server';
import { startLinesEmulator } from '../../main/protocols/lines/emulator';
import { launchChromium } from '../e2e/browser';
import type { BenchResult } from './run';

export async function benchChromium(opts: { lineRate?: number; channels?: number; warmupS?: number; measureS?: number } = {}): Promise<BenchResult[]> {
  const lineRate = opts.lineRate ?? 62_500;
  const channels = opts.channels ?? 16;
  const warmupS = opts.warmupS ?? 6;
  const measureS = opts.measureS ?? 5;
  const host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, storeCapacity: 1 << 21 });
  const emulator = await startLinesEmulator({ transport: 'tcp', host: '127.0.0.1', port: 0, rate: lineRate, channels, format: 'csv' });
  const browser = await launchChromium();
  try {
    const { sessionId } = await host.hub.call('createSession', {
      protocol: 'lines', name: 'Bench source', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port }, options: { format: 'csv' },
    });
    let signals = await host.hub.call('listSignals', { sessionId });
    for (let i = 0; i < 100 && signals.length < channels; i++) {
      await new Promise((r) => setTimeout(r, 50));
      signals = await host.hub.call('listSignals', { sessionId });
    }
    await host.hub.call('setPlots', {
      plots: [{ id: 'bench', title: 'Bench', windowSeconds: Math.ceil((1_000_000 / lineRate) * 1.1), signals: signals.map((s) => ({ session: 'Bench source', signal: s.name })) }],
    });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
    await page.getByTestId('plot-received').first().waitFor();
    await page.waitForTimeout(warmupS * 1000);

    const received = async () => Number((await page.getByTestId('plot-received').first().textContent())?.replace(/[^0-9]/g, ''));
    const engineTotal = () => signals.reduce((a, s) => a + host.hub.store.total(s.id), 0);
    const r0 = await received();
    const e0 = engineTotal();
    // Passed as text: tsx's transform would otherwise add helpers the page does not have.
    const frames = await page.evaluate(`new Promise((resolve) => {
      let n = 0;
      const end = performance.now() + ${measureS * 1000};
      const tick = () => { n++; if (performance.now() < end) requestAnimationFrame(tick); else resolve(n); };
      requestAnimationFrame(tick);
    })`) as number;
    const r1 = await received();
    const e1 = engineTotal();
    // Whatever the engine held when measuring stopped must still arrive: lost is what never does.
    const deadline = Date.now() + 5000;
    let last = r1;
    while (Date.now() < deadline) {
      await page.waitForTimeout(250);
      last = await received();
      if (last >= e1) break;
    }
    const stats = await host.hub.call('getServerStats');
    return [
      { name: `engine to Chromium (${channels} signals, lines over TCP)`, value: (r1 - r0) / measureS, unit: 'samples/s', budget: 1_000_000 },
      { name: 'engine to Chromium: samples offered by the engine', value: (e1 - e0) / measureS, unit: 'samples/s' },
      { name: 'engine to Chromium: samples lost', value: Math.max(0, e1 - last) + stats.telemetryDroppedSamples, unit: 'samples', budget: 0, lowerIsBetter: true },
      { name: `chart: animation frames with ${channels} signals, ~1 M points each in view`, value: frames / measureS, unit: 'frames/s', budget: 30 },
    ];
  } finally {
    await browser.close();
    await emulator.close();
    await host.close();
  }
}
