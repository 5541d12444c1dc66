// Engine to client over the WebSocket door: samples appended in the engine at
// a target rate, counted on arrival in a real client; any loss is reported.
import WebSocket from 'ws';
import { startHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from '../../shared/client/client';
import type { BenchResult } from './run';

export async function benchEngineToClient(opts: { signals?: number; ratePerSignal?: number; seconds?: number } = {}): Promise<BenchResult[]> {
  const nSignals = opts.signals ?? 16;
  const rate = opts.ratePerSignal ?? 125_000; // 16 x 125k = 2 M samples/s offered
  const seconds = opts.seconds ?? 3;
  const host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, storeCapacity: 1 << 20 });
  const client = new BenchscopeClient();
  try {
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    const ids = Array.from({ length: nSignals }, (_, i) => host.hub.store.declare('bench', `s${i}`));
    let received = 0;
    let dropped = 0;
    let firstAt = 0;
    let lastAt = 0;
    const stop = await client.subscribe(ids, (blocks, d) => {
      dropped += d;
      for (const b of blocks) received += b.times.length;
      if (!firstAt) firstAt = performance.now();
      lastAt = performance.now();
    });
    // Producer: every 5 ms, the samples due since the last tick, in bulk per signal.
    const chunk = 4096;
    const times = new Float64Array(chunk);
    const values = new Float64Array(chunk);
    let appended = 0;
    const t0 = performance.now();
    let due = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const elapsed = (performance.now() - t0) / 1000;
        const target = Math.floor(Math.min(elapsed, seconds) * rate);
        let n = target - due;
        while (n > 0) {
          const k = Math.min(n, chunk);
          const now = Date.now() / 1000;
          for (let i = 0; i < k; i++) { times[i] = now; values[i] = due + i; }
          for (const id of ids) host.hub.store.appendBulk(id, times, values, k);
          appended += k * nSignals;
          due += k;
          n -= k;
        }
        if (elapsed >= seconds) { clearInterval(timer); resolve(); }
      }, 5);
    });
    const deadline = Date.now() + 5000;
    while (received + dropped < appended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await stop();
    const spanS = Math.max((lastAt - t0) / 1000, seconds);
    return [
      { name: `engine to client over WebSocket (${nSignals} signals)`, value: received / spanS, unit: 'samples/s', budget: 1_000_000 },
      { name: 'engine to client: samples lost', value: appended - received, unit: 'samples', budget: 0, lowerIsBetter: true },
    ];
  } finally {
    client.disconnect();
    await host.close();
  }
}
