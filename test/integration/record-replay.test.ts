// Record the demo waveform through the SDK against a real host, open the file for
// replay, play it into a subscription, seek, export the replayed samples as CSV and
// compare every value with the file; a file cut short and bad files too.
import { mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BenchscopeClient, InvalidValueError, OperationFailureError, type ReplayStatus, type WebSocketCtor } from 'benchscope/sdk';
import { startHost, type RunningHost } from '../../app/host/server';
import { McapWriter } from '@mcap/core';
import { FileHandleWritable } from '@mcap/nodejs';
import { readRecording, type RecordedSignal } from '../../main/files/recording-files';
import { NanosClock, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA_TEXT, SampleEncoder } from '../../main/files/mcap-format';

const WS = WebSocket as unknown as WebSocketCtor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('replay of a recording', () => {
  let dataDir: string;
  let host: RunningHost;
  let recorded: RecordedSignal[];
  let sessionName: string;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-replay-'));
    host = await startHost({ port: 0, userDataDir: dataDir, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    const waveform = client.getLatestServerStatus()!.sessions.find((s) => s.protocol === 'lines')!;
    await client.waitDeviceReady(waveform.sessionId, 10);
    sessionName = waveform.name;
    await client.startRecording({ name: 'to replay', sessionIds: [waveform.sessionId], console: false });
    await sleep(1500);
    const stopped = (await client.stopRecording())!;
    expect(stopped.lostSamples).toBe(0);
    recorded = (await readRecording(path.join(dataDir, 'recordings', 'to replay.mcap'))).signals;
    expect(recorded.length).toBeGreaterThan(1);
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const replaySignals = async (r: ReplayStatus) => (await client.listSignals()).filter((s) => s.sessionId === r.replayId);

  it('plays every recorded sample, in order, into a subscription; then a CSV of it matches the file', async () => {
    const r = await client.openReplay('to replay');
    expect(r.name).toBe('Replay: to replay');
    expect(r.playing).toBe(false);
    expect(r.complete).toBe(true);
    expect(r.signals.sort()).toEqual(recorded.map((s) => `${sessionName}/${s.signal}`).sort());
    const first = Math.min(...recorded.map((s) => s.times[0]!));
    const last = Math.max(...recorded.map((s) => s.times[s.count - 1]!));
    expect(r.start).toBe(first);
    expect(r.end).toBe(last);
    expect(r.position).toBe(first);
    // Its rate (for the speeds the timeline offers): the recorded samples over its span.
    const total = recorded.reduce((n, x) => n + x.count, 0);
    expect(r.samplesPerSecond / (total / (last - first))).toBeCloseTo(1, 1);
    // The replay is in the status, its signals are listed like a session's.
    expect((await client.requestServerStatusUpdate({ wait: true }))!.replays!.map((x) => x.replayId)).toEqual([r.replayId]);
    const signals = await replaySignals(r);
    expect(signals.map((s) => s.name).sort()).toEqual(r.signals.slice().sort());

    const got = new Map<number, { t: number[]; v: number[] }>();
    const stop = await client.subscribe(signals.map((s) => s.id), (blocks) => {
      for (const b of blocks) {
        const g = got.get(b.id) ?? { t: [], v: [] };
        got.set(b.id, g);
        g.t.push(...b.times);
        g.v.push(...b.values);
      }
    }, { history: true });
    const playing = await client.controlReplay(r.replayId, { play: true, speed: 2 });
    expect(playing).toMatchObject({ playing: true, speed: 2 });
    // Twice the speed: the 1.5 s recording plays in about 0.75 s.
    const t0 = Date.now();
    for (;;) {
      const s = (await client.listReplays()).find((x) => x.replayId === r.replayId)!;
      if (!s.playing) { expect(s.position).toBe(last); break; }
      if (Date.now() - t0 > 10_000) throw new Error(`replay still playing at ${s.position} (end ${s.end})`);
      await sleep(50);
    }
    const took = (Date.now() - t0) / 1000;
    expect(took).toBeGreaterThan((last - first) / 2 * 0.7);
    await sleep(200); // the last flush
    await stop();
    for (const rec of recorded) {
      const id = signals.find((s) => s.name === `${sessionName}/${rec.signal}`)!.id;
      const g = got.get(id)!;
      expect(g.v.length).toBe(rec.count);
      for (let k = 0; k < rec.count; k++) {
        if (g.v[k] !== rec.values[k] || g.t[k] !== rec.times[k]) {
          throw new Error(`${rec.signal} sample ${k}: replayed (${g.t[k]}, ${g.v[k]}), recorded (${rec.times[k]}, ${rec.values[k]})`);
        }
      }
    }

    // Round trip: the replayed samples as CSV (a plot's range) are the recording's CSV, row for row.
    const csv = await client.request('exportSignalsCsv', { signalIds: recorded.map((rec) => signals.find((s) => s.name === `${sessionName}/${rec.signal}`)!.id), t0: first, t1: last });
    expect(csv.columns).toEqual(recorded.map((rec) => `Replay: to replay/${sessionName}/${rec.signal}`));
    const fromFile = await client.request('exportRecordingCsv', { name: 'to replay' }, 30);
    const fileText = await readFile(fromFile.path, 'utf8');
    const body = (text: string) => text.slice(text.indexOf('\n') + 1);
    expect(body(csv.csv)).toBe(body(fileText));
    expect(csv.rows).toBe(fromFile.rows);

    // An open replay's file is not deleted or renamed under it.
    await expect(client.request('deleteRecording', { name: 'to replay' })).rejects.toThrow(/while it is open for replay \("Replay: to replay"\): close the replay first/);
    await expect(client.request('renameRecording', { name: 'to replay', newName: 'other' })).rejects.toThrow(/open for replay/);
    await client.closeReplay(r.replayId);
    expect(await client.listReplays()).toEqual([]);
    expect(await replaySignals(r)).toEqual([]);
  });

  it('seeks: the signals start again with the samples of the history before the playhead', async () => {
    const r = await client.openReplay('to replay');
    const before = await replaySignals(r);
    const mid = (r.start + r.end) / 2;
    const s = await client.controlReplay(r.replayId, { seek: mid, historyS: 0.25 });
    expect(s.position).toBe(mid);
    expect(s.playing).toBe(false);
    const after = await replaySignals(r);
    // New ids: no client mixes samples from before and after the seek.
    expect(after.map((x) => x.id).some((id) => before.some((b) => b.id === id))).toBe(false);
    for (const rec of recorded) {
      const info = after.find((x) => x.name === `${sessionName}/${rec.signal}`)!;
      const expected: number[] = [];
      for (let k = 0; k < rec.count; k++) if (rec.times[k]! > mid - 0.25 && rec.times[k]! <= mid) expected.push(rec.values[k]!);
      expect(info.total).toBe(expected.length);
      const t = new Float64Array(info.total);
      const v = new Float64Array(info.total);
      host.hub.store.copySince(info.id, 0, t, v, 0, info.total);
      expect([...v]).toEqual(expected);
    }
    // A seek past the end stops at the end; playing from the end starts again from the start.
    expect((await client.controlReplay(r.replayId, { seek: r.end + 100, historyS: 0 })).position).toBe(r.end);
    const again = await client.controlReplay(r.replayId, { play: true, speed: 0.5 });
    expect(again.playing).toBe(true);
    expect(again.position).toBeLessThan(r.start + 0.2);
    const paused = await client.controlReplay(r.replayId, { play: false });
    expect(paused.playing).toBe(false);
    const at = paused.position;
    await sleep(300);
    expect((await client.listReplays()).find((x) => x.replayId === r.replayId)!.position).toBe(at);
    await client.closeReplay(r.replayId);
  });

  it('replays a file cut short by a crash as far as it goes', async () => {
    // A recording laid out as the recorder does, in small chunks, then cut in the middle of one.
    const file = path.join(dataDir, 'recordings', 'cut short.mcap');
    const handle = await open(file, 'w');
    const writer = new McapWriter({ writable: new FileHandleWritable(handle), chunkSize: 2048, useStatistics: false });
    await writer.start({ profile: '', library: 'test' });
    const schemaId = await writer.registerSchema({ name: SAMPLE_SCHEMA_NAME, encoding: 'ros2msg', data: new TextEncoder().encode(SAMPLE_SCHEMA_TEXT) });
    const channelId = await writer.registerChannel({ topic: 'bench/ramp', messageEncoding: 'cdr', schemaId, metadata: new Map([['session', 'bench'], ['signal', 'ramp']]) });
    const enc = new SampleEncoder();
    const clock = new NanosClock();
    const t0 = 1_780_000_000;
    for (let k = 0; k < 2000; k++) {
      enc.set(k * 0.5);
      const ns = clock.toNs(t0 + k / 1000);
      await writer.addMessage({ channelId, sequence: k, logTime: ns, publishTime: ns, data: enc.bytes });
    }
    await writer.end();
    await handle.close();
    const size = (await stat(file)).size;
    await writeFile(file, (await readFile(file)).subarray(0, Math.floor(size * 0.6)));

    const r = await client.openReplay('cut short');
    expect(r.complete).toBe(false);
    expect(r.start).toBe(t0);
    expect(r.end).toBeLessThan(t0 + 1.999);
    expect(r.end).toBeGreaterThan(t0 + 0.5);
    await client.controlReplay(r.replayId, { seek: r.end, historyS: 3600 });
    const [info] = await replaySignals(r);
    expect(info!.name).toBe('bench/ramp');
    const v = new Float64Array(info!.total);
    host.hub.store.copySince(info!.id, 0, new Float64Array(info!.total), v, 0, info!.total);
    // Every sample up to the last whole chunk, none twice, none missing.
    expect(info!.total).toBe(Math.round((r.end - t0) * 1000) + 1);
    expect([...v]).toEqual(Array.from({ length: info!.total }, (_, k) => k * 0.5));
    await client.closeReplay(r.replayId);
  });

  it('writes a triggered capture as an MCAP recording that lists, reads back and replays', async () => {
    const sine = (await client.listSignals()).find((s) => s.name === 'sine1' && !s.sessionId.startsWith('replay-'))!;
    const triggerId = await client.armTrigger({ signalId: sine.id, condition: 'either', level: 0, lengthSamples: 120, preTrigger: 0.25, mode: 'single' });
    const a = await client.waitCapture(10, triggerId);
    expect(a.times).toHaveLength(120);
    const info = await client.request('exportAcquisitionMcap', { id: a.id, name: 'capture as mcap' });
    expect(info).toMatchObject({ name: 'capture as mcap', complete: true });
    expect(info.sessions).toEqual([{ sessionId: sine.sessionId, name: sessionName, protocol: 'acquisition' }]);
    expect((await client.listRecordings()).map((r) => r.name)).toContain('capture as mcap');
    const back = await readRecording(info.path);
    expect(back.signals).toHaveLength(1);
    // (-0 + 0: the acquisition came as JSON, which writes -0 as 0.)
    expect([...back.signals[0]!.values.subarray(0, 120)].map((v) => v + 0)).toEqual(a.values);
    back.signals[0]!.times.subarray(0, 120).forEach((t, k) => expect(Math.abs(t - a.times[k]!)).toBeLessThan(1e-6));
    await expect(client.request('exportAcquisitionMcap', { id: a.id, name: 'capture as mcap' })).rejects.toThrow(/already exists/);
    await expect(client.request('exportAcquisitionMcap', { id: 'nope' })).rejects.toThrow(/No acquisition "nope"/);
    // And it replays like any recording.
    const r = await client.openReplay('capture as mcap');
    await client.controlReplay(r.replayId, { seek: r.end, historyS: 3600 });
    const [replayed] = await replaySignals(r);
    expect(replayed!.total).toBe(120);
    await client.closeReplay(r.replayId);
  });

  it('shows the recorded console up to the playhead', async () => {
    const waveform = client.getLatestServerStatus()!.sessions.find((s) => s.protocol === 'lines')!;
    await client.startRecording({ name: 'with console', sessionIds: [waveform.sessionId] });
    await sleep(1200);
    await client.stopRecording();
    const file = await readRecording(path.join(dataDir, 'recordings', 'with console.mcap'));
    expect(file.console.length).toBeGreaterThan(20);
    const r = await client.openReplay('with console');
    const mid = file.console[Math.floor(file.console.length / 2)]!.t;
    await client.controlReplay(r.replayId, { seek: mid, historyS: 0 });
    const lines = await client.request('replayConsole', { replayId: r.replayId, limit: 10 });
    const expected = file.console.filter((l) => l.t <= mid).slice(-10);
    expect(lines).toEqual(expected.map((l) => ({ t: l.t, session: sessionName, dir: l.dir, text: l.text })));
    await client.closeReplay(r.replayId);
  });

  it('opens the replays again after a restart, paused where they were', async () => {
    const r = await client.openReplay('to replay');
    const mid = (r.start + r.end) / 2;
    await client.controlReplay(r.replayId, { seek: mid, speed: 2 });
    client.disconnect();
    await host.close();
    host = await startHost({ port: 0, userDataDir: dataDir, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    const [again] = await client.listReplays();
    expect(again).toMatchObject({ name: 'Replay: to replay', recording: 'to replay', position: mid, speed: 2, playing: false });
    // Its signals are back under its (new) id, loaded up to the playhead.
    const signals = await replaySignals(again!);
    expect(signals.length).toBe(recorded.length);
    expect(signals.every((x) => x.total > 0)).toBe(true);
    await client.closeReplay(again!.replayId);
    // Closed: the next start opens none.
    await host.close();
    host = await startHost({ port: 0, userDataDir: dataDir, statusMs: 200 });
    client.disconnect();
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    expect(await client.listReplays()).toEqual([]);
  });

  it('refuses what it cannot replay with the reason', async () => {
    await expect(client.openReplay('no such recording')).rejects.toThrow(InvalidValueError);
    await expect(client.openReplay('no such recording')).rejects.toThrow(/No recording "no such recording"/);
    await writeFile(path.join(dataDir, 'recordings', 'garbage.mcap'), Buffer.from('this is not an MCAP file at all, only text\n'.repeat(50)));
    const err = await client.openReplay('garbage').catch((e: Error) => e);
    expect(err).toBeInstanceOf(OperationFailureError);
    expect((err as Error).message).toMatch(/garbage\.mcap/);
    await expect(client.controlReplay('replay-999', { play: true })).rejects.toThrow(/No replay "replay-999"/);
    // A file cut under a playing replay: the replay stops with the reason, the engine carries on.
    const copy = path.join(dataDir, 'recordings', 'shrinks.mcap');
    await writeFile(copy, await readFile(path.join(dataDir, 'recordings', 'to replay.mcap')));
    const r = await client.openReplay('shrinks');
    await truncate(copy, 200);
    await client.controlReplay(r.replayId, { play: true, speed: 10 });
    let status: ReplayStatus | undefined;
    for (let i = 0; i < 100; i++) {
      status = (await client.listReplays()).find((x) => x.replayId === r.replayId);
      if (status?.error) break;
      await sleep(50);
    }
    expect(status!.error).toMatch(/Replay of "shrinks" stopped: .*ends inside a chunk/);
    expect(status!.playing).toBe(false);
    await expect(client.controlReplay(r.replayId, { seek: r.end })).rejects.toThrow(/Replay of "shrinks" stopped/);
    await client.closeReplay(r.replayId);
    await expect(client.request('controlReplay', { replayId: 'x', speed: 0 })).rejects.toThrow(/Speed is 0.01 to 1000/);
    // The host carries on.
    expect((await client.requestServerStatusUpdate({ wait: true }))!.sessions.length).toBeGreaterThan(0);
  });
});
