// CSV of a plot's visible range, made by the engine from the samples it holds at
// full rate: a range cut exactly, signals of different rates aligned as in a
// recording's CSV, and bad requests refused with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, InvalidValueError, type WebSocketCtor } from '../../shared/client';

describe('exportSignalsCsv', () => {
  let host: RunningHost;
  const client = new BenchscopeClient();
  let fast = -1;
  let slow = -1;

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    const { sessionId } = await host.hub.call('createSession', { protocol: 'lines', name: 'Bench PSU', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: 9 }, autoConnect: false });
    fast = host.hub.store.declare(sessionId, 'volts');
    slow = host.hub.store.declare(sessionId, 'amps');
    // volts at 10 Hz from t = 1000 s, amps at 2 Hz on the same clock.
    for (let i = 0; i < 100; i++) host.hub.store.append(fast, 1000 + i / 10, i * 0.5);
    for (let i = 0; i < 20; i++) host.hub.store.append(slow, 1000 + i / 2, -i);
  });

  afterAll(async () => {
    client.disconnect();
    await host?.close();
  });

  it('cuts the range exactly and aligns the signals by time, every sample once', async () => {
    const r = await client.request('exportSignalsCsv', { signalIds: [fast, slow], t0: 1002, t1: 1003 });
    expect(r.columns).toEqual(['Bench PSU/volts', 'Bench PSU/amps']);
    expect(r.truncated).toBe(false);
    const lines = r.csv.trim().split('\n');
    expect(lines[0]).toBe('time,Bench PSU/volts,Bench PSU/amps');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(r.rows).toBe(rows.length);
    // volts: samples 20..30 (11 of them); amps at 1002, 1002.5, 1003 share their rows.
    expect(rows.length).toBe(11);
    expect(rows[0]).toEqual(['1002.000000', '10', '-4']);
    expect(rows[5]).toEqual(['1002.500000', '12.5', '-5']);
    expect(rows[1]).toEqual(['1002.100000', '10.5', '']);
    expect(rows[10]).toEqual(['1003.000000', '15', '-6']);
  });

  it('refuses an unknown signal and a range that ends before it starts', async () => {
    await expect(client.request('exportSignalsCsv', { signalIds: [9999], t0: 0, t1: 1 })).rejects.toThrow(/No signal 9999/);
    await expect(client.request('exportSignalsCsv', { signalIds: [fast], t0: 5, t1: 1 })).rejects.toBeInstanceOf(InvalidValueError);
    await expect(client.request('exportSignalsCsv', { signalIds: [], t0: 0, t1: 1 })).rejects.toThrow(/at least one signal/);
  });
});
