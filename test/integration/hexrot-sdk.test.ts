// The hexrot protocol end to end: a real headless host, the SDK over a real
// WebSocket, and the emulated simple controller on TCP loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, HexrotSession, InvalidValueError, type ProtocolEvent, type WebSocketCtor } from 'benchscope/sdk';
import net from 'node:net';
import { encodeHeader } from '../../main/protocols/hexrot/codec';
import { startHexrotEmulator, type HexrotEmulator } from '../../main/protocols/hexrot/emulator';

const WS = WebSocket as unknown as WebSocketCtor;

interface Record_ { counter: number; outcome: string; duration: number | null; reason: string | null; name: string | null }
interface Snapshot { fields: { name: string; value: number | string }[]; count: number }

const valueOf = (s: Snapshot | null, name: string) => s?.fields.find((f) => f.name === name)?.value;

describe('hexrot through the host and the SDK', () => {
  let host: RunningHost;
  let emulator: HexrotEmulator;
  let sessionId: string;
  const client = new BenchscopeClient();
  const events: ProtocolEvent[] = [];

  beforeAll(async () => {
    emulator = await startHexrotEmulator({ port: 0, rate: 200 });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    client.on('protocol', (e) => { if (e.protocol === 'hexrot') events.push(e); });
    sessionId = await client.createSession({
      protocol: 'hexrot', name: 'hexapod', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port! },
      options: { layout: 'simple', commandTimeoutS: 1 },
    });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emulator.close();
  });

  it('becomes ready, shows the config and streams every telemetry field as a signal', async () => {
    const s = await client.waitDeviceReady(sessionId, 5);
    expect(s.deviceCommState).toBe('ConnectedReady');
    const config = await client.sessionAction<Snapshot>(sessionId, 'config');
    expect(valueOf(config, 'min_position')).toBe(-25);
    expect(valueOf(config, 'max_position')).toBe(25);
    expect(valueOf(config, 'max_velocity')).toBe(47);
    expect(valueOf(config, 'drives_enabled')).toBe('false');
    const names = (await client.listSignals(sessionId)).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['application_status', 'state', 'enabled_substate', 'curr_position', 'cmd_position', 'config.max_velocity']));
    const curr = (await client.listSignals(sessionId)).find((x) => x.name === 'curr_position')!;
    let samples = 0;
    const stop = await client.subscribe([curr.id], (blocks) => { for (const b of blocks) samples += b.values.length; });
    await new Promise((r) => setTimeout(r, 400));
    await stop();
    expect(samples).toBeGreaterThan(30); // 200 frames/s for 0.4 s
  });

  it('refuses a move in STANDBY, enables, moves within limits, refuses outside them', async () => {
    const refused = await client.sessionAction<Record_>(sessionId, 'command', { name: 'MOVE', params: [10] });
    expect(refused.outcome).toBe('noack');
    expect(refused.reason).toMatch(/must be ENABLED/);
    const enable = await client.sessionAction<Record_>(sessionId, 'command', { name: 'SET_STATE', params: [2] });
    expect(enable.outcome).toBe('ack');
    expect(enable.duration).toBe(0);
    expect(enable.counter).toBe(refused.counter + 1);
    const move = await client.sessionAction<Record_>(sessionId, 'command', { name: 'MOVE', params: [12.5] });
    expect(move.outcome).toBe('ack');
    const t = await client.sessionAction<Snapshot>(sessionId, 'nextTelemetry', { skip: 1 });
    expect(valueOf(t, 'cmd_position')).toBe(12.5);
    expect(valueOf(t, 'state')).toBe(2);
    const far = await client.sessionAction<Record_>(sessionId, 'command', { name: 'MOVE', params: [99] });
    expect(far.outcome).toBe('noack');
    expect(far.reason).toBe('Position 99.0 out of range [-25.0, 25.0].');
    const history = await client.sessionAction<Record_[]>(sessionId, 'history');
    expect(history.map((h) => h.outcome)).toEqual(['noack', 'ack', 'ack', 'noack']);
    expect(events.filter((e) => e.kind === 'command').length).toBeGreaterThanOrEqual(8); // sent + settled, four times
  });

  it('the typed helper (HexrotSession) commands by name or code and reads telemetry and history', async () => {
    const hexapod = new HexrotSession(client, sessionId);
    const move = await hexapod.command('MOVE', [-3]);
    expect(move).toMatchObject({ outcome: 'ack', name: 'MOVE' });
    expect(move.params[0]).toBe(-3);
    expect((await hexapod.telemetryValues(1))!.cmd_position).toBe(-3);
    const byCode = await hexapod.command(move.code, [4]);
    expect(byCode.outcome).toBe('ack');
    expect((await hexapod.history(2)).map((h) => h.params[0])).toEqual([-3, 4]);
    expect((await hexapod.config())!.fields.length).toBeGreaterThan(3);
    await expect(hexapod.putCommand('MOVE', [1])).rejects.toThrow(/putCommand is the legacy generation's/);
    await expect(hexapod.command(-1)).rejects.toBeInstanceOf(InvalidValueError);
    // Back where the tests after this one expect the hexapod.
    expect((await hexapod.command('MOVE', [12.5])).outcome).toBe('ack');
  });

  it('gets the config again after a configuration-changing command', async () => {
    const before = events.filter((e) => e.kind === 'config').length;
    const r = await client.sessionAction<Record_>(sessionId, 'command', { name: 'ENABLE_DRIVES', params: [1] });
    expect(r.outcome).toBe('ack');
    for (let i = 0; i < 50 && events.filter((e) => e.kind === 'config').length === before; i++) await new Promise((res) => setTimeout(res, 20));
    const config = await client.sessionAction<Snapshot>(sessionId, 'config');
    expect(valueOf(config, 'drives_enabled')).toBe('true');
    expect(events.filter((e) => e.kind === 'config').length).toBe(before + 1);
  });

  it('answers bad command requests with typed errors', async () => {
    await expect(client.sessionAction(sessionId, 'command', { name: 'JUMP' })).rejects.toBeInstanceOf(InvalidValueError);
    await expect(client.sessionAction(sessionId, 'command', { name: 'MOVE', params: [1, 2, 3, 4, 5, 6, 7] })).rejects.toThrow(/six parameters/);
    await expect(client.sessionAction(sessionId, 'nextTelemetry', { skip: -1 })).rejects.toThrow(/skip/);
    await expect(client.sessionAction(sessionId, 'noSuchAction')).rejects.toThrow(/no action/);
  });

  it('reconnects by itself, and the controller kept its state', async () => {
    emulator.dropConnection();
    await new Promise((r) => setTimeout(r, 50));
    const s = await client.waitDeviceReady(sessionId, 10);
    expect(s.deviceCommState).toBe('ConnectedReady');
    const t = await client.sessionAction<Snapshot>(sessionId, 'nextTelemetry', { skip: 1 });
    expect(valueOf(t, 'state')).toBe(2);
    expect(valueOf(t, 'cmd_position')).toBe(12.5);
    const standby = await client.sessionAction<Record_>(sessionId, 'command', { name: 'SET_STATE', params: [3] });
    expect(standby.outcome).toBe('ack');
  });

  it('sends a command typed in the console as NAME params', async () => {
    const before = (await client.sessionAction<Record_[]>(sessionId, 'history')).length;
    await client.request('sendText', { sessionId, text: 'set_state 2\n' });
    let history: Record_[] = [];
    for (let i = 0; i < 50 && history.length <= before; i++) {
      await new Promise((r) => setTimeout(r, 20));
      history = await client.sessionAction<Record_[]>(sessionId, 'history');
    }
    expect(history.at(-1)).toMatchObject({ name: 'SET_STATE' });
    await expect(client.request('sendText', { sessionId, text: 'FLY 1' })).rejects.toThrow(/not connected|nothing was sent/);
  });

  it('refuses a layout with an error, naming line and column', async () => {
    const err = await client.createSession({
      protocol: 'hexrot', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port! },
      options: { layout: '#pragma config C 3\n#pragma telemetry T 2\nstruct C { double x; };\nstruct T { doubel y; };\n' },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidValueError);
    expect(err.message).toMatch(/line 4, column 12: unknown type "doubel"/);
  });

  it('stamps samples with the TAI time of the frame header, and falls back to the receive time for a clock that is not set', async () => {
    const taiNow = () => Date.now() / 1000 + 37;
    let headerTime = () => taiNow() - 2; // a controller clock 2 s behind the host's
    const frame = () => Buffer.concat([encodeHeader({ frameId: 2, counter: 0, time: headerTime() }, 'current'), Buffer.alloc(36, 0)]);
    const server = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.write(Buffer.concat([encodeHeader({ frameId: 3, counter: 0, time: taiNow() }, 'current'), Buffer.alloc(25)]));
      const timer = setInterval(() => { if (!sock.destroyed) sock.write(frame()); }, 20);
      sock.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const id = await client.createSession({ protocol: 'hexrot', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port } });
    const lastTime = () => {
      const sig = host.hub.store.list(id).find((x) => x.name === 'cmd_position')!;
      const n = host.hub.store.total(sig.id);
      const times = new Float64Array(1);
      host.hub.store.copySince(sig.id, n - 1, times, new Float64Array(1), 0, 1);
      return times[0]!;
    };
    try {
      await client.waitDeviceReady(id, 5);
      await new Promise((r) => setTimeout(r, 100));
      // Header time (TAI less 37 s): two seconds behind the receive time.
      expect(Date.now() / 1000 - lastTime()).toBeGreaterThan(1.8);
      expect(Date.now() / 1000 - lastTime()).toBeLessThan(2.5);
      // A controller whose clock reads 1970: receive time, and the session says why.
      headerTime = () => 37 + 5;
      await new Promise((r) => setTimeout(r, 150));
      expect(Math.abs(Date.now() / 1000 - lastTime())).toBeLessThan(0.5);
      const s = (await client.requestServerStatusUpdate())!.sessions.find((x) => x.sessionId === id)!;
      expect(s.lastProtocolError).toMatch(/telemetry header time 1970-01-01T00:00:05\.000Z is -\d+\.\d s from the host's clock: samples are stamped with their receive time/);
    } finally {
      await client.removeSession(id);
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reports an unknown frame id in the session status and reads on', async () => {
    const telemetry = () => Buffer.concat([encodeHeader({ frameId: 2, counter: 0, time: 0 }, 'current'), Buffer.alloc(36, 0)]);
    const server = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.write(Buffer.concat([encodeHeader({ frameId: 3, counter: 0, time: 0 }, 'current'), Buffer.alloc(25)]));
      // A frame id the layout does not know, then telemetry a moment later (after the flush).
      sock.write(Buffer.concat([encodeHeader({ frameId: 42, counter: 0, time: 0 }, 'current'), Buffer.alloc(62, 0xee)]));
      setTimeout(() => sock.write(telemetry()), 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const id = await client.createSession({ protocol: 'hexrot', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port } });
    try {
      await client.waitDeviceReady(id, 5);
      let s = (await client.requestServerStatusUpdate())!.sessions.find((x) => x.sessionId === id)!;
      for (let i = 0; i < 50 && s.counters.rxMessages < 2; i++) {
        await new Promise((r) => setTimeout(r, 20));
        s = (await client.requestServerStatusUpdate())!.sessions.find((x) => x.sessionId === id)!;
      }
      expect(s.lastProtocolError).toMatch(/unknown frame id 42 .*expected 1 \(command status\), 2 \(telemetry\) or 3 \(config\)/);
      expect(s.counters.frameErrors).toBe(1);
      expect(s.counters.resyncs).toBe(1);
      expect(s.counters.rxMessages).toBe(2);
    } finally {
      await client.removeSession(id);
      await new Promise((r) => server.close(r));
    }
  });
});
