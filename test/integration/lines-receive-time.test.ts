// Receive-time timestamps through the whole engine: the lines emulator at 200 lines/s
// on a real TCP socket (it writes every 10 ms, so two lines share each read), the hub
// decodes, and the store holds one distinct, increasing time per line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../../main/hub/hub';
import { startLinesEmulator, type LinesEmulator } from '../../main/protocols/lines/emulator';

const RATE = 200;

function history(hub: Hub, sessionId: string, name: string): { times: Float64Array; values: Float64Array } {
  const signal = hub.store.list(sessionId).find((s) => s.name === name);
  if (!signal) throw new Error(`no signal ${name} in session ${sessionId}: ${hub.store.list(sessionId).map((s) => s.name).join(', ')}`);
  const n = hub.store.total(signal.id);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  const got = hub.store.copySince(signal.id, 0, times, values, 0, n);
  return { times: times.subarray(0, got), values: values.subarray(0, got) };
}

async function waitSamples(hub: Hub, sessionId: string, name: string, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const signal = hub.store.list(sessionId).find((s) => s.name === name);
    if (signal && hub.store.total(signal.id) >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${count} samples of ${name} after 10 s`);
}

describe('lines receive times over TCP', () => {
  const hub = new Hub({ userDataDir: null, demoOnFirstStart: false });
  let plain: LinesEmulator;
  let timed: LinesEmulator;

  beforeAll(async () => {
    await hub.start();
    plain = await startLinesEmulator({ transport: 'tcp', port: 0, rate: RATE, channels: 2 });
    timed = await startLinesEmulator({ transport: 'tcp', port: 0, rate: RATE, channels: 2, timestamp: true });
  });

  afterAll(async () => {
    await hub.stop();
    await plain.close();
    await timed.close();
  });

  it('a 200 Hz device gives 200 distinct, increasing times a second', async () => {
    const { sessionId } = await hub.call('createSession', { protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: plain.port! } });
    await waitSamples(hub, sessionId, 'sine1', 2 * RATE);
    const { times } = history(hub, sessionId, 'sine1');
    for (let i = 1; i < times.length; i++) expect(times[i]!, `sample ${i}`).toBeGreaterThan(times[i - 1]!);
    const last = times[times.length - 1]!;
    const lastSecond = times.filter((t) => t > last - 1);
    expect(new Set(lastSecond).size).toBe(lastSecond.length);
    // 200 lines a second, give or take the timer jitter of a loaded machine.
    expect(lastSecond.length).toBeGreaterThanOrEqual(RATE - 20);
    expect(lastSecond.length).toBeLessThanOrEqual(RATE + 20);
  });

  it('a device time column keeps the device times: exactly 1/200 s apart', async () => {
    const { sessionId } = await hub.call('createSession', {
      protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: timed.port! }, options: { timestampColumn: 't' },
    });
    await waitSamples(hub, sessionId, 'sine1', RATE);
    const { times } = history(hub, sessionId, 'sine1');
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(1 / RATE, 6);
  });
});
