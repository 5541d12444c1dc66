// The SDK from Node against a real headless host over a real WebSocket.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
// The import path the README documents for scripts.
import { BenchscopeClient, ConnectionError, InvalidValueError, OperationFailureError, type WebSocketCtor } from 'benchscope/sdk';

const WS = WebSocket as unknown as WebSocketCtor;

async function rawRequest(host: RunningHost, frames: string[]): Promise<{ id: number | null; ok: boolean; error?: { code: string; message: string } }[]> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const replies: { id: number | null; ok: boolean; error?: { code: string; message: string } }[] = [];
  const done = new Promise<void>((resolve) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const msg = JSON.parse(data.toString());
      if ('event' in msg) return;
      replies.push(msg);
      if (replies.length === frames.length) resolve();
    });
  });
  for (const f of frames) ws.send(f);
  await done;
  ws.close();
  return replies;
}

describe('SDK against the headless host', () => {
  let dataDir: string;
  let host: RunningHost;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-sdk-'));
    host = await startHost({ port: 0, userDataDir: dataDir, statusMs: 250 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gets a status at connect and the demo device becomes ready', async () => {
    const status = client.getLatestServerStatus();
    expect(status).not.toBeNull();
    expect(status!.demoMode).toBe(true);
    const demo = status!.sessions.find((s) => s.deviceLink.demoMode);
    expect(demo, 'a demo session on first start').toBeDefined();
    const ready = await client.waitDeviceReady(demo!.sessionId, 10);
    expect(ready.deviceCommState).toBe('ConnectedReady');
    expect(ready.deviceSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ready.deviceLink.operational).toBe(true);
    const info = await client.getDeviceInfo(demo!.sessionId);
    expect(info?.sessionId).toBe(ready.deviceSessionId);
  });

  it('streams the demo signals as binary telemetry batches', async () => {
    const demo = client.getLatestServerStatus()!.sessions.find((s) => s.deviceLink.demoMode)!;
    let signals = await client.listSignals(demo.sessionId);
    for (let i = 0; i < 40 && signals.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
      signals = await client.listSignals(demo.sessionId);
    }
    expect(signals.length).toBeGreaterThanOrEqual(4);
    let samples = 0;
    let lastT = 0;
    let monotonic = true;
    const stop = await client.subscribe(signals.map((s) => s.id), (blocks) => {
      for (const b of blocks) {
        if (b.id !== signals[0].id) continue;
        for (let i = 0; i < b.times.length; i++) {
          if (b.times[i] < lastT) monotonic = false;
          lastT = b.times[i];
          samples++;
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    await stop();
    expect(samples).toBeGreaterThan(100); // 200 lines/s from the demo device
    expect(monotonic).toBe(true);
    expect(client.getLocalStats().telemetryFrames).toBeGreaterThan(10);
  });

  it('reports server statistics with every field of the seed', async () => {
    const stats = await client.getServerStats();
    for (const key of ['uptime', 'invalidRequestCount', 'unexpectedErrorCount', 'clientCount', 'toAllClientsDatarateBytePerSec',
      'fromAnyClientDatarateBytePerSec', 'msgReceived', 'msgSent', 'deviceSessionCount', 'toDeviceDatarateBytePerSec',
      'fromDeviceDatarateBytePerSec', 'deviceRequestPerSec'] as const) {
      expect(typeof stats[key], key).toBe('number');
    }
    expect(stats.clientCount).toBeGreaterThanOrEqual(1);
    expect(stats.deviceSessionCount).toBeGreaterThanOrEqual(1);
    expect(stats.fromDeviceDatarateBytePerSec).toBeGreaterThan(0);
    const local = client.getLocalStats();
    expect(local.rxMessages).toBeGreaterThan(0);
    expect(local.txMessages).toBeGreaterThan(0);
  });

  it('answers bad requests with typed errors, counts them and keeps going', async () => {
    const before = (await client.getServerStats()).invalidRequestCount;
    const replies = await rawRequest(host, [
      'not json',
      JSON.stringify({ id: 1, method: 'noSuchMethod', params: {} }),
      JSON.stringify({ id: 2, method: 'getDeviceInfo', params: { sessionId: 5 } }),
      JSON.stringify({ id: 3, method: 'createSession', params: { protocol: 'lines', linkType: 'tcp', linkConfig: { host: '', port: 99999 } } }),
      JSON.stringify({ id: 4, method: 'getServerStats', params: {}, extra: true }),
      JSON.stringify({ id: 5, method: 'sendText', params: { sessionId: 'x', text: 'a'.repeat(300 * 1024) } }),
    ]);
    expect(replies.map((r) => r.ok)).toEqual([false, false, false, false, false, false]);
    expect(replies.every((r) => r.error!.code === 'InvalidRequest')).toBe(true);
    const byId = new Map(replies.map((r) => [r.id, r.error!.message]));
    expect(byId.get(1)).toContain('noSuchMethod');
    expect(byId.get(2)).toMatch(/sessionId/);
    expect(byId.get(3)).toMatch(/port/i);
    expect(byId.get(4)).toMatch(/request is/);
    expect(replies.filter((r) => r.id === null).map((r) => r.error!.message).join(' ')).toMatch(/Not JSON.*|too large/);
    const after = (await client.getServerStats()).invalidRequestCount;
    expect(after - before).toBe(6);
    await expect(client.request('getDeviceInfo', { sessionId: 'nope' })).rejects.toBeInstanceOf(InvalidValueError);
  });

  it('refuses RTT and an unreachable CAN interface with a clear reason', async () => {
    const err = await client.createSession({ protocol: 'lines', linkType: 'rtt', linkConfig: { target_device: 'STM32F407VG', jlink_interface: 'swd' } }).catch((e) => e);
    expect(err).toBeInstanceOf(OperationFailureError);
    expect(err.message).toMatch(/RTT.*not available/i);
    const can = await client.createSession({ protocol: 'lines', linkType: 'can', linkConfig: { interface: 'socketcan', txid: 1, rxid: 2, extended_id: false, fd: false, bitrate_switch: false, subconfig: { channel: 'can0' } } }).catch((e) => e);
    expect(can).toBeInstanceOf(OperationFailureError);
    // No socketcan addon on this machine (see test/integration/can-virtual.test.ts for the other reasons).
    expect(can.message).toMatch(/SocketCAN needs the "socketcan" native addon/);
  });

  it('configures a link by hand: demo mode goes off and the device on the new link is read', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((sock) => {
      sockets.add(sock);
      sock.write('a,b\n');
      let i = 0;
      const timer = setInterval(() => sock.write(`${i++},${i * 2}\n`), 10);
      sock.on('close', () => clearInterval(timer));
      sock.on('error', () => clearInterval(timer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const demo = client.getLatestServerStatus()!.sessions.find((s) => s.deviceLink.demoMode)!;
      await client.configureDeviceLink(demo.sessionId, 'tcp', { host: '127.0.0.1', port });
      const status = await client.requestServerStatusUpdate({ wait: true });
      expect(status!.demoMode).toBe(false);
      const s = await client.waitDeviceReady(demo.sessionId, 5);
      expect(s.deviceLink.demoMode).toBe(false);
      expect(s.deviceLink.config).toEqual({ host: '127.0.0.1', port });
      let names: string[] = [];
      for (let i = 0; i < 40 && !names.includes('b'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        names = (await client.listSignals(demo.sessionId)).map((x) => x.name);
      }
      expect(names).toEqual(expect.arrayContaining(['a', 'b']));
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('persists the workspace atomically', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const saved = JSON.parse(await readFile(path.join(dataDir, 'workspace.json'), 'utf8'));
    expect(saved.version).toBe(1);
    expect(saved.demoMode).toBe(false);
    expect(saved.sessions.length).toBe(1);
    expect(saved.sessions[0].link.type).toBe('tcp');
    expect((await readdir(dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a WebSocket without the right token', async () => {
    const other = new BenchscopeClient();
    await expect(other.connect('127.0.0.1', host.port, { token: 'wrong', WebSocket: WS, timeoutS: 2 })).rejects.toBeInstanceOf(ConnectionError);
    await expect(other.connect('127.0.0.1', host.port, { WebSocket: WS, timeoutS: 2 })).rejects.toBeInstanceOf(ConnectionError);
  });
});

describe('workspace on disk', () => {
  it('moves a corrupt workspace aside, reports it and starts with the demo bench', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-ws-'));
    await writeFile(path.join(dir, 'workspace.json'), '{"version": 1, "sessions": [tru');
    const host = await startHost({ port: 0, userDataDir: dir });
    try {
      const status = host.hub.status();
      expect(status.notices.join(' ')).toMatch(/corrupt.*moved to/);
      expect(status.demoMode).toBe(true);
      const files = await readdir(dir);
      expect(files.some((f) => f.startsWith('workspace.json.corrupt-'))).toBe(true);
    } finally {
      await host.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('restores sessions and plots from a saved workspace', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'benchscope-ws-'));
    const ws = {
      version: 1, demoMode: false,
      sessions: [{ id: 'abc123', name: 'Bench PSU', protocol: 'lines', link: { type: 'tcp', config: { host: '127.0.0.1', port: 1 } }, options: {}, autoConnect: false }],
      plots: [{ id: 'p1', title: 'Volts', signals: [{ session: 'Bench PSU', signal: 'v' }], windowSeconds: 10 }],
    };
    await writeFile(path.join(dir, 'workspace.json'), JSON.stringify(ws));
    const host = await startHost({ port: 0, userDataDir: dir });
    try {
      const sessions = await host.hub.call('listSessions');
      expect(sessions.map((s) => s.name)).toEqual(['Bench PSU']);
      expect(await host.hub.call('getPlots')).toEqual(ws.plots);
      expect(host.hub.status().demoMode).toBe(false);
    } finally {
      await host.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
