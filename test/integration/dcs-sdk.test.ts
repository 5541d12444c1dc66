// DCS end to end: a real headless host listens as DCSS on a tcp-server link, the
// emulated DHS connects, and a script drives it with the SDK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { DEFAULT_HARDWARE_SERVER } from '../../main/protocols/dcs/config';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { BenchscopeClient, InvalidValueError, type WebSocketCtor } from 'benchscope/sdk';
import type { ProtocolEvent } from '../../shared/api/contract';

const WS = WebSocket as unknown as WebSocketCtor;
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('DCS through the host and the SDK', () => {
  let host: RunningHost;
  let dhs: DcsEmulator;
  let sessionId: string;
  const client = new BenchscopeClient();
  const events: ProtocolEvent[] = [];

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    client.on('protocol', (ev) => events.push(ev));
    sessionId = await client.createSession({ protocol: 'dcs', name: 'DCSS bench', linkType: 'tcp-server', linkConfig: { host: '127.0.0.1', port: 0 }, options: {} });
    let endpoint = '';
    for (let i = 0; i < 50 && !/:\d+$/.test(endpoint.replace(/:0$/, '')); i++) {
      const status = await client.requestServerStatusUpdate({ wait: true });
      endpoint = status!.sessions.find((s) => s.sessionId === sessionId)!.deviceLink.endpoint;
    }
    const port = Number(endpoint.split(':').pop());
    expect(port).toBeGreaterThan(0);
    dhs = await startDcsEmulator({ host: '127.0.0.1', port, reconnectMs: 100, tickMs: 20 });
  });

  afterAll(async () => {
    await dhs?.close();
    client.disconnect();
    await host?.close();
  });

  it('becomes ready once the DHS passed the handshake, with the devices of the configuration as signals', async () => {
    const s = await client.waitDeviceReady(sessionId, 5);
    expect(s.deviceCommState).toBe('ConnectedReady');
    const info = await client.getDeviceInfo(sessionId);
    expect(info?.displayName).toBe('DHS simdhs');
    const names = (await client.listSignals(sessionId)).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['sample_x', 'sample_y', 'gonio_phi', 'energy', 'i0', 'i1']));
  });

  it('moves a motor, streams its positions as telemetry and waits for completion', async () => {
    await dhs.whenRegistered();
    const signal = (await client.listSignals(sessionId)).find((x) => x.name === 'gonio_phi')!;
    const positions: number[] = [];
    const stop = await client.subscribe([signal.id], (blocks) => {
      for (const b of blocks) if (b.id === signal.id) positions.push(...b.values);
    });
    const started = await client.sessionAction<Any>(sessionId, 'moveMotor', { motor: 'gonio_phi', position: 9 });
    expect(started).toMatchObject({ motor: 'gonio_phi', moving: true, target: 9 });
    const done = await client.sessionAction<Any>(sessionId, 'waitMotor', { motor: 'gonio_phi', timeoutS: 10 }, 15);
    expect(done).toMatchObject({ position: 9, status: 'normal', moving: false });
    await new Promise((r) => setTimeout(r, 150));
    await stop();
    expect(positions.filter((p) => p > 0 && p < 9).length).toBeGreaterThanOrEqual(3);
    expect(positions.at(-1)).toBe(9);
    const kinds = events.filter((e) => e.sessionId === sessionId && e.protocol === 'dcs').map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['dhsConnected', 'motorMoveStarted', 'motorMoveCompleted']));
  });

  it('starts an operation and waits for its result, with its updates as protocol events', async () => {
    const { handle } = await client.sessionAction<{ handle: string }>(sessionId, 'startOperation', { operation: 'sim_scan', args: [3] });
    expect(handle).toMatch(/^1\.\d+$/);
    const result = await client.sessionAction<Any>(sessionId, 'waitOperation', { handle, timeoutS: 10 }, 15);
    expect(result).toMatchObject({ status: 'normal', ok: true, result: ['3', 'peak', '1.5'] });
    expect(result.updates).toHaveLength(3);
    const updates = events.filter((e) => e.kind === 'operationUpdate' && (e.data as Any).handle === handle);
    expect(updates).toHaveLength(3);
  });

  it('sends console text to the DHS as one message, echoed once in the console', async () => {
    const before = events.length;
    await client.request('sendText', { sessionId, text: 'stoh_get_encoder sample_x_encoder\n' });
    await expect.poll(() => events.slice(before).find((e) => e.kind === 'encoder')?.data, { timeout: 3000 }).toMatchObject({ encoder: 'sample_x_encoder', status: 'normal' });
    const lines = (await client.request('getConsole', { sessionId, limit: 50 })) as { dir: string; text: string }[];
    expect(lines.filter((l) => l.dir === 'tx' && l.text === 'stoh_get_encoder sample_x_encoder')).toHaveLength(1);
  });

  it('keeps the port it got (asked for port 0) when its DCS configuration is edited, so the DHS comes back with the new devices', async () => {
    const endpointOf = async () => (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((s) => s.sessionId === sessionId)!.deviceLink.endpoint;
    const before = await endpointOf();
    const options = { hardwareServers: [{ ...DEFAULT_HARDWARE_SERVER, realMotors: [...DEFAULT_HARDWARE_SERVER.realMotors, { name: 'table_z', units: 'mm' }] }] };
    await client.request('setSessionOptions', { sessionId, options });
    await expect.poll(() => dhs.registered.has('table_z'), { timeout: 5000 }).toBe(true);
    expect(await endpointOf()).toBe(before);
    await client.waitDeviceReady(sessionId, 5);
    await client.sessionAction(sessionId, 'moveMotor', { motor: 'table_z', position: 1 });
    expect(await client.sessionAction<Any>(sessionId, 'waitMotor', { motor: 'table_z', timeoutS: 10 }, 15)).toMatchObject({ position: 1, status: 'normal' });
  });

  it('refuses operation arguments that hold a space or are empty with InvalidValueError, and sends nothing', async () => {
    const sent = async () => ((await client.request('getConsole', { sessionId, limit: 1000 })) as { dir: string; text: string }[]).filter((l) => l.dir === 'tx' && l.text.startsWith('stoh_start_operation')).length;
    const before = await sent();
    const spaced = client.sessionAction(sessionId, 'startOperation', { operation: 'sim_scan', args: [3, 'two words'] });
    await expect(spaced).rejects.toBeInstanceOf(InvalidValueError);
    await expect(spaced).rejects.toThrow(/args\.1: "two words" holds a space and cannot be carried as one token: DCS operation arguments are space-separated tokens/);
    await expect(client.sessionAction(sessionId, 'startOperation', { operation: 'sim_scan', args: [''] })).rejects.toThrow(/args\.0: an empty argument cannot be carried/);
    await expect(client.sessionAction(sessionId, 'startOperation', { operation: 'sim_scan', args: ['tab\there'] })).rejects.toThrow(/holds the control character 0x09/);
    expect(await sent()).toBe(before);
  });

  it('answers a bad action with a typed error and the session carries on', async () => {
    await expect(client.sessionAction(sessionId, 'moveMotor', { motor: 'sample_x', position: 1e6 })).rejects.toBeInstanceOf(InvalidValueError);
    const tree = await client.sessionAction<Any>(sessionId, 'devices', {});
    expect(tree.hardwareServers[0]).toMatchObject({ name: 'simdhs', connected: true });
  });
});
