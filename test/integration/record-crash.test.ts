// Recording survives a killed engine: a host in its own process records the demo
// bench through the SDK, is SIGKILLed mid-recording, and the file it leaves is read
// back with the MCAP library up to its last flushed chunk.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BenchscopeClient, type WebSocketCtor } from 'benchscope/sdk';
import { describeRecording, readRecording } from '../../main/files/recording-files';
import { streamRecordingCsv } from '../../main/record/recording-csv';

const WS = WebSocket as unknown as WebSocketCtor;

describe('recording killed mid-way', () => {
  let dataDir = '';
  let child: ChildProcess | null = null;
  const client = new BenchscopeClient();

  afterAll(async () => {
    client.disconnect();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves a file readable up to its last flushed chunk, every signal\'s sequence complete', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-record-crash-'));
    const fixture = fileURLToPath(new URL('./record-host-fixture.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const hello = await new Promise<{ port: number; token: string }>((resolve, reject) => {
      let buf = '';
      child!.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)));
      });
      child!.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
    });
    await client.connect('127.0.0.1', hello.port, { token: hello.token, WebSocket: WS, timeoutS: 10 });
    const demo = client.getLatestServerStatus()!.sessions.filter((s) => s.deviceLink.demoMode);
    for (const s of demo) await client.waitDeviceReady(s.sessionId, 10);

    const started = await client.startRecording({ name: 'cut short' });
    expect(started.state).toBe('recording');
    // Wait for a chunk (128 KiB) on disk, and long enough for the slowest demo signal to have several samples.
    let status = started;
    const since = Date.now();
    while (status.bytes < 140_000 || Date.now() - since < 3000) {
      status = (await client.waitServerStatusUpdate(5)).recording!;
      expect(status.state).toBe('recording');
      expect(status.error).toBeNull();
    }
    expect(status.lostSamples).toBe(0);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    client.disconnect();

    const file = path.join(dataDir, 'recordings', 'cut short.mcap');
    expect((await readdir(path.join(dataDir, 'recordings')))).toEqual(['cut short.mcap']);
    expect((await stat(file)).size).toBeGreaterThanOrEqual(140_000);
    const contents = await readRecording(file);
    expect(contents.complete, 'no footer: the process was killed').toBe(false);
    expect(contents.sessions.map((s) => s.name).sort()).toEqual(demo.map((s) => s.name).sort());
    // Every signal of the demo bench is there, its samples numbered without a gap.
    const signals = contents.signals;
    expect(signals.length).toBeGreaterThanOrEqual(4);
    for (const s of signals) {
      expect(s.count, s.topic).toBeGreaterThan(10);
      for (let k = 1; k < s.count; k++) {
        if (s.sequences[k] !== ((s.sequences[k - 1]! + 1) >>> 0)) throw new Error(`${s.topic}: sample ${s.sequences[k - 1]} followed by ${s.sequences[k]}`);
        if (!(s.times[k]! >= s.times[k - 1]!)) throw new Error(`${s.topic}: time goes back at sample ${s.sequences[k]}`);
      }
      expect(Number.isFinite(s.values[0])).toBe(true);
    }
    // The demo waveform generator's console lines are there too, in their own channel.
    expect(contents.console.length).toBeGreaterThan(0);
    const info = await describeRecording(file);
    expect(info.complete).toBe(false);
    expect(info.sessions.length).toBe(demo.length);
    // Its CSV (no index to stream through) is read as far as the file goes.
    const parts: string[] = [];
    const rows = await streamRecordingCsv(file, async (t) => { parts.push(t); });
    const csv = parts.join('');
    expect(csv.startsWith('time,')).toBe(true);
    expect(rows).toBe(csv.trimEnd().split('\n').length - 1);
    expect(rows).toBeGreaterThanOrEqual(Math.max(...signals.map((x) => x.count)));
  });
});
