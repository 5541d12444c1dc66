// getServerStats().deviceRequestPerSec against what the device itself counts: a
// real host, the SDK over a WebSocket and the emulated device on UDP loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from 'benchscope/sdk';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';

const WS = WebSocket as unknown as WebSocketCtor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('server statistics of a scrutiny session', () => {
  let host: RunningHost;
  let emu: ScrutinyEmulator;
  let sessionId: string;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    emu = await startScrutinyEmulator({ transport: 'udp' });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 250 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    sessionId = await client.createSession({
      protocol: 'scrutiny', name: 'stats board', linkType: 'udp', linkConfig: { host: '127.0.0.1', port: emu.port! }, options: { pollHz: 100 },
    });
    await client.waitDeviceReady(sessionId, 5);
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emu.close();
  });

  it('counts the requests sent to the device, not the answers too', async () => {
    await sleep(1500);
    const d0 = emu.device.counters.requests;
    const t0 = performance.now();
    await sleep(2000);
    const deviceRate = (emu.device.counters.requests - d0) / ((performance.now() - t0) / 1000);
    const stats = await client.getServerStats();
    expect(deviceRate).toBeGreaterThan(50);
    // The host's rate is over its last tick; the device's over 2 s: close, not equal.
    expect(stats.deviceRequestPerSec).toBeGreaterThan(deviceRate * 0.75);
    expect(stats.deviceRequestPerSec).toBeLessThan(deviceRate * 1.3);
  });
});
