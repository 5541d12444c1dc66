// Record the demo bench through the SDK against a real host, read the MCAP file
// back, export it to CSV and compare every value with what the engine's store holds;
// then the recordings list, rename, delete, and the errors a bench engineer meets.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BenchscopeClient, OperationFailureError, InvalidValueError, type WebSocketCtor } from 'benchscope/sdk';
import { startHost, type RunningHost } from '../../app/host/server';
import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { readRecording } from '../../main/files/recording-files';
import { csvText } from '../../main/files/csv';

const WS = WebSocket as unknown as WebSocketCtor;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording round trip', () => {
  let dataDir: string;
  let host: RunningHost;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-record-'));
    host = await startHost({ port: 0, userDataDir: dataDir, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    for (const s of client.getLatestServerStatus()!.sessions) await client.waitDeviceReady(s.sessionId, 10);
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('records, reads back, exports CSV with the same values as the engine held', async () => {
    const sessions = client.getLatestServerStatus()!.sessions;
    const waveform = sessions.find((s) => s.protocol === 'lines')!;
    const started = await client.startRecording({ name: 'round trip', sessionIds: [waveform.sessionId] });
    expect(started.sessionIds).toEqual([waveform.sessionId]);
    await expect(client.startRecording({ name: 'second' })).rejects.toThrow(/already under way/);
    await sleep(1200);
    const stopped = (await client.stopRecording())!;
    expect(stopped.state).toBe('stopped');
    expect(stopped.lostSamples).toBe(0);
    expect(stopped.samples).toBeGreaterThan(500);
    expect((await client.requestServerStatusUpdate({ wait: true }))!.recording).toMatchObject({ name: 'round trip', state: 'stopped' });

    const file = path.join(dataDir, 'recordings', 'round trip.mcap');
    const rec = await readRecording(file);
    expect(rec.complete).toBe(true);
    expect(rec.signals.reduce((n, s) => n + s.count, 0)).toBe(stopped.samples);
    // Only the chosen session; each sample as the store holds it (time to the ns, value exactly).
    const storeSignals = host.hub.store.list(waveform.sessionId);
    expect(rec.signals.map((s) => s.signal).sort()).toEqual(storeSignals.map((s) => s.name).sort());
    for (const s of rec.signals) {
      const id = storeSignals.find((x) => x.name === s.signal)!.id;
      const t = new Float64Array(s.count);
      const v = new Float64Array(s.count);
      expect(host.hub.store.copySince(id, s.sequences[0]!, t, v, 0, s.count)).toBe(s.count);
      for (let k = 0; k < s.count; k++) {
        if (v[k] !== s.values[k]) throw new Error(`${s.topic} sample ${k}: ${s.values[k]} recorded, ${v[k]} in the store`);
        if (Math.abs(t[k]! - s.times[k]!) > 1e-6) throw new Error(`${s.topic} sample ${k}: time ${s.times[k]} recorded, ${t[k]} in the store`);
      }
    }

    // Indexed readers (as Foxglove's) find every message through the chunk index.
    const handle = await open(file, 'r');
    try {
      const indexed = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
      let n = 0;
      for await (const m of indexed.readMessages()) if (indexed.channelsById.get(m.channelId)!.messageEncoding === 'cdr') n++;
      expect(n).toBe(stopped.samples);
    } finally {
      await handle.close();
    }

    const progress: import('benchscope/sdk').CsvExportProgress[] = [];
    const off = client.on('csvExport', (p) => progress.push(p));
    const exported = await client.request('exportRecordingCsv', { name: 'round trip' }, 30);
    await sleep(100);
    off();
    // The end of the export is announced with its rows (and progress on the way for a long one).
    expect(progress.at(-1)).toEqual({ name: 'round trip', path: exported.path, fraction: 1, rows: exported.rows, done: true });
    expect(exported.path).toBe(path.join(dataDir, 'recordings', 'round trip.csv'));
    const lines = (await readFile(exported.path, 'utf8')).trimEnd().split('\n');
    const header = lines[0]!.split(',');
    expect(header[0]).toBe('time');
    expect(header.slice(1)).toEqual(rec.signals.map((s) => `${waveform.name}/${s.signal}`));
    expect(exported.rows).toBe(lines.length - 1);
    // Streamed through the index, a chunk at a time: the same text as merging the whole file in memory.
    const inMemory = await csvText(rec.signals.map((x) => ({ header: `${x.session}/${x.signal}`, times: x.times, values: x.values, count: x.count })));
    expect(await readFile(exported.path, 'utf8')).toBe(inMemory);
    // Each column, read without its empty cells, is the recorded signal.
    for (let c = 0; c < rec.signals.length; c++) {
      const s = rec.signals[c]!;
      let k = 0;
      for (let r = 1; r < lines.length; r++) {
        const cells = lines[r]!.split(',');
        if (cells[c + 1] === '') continue;
        expect(Number(cells[c + 1])).toBe(s.values[k]);
        expect(Math.abs(Number(cells[0]) - s.times[k]!)).toBeLessThanOrEqual(1e-6);
        k++;
      }
      expect(k).toBe(s.count);
    }
  });

  it('lists, renames and deletes recordings', async () => {
    const list = await client.listRecordings();
    const mine = list.find((r) => r.name === 'round trip')!;
    expect(mine.complete).toBe(true);
    expect(mine.sessions.map((s) => s.protocol)).toEqual(['lines']);
    expect(mine.durationS).toBeGreaterThan(0.8);
    expect(mine.bytes).toBeGreaterThan(1000);
    await client.request('renameRecording', { name: 'round trip', newName: 'renamed' });
    expect((await client.listRecordings()).map((r) => r.name)).toContain('renamed');
    await expect(client.request('renameRecording', { name: 'nope', newName: 'x' })).rejects.toThrow(InvalidValueError);
    await expect(client.request('renameRecording', { name: '../escape', newName: 'x' })).rejects.toThrow(/letters, digits/);
    await client.request('deleteRecording', { name: 'renamed' });
    expect((await client.listRecordings()).map((r) => r.name)).not.toContain('renamed');
  });

  it('refuses an unwritable folder with a clear error; the sessions carry on', async () => {
    const notADir = path.join(dataDir, 'plain-file');
    await writeFile(notADir, 'x');
    const err = await client.startRecording({ folder: path.join(notADir, 'recordings') }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(OperationFailureError);
    expect((err as Error).message).toMatch(/Cannot record to .*plain-file.*(ENOTDIR|EEXIST)/);
    const s = await client.requestServerStatusUpdate({ wait: true });
    expect(s!.sessions.every((x) => x.deviceCommState === 'ConnectedReady')).toBe(true);
    // Nothing is under way: a recording can start.
    const ok = await client.startRecording({ name: 'after error' });
    expect(ok.state).toBe('recording');
    await client.stopRecording();
  });

  it('a full disk stops the recording with a clear error; the sessions carry on', async () => {
    const folder = path.join(dataDir, 'full');
    const err = await host.hub.recordings.start({ name: 'full at start', folder }, () => open('/dev/full', 'w')).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/cannot write .*full at start\.mcap: the disk is full/);

    // A device that takes 64 kB then goes away (a real pipe whose reader exits): the write fails mid-recording.
    const fifo = path.join(dataDir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('head', ['-c', '65536', fifo], { stdio: ['ignore', 'ignore', 'ignore'] });
    const failed = new Promise<import('benchscope/sdk').RecordingStatus>((resolve) => {
      const off = client.on('recording', (r) => { if (r.state === 'failed' && r.name === 'cut by the device') { off(); resolve(r); } });
    });
    const started = await host.hub.recordings.start({ name: 'cut by the device', folder }, () => open(fifo, 'w'));
    expect(started.state).toBe('recording');
    const r = await failed;
    reader.kill();
    expect(r.error).toMatch(/Recording "cut by the device" stopped: cannot write .*EPIPE.*The sessions carry on/);
    const status = await client.requestServerStatusUpdate({ wait: true });
    expect(status!.recording!.state).toBe('failed');
    const samples = () => host.hub.store.list().reduce((n, x) => n + x.total, 0);
    const before = samples();
    await sleep(300);
    expect(samples()).toBeGreaterThan(before);
    const after = (await client.requestServerStatusUpdate({ wait: true }))!.sessions;
    expect(after.every((s) => s.deviceCommState === 'ConnectedReady')).toBe(true);
    // Another recording can start after the failure.
    expect((await client.startRecording({ name: 'after failure' })).state).toBe('recording');
    expect((await client.stopRecording())!.state).toBe('stopped');
  });
});
