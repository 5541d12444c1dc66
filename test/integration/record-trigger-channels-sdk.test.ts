// A scope trigger on several signals through the SDK against a real host: three
// signals at three rates fed into the hub's store while it runs, one capture holding
// all three, each at its own times; exported as CSV and as an MCAP recording that
// lists, reads back and holds every channel. Bad channel lists are refused by name.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BenchscopeClient, InvalidValueError, type WebSocketCtor } from 'benchscope/sdk';
import { startHost, type RunningHost } from '../../app/host/server';
import { readRecording } from '../../main/files/recording-files';

const WS = WebSocket as unknown as WebSocketCtor;
const T0 = 1_700_000_000;

describe('scope trigger on several signals through the SDK', () => {
  let dataDir: string;
  let host: RunningHost;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-trigger-channels-'));
    host = await startHost({ port: 0, userDataDir: dataDir, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('captures three signals of three rates in one arm; CSV and MCAP carry them all', async () => {
    const store = host.hub.store;
    const volts = store.declare('rig', 'volts', 'V');
    const amps = store.declare('rig', 'amps', 'A');
    const temp = store.declare('oven', 'temp', 'degC');
    const triggerId = await client.armTrigger({ signalId: volts, signalIds: [amps, temp], condition: 'rising', level: 0.5, preTrigger: 0.2, lengthSeconds: 0.5, mode: 'single' });
    // volts at 1 kHz (a square wave, rising every 2 s at 1 s), amps at 5 kHz, temp at 10 Hz, fed in bursts while the engine runs.
    let ms = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < 100; i++, ms++) {
        store.append(volts, T0 + ms / 1000, Math.floor(ms / 1000) % 2);
        for (let k = 0; k < 5; k++) store.append(amps, T0 + ms / 1000 + (k + 0.5) / 5000, ms * 5 + k);
        if (ms % 100 === 50) store.append(temp, T0 + ms / 1000, 20 + ms / 1000);
      }
    }, 5);
    try {
      const a = await client.waitCapture(10, triggerId);
      expect(a.triggerTime).toBe(T0 + 1);
      expect(a.channels!.map((c) => `${c.name} [${c.unit}]`)).toEqual(['amps [A]', 'temp [degC]']);
      const [ampTimes, tempTimes] = a.channelTimes!;
      // 0.5 s from 0.9 s to 1.4 s: 500 + 1 volts, 2500 amps, 5 temps (0.95 ... 1.35 s).
      expect(a.times).toHaveLength(501);
      expect(ampTimes).toHaveLength(2500);
      expect(a.channelValues![1]).toEqual([20.95, 21.05, 21.15, 21.25, 21.35]);
      expect(tempTimes!.map((t) => Math.round((t - T0) * 1000))).toEqual([950, 1050, 1150, 1250, 1350]);
      expect(a.channelValues![0]![0]).toBe(900 * 5);

      const csv = await client.request('exportAcquisitionCsv', { id: a.id });
      const rows = csv.csv.trimEnd().split('\n');
      expect(rows[0]).toBe('time,rig/volts,rig/amps,oven/temp');
      // Times shared by volts and temp fall on one row; amps are half a tick off the others.
      expect(csv.rows).toBe(501 + 2500);
      expect(rows.slice(1).filter((r) => r.split(',')[3] !== '')).toHaveLength(5);

      const recording = await client.request('exportAcquisitionMcap', { id: a.id, name: 'three rates' });
      expect(recording.sessions.map((x) => x.name).sort()).toEqual(['oven', 'rig']);
      const file = await readRecording(recording.path);
      expect(file.signals.map((x) => [x.topic, x.count])).toEqual([['rig/volts', 501], ['rig/amps', 2500], ['oven/temp', 5]]);
      expect(Array.from(file.signals[2]!.values.subarray(0, 5))).toEqual(a.channelValues![1]);

      await client.request('saveAcquisition', { id: a.id });
      const listed = (await client.request('listAcquisitions', {})).find((x) => x.id === a.id)!;
      expect(listed.channels!.map((c) => c.session)).toEqual(['rig', 'oven']);
    } finally {
      clearInterval(timer);
    }

    await expect(client.armTrigger({ signalId: volts, signalIds: [amps, 9999], condition: 'rising', level: 0, lengthSamples: 10 })).rejects.toThrow(/No signal 9999 to capture \(signalIds\[1\]/);
    await expect(client.armTrigger({ signalId: volts, signalIds: [amps, 9999], condition: 'rising', level: 0, lengthSamples: 10 })).rejects.toThrow(InvalidValueError);
    await expect(client.armTrigger({ signalId: volts, signalIds: Array.from({ length: 32 }, (_, i) => 100 + i), condition: 'rising', level: 0, lengthSamples: 10 }))
      .rejects.toThrow(/at most 32 signals: got 33/);
    expect((await client.request('listTriggers', {})).filter((t) => t.state !== 'stopped')).toEqual([]);
  });
});
