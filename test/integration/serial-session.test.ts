// The whole engine path on a serial link: a test writes CSV into one end of a
// socat pty pair, the hub reads the other, the SDK receives the exact values.
import { open, type FileHandle } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from 'benchscope/sdk';
import { ptyPair, type PtyPair } from '../support/pty-pair';

describe('lines session over a serial pty', () => {
  let pair: PtyPair;
  let device: FileHandle;
  let host: RunningHost;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    pair = await ptyPair('benchscope-serial-');
    device = await open(pair.device, 'r+');
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
  });

  afterAll(async () => {
    client.disconnect();
    await host?.close();
    await device?.close();
    pair?.close();
  });

  it('decodes a CSV stream with a header into signals with the exact values, bad lines counted', async () => {
    const sessionId = await client.createSession({
      protocol: 'lines', name: 'PSU', linkType: 'serial',
      linkConfig: { portname: pair.host, baudrate: 115200 },
      options: { format: 'csv', separator: ',', header: 'auto' },
    });
    // The device greets with a header once the port is open (what a device writes before
    // that is flushed away by the open); the session is ready after the first good line.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((x) => x.sessionId === sessionId);
      if (s?.deviceLink.operational) break;
      if (Date.now() > deadline) throw new Error(`serial link to ${pair.host} not open: ${s?.deviceLink.lastError}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await device.write('volts,amps\n1.5,0.25\n');
    await client.waitDeviceReady(sessionId, 5);
    const signals = await client.listSignals(sessionId);
    expect(signals.map((s) => s.name)).toEqual(['volts', 'amps']);
    const got: number[] = [];
    const stop = await client.subscribe([signals[0].id], (blocks) => {
      for (const b of blocks) for (let i = 0; i < b.values.length; i++) got.push(b.values[i]);
    });
    const sent: number[] = [];
    let text = '';
    for (let i = 0; i < 500; i++) {
      const v = Math.round(Math.sin(i / 10) * 1e4) / 1e4;
      sent.push(v);
      text += `${v},${i}\n`;
      if (i === 250) text += 'garbage line\n';
    }
    await device.write(text);
    for (let i = 0; i < 100 && got.length < sent.length; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(got).toEqual(sent);
    const status = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((s) => s.sessionId === sessionId)!;
    expect(status.counters.frameErrors).toBe(1);
    expect(status.lastProtocolError).toMatch(/garbage/);
    expect(status.counters.rxBytes).toBeGreaterThan(text.length);
    expect(status.deviceLink.operational).toBe(true);
  });
});
