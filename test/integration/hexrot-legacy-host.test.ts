// The legacy hexapod generation through the hub and the SDK: a session on the
// two-port server link (port 0: the system picks both ports, and the status says
// which), each socket's state in the status and in the console, telemetry
// plotted, commands put with their counters, as the seed's CommandTelemetryServer.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { startHexrotEmulator, type HexrotEmulator } from '../../main/protocols/hexrot/emulator';
import { BenchscopeClient, HexrotSession, InvalidValueError, type WebSocketCtor } from '../../shared/client';

describe('legacy hexapod generation through the host', () => {
  let host: RunningHost;
  let emu: HexrotEmulator | undefined;
  const client = new BenchscopeClient();
  let sessionId = '';
  const status = () => client.getLatestServerStatus()!.sessions.find((s) => s.sessionId === sessionId)!;

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    await client.request('subscribeConsole', { sessionId: null });
  });

  afterAll(async () => {
    await emu?.close();
    client.disconnect();
    await host?.close();
  });

  it('listens on two free ports, reported, and is connected only when the controller has both sockets', async () => {
    sessionId = await client.createSession({
      protocol: 'hexrot', name: 'Old hexapod', linkType: 'hexrot-legacy-server', linkConfig: { host: '127.0.0.1', port: 0 }, options: { layout: 'simple' },
    });
    await client.request('subscribeConsole', { sessionId });
    await expect.poll(() => status()?.deviceLink.sockets?.every((s) => s.port !== null), { timeout: 5000 }).toBe(true);
    const [telemetry, command] = status().deviceLink.sockets!;
    expect(telemetry).toMatchObject({ name: 'telemetry', connected: false });
    expect(command).toMatchObject({ name: 'command', connected: false });
    expect(command!.port).toBeGreaterThan(0);
    expect(command!.port).not.toBe(telemetry!.port);
    expect(status().deviceLink.endpoint).toBe(`hexrot legacy server 127.0.0.1:${telemetry!.port} (telemetry) + :${command!.port} (command)`);
    expect(status().deviceLink.operational).toBe(false);

    emu = await startHexrotEmulator({ generation: 'legacy', host: '127.0.0.1', port: telemetry!.port!, commandPort: command!.port!, rate: 50 });
    await client.waitDeviceReady(sessionId, 10);
    expect(status().deviceLink.sockets!.map((s) => s.connected)).toEqual([true, true]);
    expect(status().deviceLink.operational).toBe(true);
    const info = await client.getDeviceInfo(sessionId);
    expect(info!.extra.generation).toBe('legacy');
    const lines = await client.request('getConsole', { sessionId, limit: 100 });
    expect(lines.some((l) => /telemetry socket connected/.test(l.text))).toBe(true);
    expect(lines.some((l) => /command socket connected/.test(l.text))).toBe(true);
  });

  it('plots telemetry and puts commands with per-code counters; a dropped socket is reported and comes back', async () => {
    const signals = await client.listSignals(sessionId);
    const pos = signals.find((s) => s.name === 'cmd_position')!;
    await expect.poll(async () => (await client.listSignals(sessionId)).find((s) => s.id === pos.id)!.total, { timeout: 5000 }).toBeGreaterThan(5);
    // Through the SDK's typed helpers, as the seed's putCommand / nextTelemetry.
    const hexapod = new HexrotSession(client, sessionId);
    expect(await hexapod.putCommand('SET_STATE', [2])).toMatchObject({ counter: 1, code: 1 });
    expect(await hexapod.putCommand('MOVE', [3.5])).toMatchObject({ counter: 1, code: 4, name: 'MOVE', params: [3.5] });
    expect(await hexapod.putCommand(4, [3.5])).toMatchObject({ counter: 2, code: 4 });
    await expect.poll(() => emu!.controller.commandsRun, { timeout: 5000 }).toBe(3);
    const values = await hexapod.telemetryValues(1);
    expect(values!.cmd_position).toBe(3.5);
    expect(values!.state).toBe(2);
    const now = await hexapod.nextTelemetry(0);
    expect(now!.count).toBeGreaterThanOrEqual(1);
    await expect(hexapod.nextTelemetry(-1)).rejects.toBeInstanceOf(InvalidValueError);
    await expect(hexapod.putCommand('MOVE', [1, 2, 3, 4, 5, 6, 7])).rejects.toThrow(/six parameters at most/);
    await expect(hexapod.putCommand('MOVE', [Number.NaN])).rejects.toThrow(/parameter 1 is not a finite number/);
    await expect(hexapod.command('MOVE', [1])).rejects.toThrow(/use putCommand/);

    emu!.dropConnection();
    await expect.poll(() => status().deviceLink.operational, { timeout: 5000 }).toBe(false);
    // The reason names the peer that left, read while it was still connected.
    await expect.poll(() => status().deviceLink.lastError ?? '', { timeout: 5000 }).toMatch(/the controller closed the (telemetry|command) socket \(127\.0\.0\.1:\d+\)/);
    expect(status().deviceLink.lastError).not.toMatch(/undefined/);
    await expect.poll(() => status().deviceCommState, { timeout: 15_000 }).toBe('ConnectedReady');
    const lines = await client.request('getConsole', { sessionId, limit: 200 });
    expect(lines.some((l) => /socket disconnected/.test(l.text))).toBe(true);
  });

  it('nextTelemetry waits for two new frames by default, as the seed\'s next_telemetry', async () => {
    const hexapod = new HexrotSession(client, sessionId);
    const before = (await hexapod.nextTelemetry(0))!.count;
    const sdk = (await hexapod.nextTelemetry())!.count;
    expect(sdk).toBeGreaterThanOrEqual(before + 2);
    const action = await client.sessionAction<{ count: number }>(sessionId, 'nextTelemetry', {});
    expect(action.count).toBeGreaterThanOrEqual(sdk + 2);
  });

  it('shows the link\'s own counters: a refused second controller, bytes sent on the command socket, each socket\'s peer', async () => {
    const [telemetry] = status().deviceLink.sockets!;
    expect(telemetry!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(status().counters).toMatchObject({ refusedConnections: 0, ignoredRxBytes: 0 });
    const second = net.createConnection({ host: '127.0.0.1', port: telemetry!.port! });
    second.on('error', () => {});
    await new Promise((r) => second.once('close', r));
    expect(emu!.sendRaw(Buffer.alloc(17, 0x55), 'command')).toBe(true);
    await expect.poll(() => status().counters.ignoredRxBytes, { timeout: 5000 }).toBe(17);
    expect(status().counters.refusedConnections).toBe(1);
    const sockets = status().deviceLink.sockets!;
    expect(sockets.map((s) => [s.name, s.refusedConnections, s.rxBytes! > 0])).toEqual([['telemetry', 1, true], ['command', 0, true]]);
    expect(sockets[1]!.rxBytes).toBe(17);
    expect(status().deviceLink.operational).toBe(true);
  });
});
