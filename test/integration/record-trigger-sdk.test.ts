// Scope trigger through the SDK against a real host: arm, feed the hub's store a
// synthetic signal with a known crossing, wait for the capture, save and export it.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BenchscopeClient, InvalidValueError, TimeoutError, type WebSocketCtor } from 'benchscope/sdk';
import { startHost, type RunningHost } from '../../app/host/server';
import { Acquisitions } from '../../main/datalog/acquisitions';
import { readRecording } from '../../main/files/recording-files';
import { TelemetryStore } from '../../main/telemetry/store';

const WS = WebSocket as unknown as WebSocketCtor;
const T0 = 1_700_000_000;

describe('scope trigger through the SDK', () => {
  let dataDir: string;
  let host: RunningHost;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-trigger-'));
    host = await startHost({ port: 0, userDataDir: dataDir, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('arms a single trigger, waits for its capture, saves and exports it', async () => {
    const store = host.hub.store;
    const id = store.declare('synthetic', 'ramp', 'V');
    const triggerId = await client.armTrigger({ signalId: id, condition: 'falling', level: 2.5, preTrigger: 0.1, lengthSamples: 100, mode: 'single' });
    // A triangle, 0 to 5 V at 1 kHz, fed in bursts while the engine runs.
    const f = (k: number) => { const p = k % 2000; return (p < 1000 ? p : 2000 - p) / 200; }; // 0..5..0 V
    let k = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 200; i++, k++) store.append(id, T0 + k / 1000, f(k));
    }, 5);
    try {
      const a = await client.waitCapture(10, triggerId);
      let first = 1;
      while (!(f(first - 1) > 2.5 && f(first) <= 2.5)) first++;
      expect(a.triggerTime).toBeCloseTo(T0 + first / 1000, 9);
      expect(a.samples).toBe(100);
      expect(a.triggerIndex).toBe(10);
      expect(a.values[10]).toBe(f(first));
      expect(a.values[9]).toBeGreaterThan(2.5);
      expect(a.signal).toMatchObject({ signalId: id, name: 'ramp', unit: 'V' });
      expect(a.saved).toBe(false);
      await expect(client.waitCapture(0.3, triggerId), 'single mode captures once').rejects.toThrow(TimeoutError);

      const status = await client.requestServerStatusUpdate({ wait: true });
      expect(status!.triggers!.find((t) => t.triggerId === triggerId)!.state).toBe('stopped');

      const saved = await client.request('saveAcquisition', { id: a.id, name: 'first fall' });
      expect(saved.saved).toBe(true);
      expect(await readdir(path.join(dataDir, 'acquisitions'))).toEqual([`${a.id}.mcap`]);
      const list = await client.request('listAcquisitions', {});
      expect(list.map((x) => x.name)).toContain('first fall');
      const csv = await client.request('exportAcquisitionCsv', { id: a.id });
      const rows = csv.csv.trimEnd().split('\n');
      expect(rows[0]).toBe('time,synthetic/ramp');
      expect(rows).toHaveLength(101);
      expect(Number(rows[11]!.split(',')[1])).toBe(f(first));
      expect(await readFile(csv.path, 'utf8')).toBe(csv.csv);

      // Saved as MCAP (other tools open it: one channel, the trigger in a metadata record)...
      const mcap = path.join(dataDir, 'acquisitions', `${a.id}.mcap`);
      const file = await readRecording(mcap);
      expect(file.signals.map((x) => x.topic)).toEqual(['synthetic/ramp']);
      expect([...file.signals[0]!.values.subarray(0, 100)]).toEqual(a.values);
      expect(file.metadata.get('benchscope.acquisition')!.get('triggerIndex')).toBe('10');
      // ...which a fresh engine lists and reads back whole.
      const fresh = new Acquisitions({ store: new TelemetryStore(), sessionName: () => '', userDataDir: dataDir, onCapture: () => undefined, onTriggersChanged: () => undefined });
      expect((await fresh.list()).map((x) => x.name)).toEqual(['first fall']);
      const back = await fresh.get(a.id);
      expect(back).toMatchObject({ name: 'first fall', triggerIndex: 10, triggerTime: a.triggerTime, saved: true, signal: a.signal });
      expect(back.values).toEqual(a.values);
      back.times.forEach((t, k) => expect(Math.abs(t - a.times[k]!)).toBeLessThan(1e-6));
      // One saved as JSON by an earlier version is still listed, read and deleted.
      await writeFile(path.join(dataDir, 'acquisitions', 'old-1.json'), JSON.stringify({ ...back, id: 'old-1', name: 'from before', createdAt: 1 }));
      expect((await fresh.list()).map((x) => x.name)).toEqual(['first fall', 'from before']);
      expect((await fresh.get('old-1')).values).toEqual(a.values);
      await fresh.remove('old-1');
      expect((await readdir(path.join(dataDir, 'acquisitions'))).sort()).toEqual([`${a.id}.csv`, `${a.id}.mcap`]);
    } finally {
      clearInterval(timer);
    }
    await client.disarmTrigger(triggerId);
    await expect(client.armTrigger({ signalId: 9999, condition: 'rising', level: 0, lengthSamples: 10 })).rejects.toThrow(InvalidValueError);
    await expect(client.armTrigger({ signalId: id, condition: 'inside', level: 1, lengthSamples: 10 })).rejects.toThrow(/level2/);
  });
});
