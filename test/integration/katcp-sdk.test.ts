// KATCP end to end through a real headless host and the SDK: a session on the
// emulator, sensors, strategies, plots, the console and protocol events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, InvalidValueError, OperationFailureError, type WebSocketCtor } from 'benchscope/sdk';
import type { ProtocolEvent } from '../../shared/api/contract';
import { startKatcpEmulator, type KatcpEmulator } from '../../main/protocols/katcp/emulator';

const WS = WebSocket as unknown as WebSocketCtor;

interface SensorRow { name: string; type: string; value: string; status: string; strategy: string; strategyParams: number[] }
interface Reply { name: string; mid: number | null; reply: string[]; informs: string[][]; ok: boolean }

describe('KATCP through the host and the SDK', () => {
  let host: RunningHost;
  let emulator: KatcpEmulator;
  const client = new BenchscopeClient();
  let sessionId: string;

  beforeAll(async () => {
    emulator = await startKatcpEmulator({ host: '127.0.0.1', port: 0, logEveryMs: 50 });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    sessionId = await client.createSession({
      protocol: 'katcp', name: 'KATCP under test', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port },
      options: { sampling: [{ sensors: 'antenna.azimuth', strategy: 'period', params: [0.02] }] },
    });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emulator.close();
  });

  it('becomes ready with the protocol version, flags and versions in the device info', async () => {
    const status = await client.waitDeviceReady(sessionId, 10);
    expect(status.protocol).toBe('katcp');
    const info = await client.getDeviceInfo(sessionId);
    expect(info).toMatchObject({ protocolMajor: 5, protocolMinor: 1 });
    expect(info!.extra).toMatchObject({ flags: 'MIB', messageIds: true, device: 'telescope-subsystem-2.3 build-7' });
  });

  it('streams a period-sampled float sensor as telemetry', async () => {
    let signals = await client.listSignals(sessionId);
    for (let i = 0; i < 50 && !signals.some((s) => s.name === 'antenna.azimuth'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      signals = await client.listSignals(sessionId);
    }
    const azimuth = signals.find((s) => s.name === 'antenna.azimuth')!;
    expect(azimuth.unit).toBe('deg');
    let samples = 0;
    const stop = await client.subscribe([azimuth.id], (blocks) => {
      for (const b of blocks) if (b.id === azimuth.id) samples += b.times.length;
    });
    await new Promise((r) => setTimeout(r, 600));
    await stop();
    expect(samples).toBeGreaterThan(10); // 50/s asked
  });

  it('sets strategies, lists sensors and sends requests through sessionAction', async () => {
    const set = await client.sessionAction(sessionId, 'setStrategy', { sensor: 'fan.speed', strategy: 'differential', params: [10] });
    expect(set).toMatchObject({ ok: true, strategy: 'differential', params: [10] });
    const rows = await client.sessionAction<SensorRow[]>(sessionId, 'listSensors', { filter: '/^(fan|antenna)\\./' });
    expect(rows.map((r) => r.name)).toEqual(['antenna.azimuth', 'antenna.elevation', 'fan.speed']);
    expect(rows.find((r) => r.name === 'fan.speed')).toMatchObject({ type: 'integer', strategy: 'differential', strategyParams: [10] });
    const r = await client.sessionAction<Reply>(sessionId, 'request', { name: 'sensor-value', args: ['fan.speed'] });
    expect(r.ok).toBe(true);
    expect(r.mid).toBeGreaterThan(0);
    expect(r.informs[0]![2]).toBe('fan.speed');
    const bulk = await client.sessionAction<{ ok: boolean }[]>(sessionId, 'setStrategies', { sensors: ['drive.mode', 'drive.enabled'], strategy: 'event' });
    expect(bulk.map((b) => b.ok)).toEqual([true, true]);
  });

  it('refuses bad actions with typed errors', async () => {
    await expect(client.sessionAction(sessionId, 'setStrategy', { sensor: 'fan.speed', strategy: 'period', params: [-1] })).rejects.toBeInstanceOf(InvalidValueError);
    await expect(client.sessionAction(sessionId, 'frobnicate', {})).rejects.toThrow(/KATCP has no action "frobnicate" \(actions: request, /);
    await expect(client.sessionAction(sessionId, 'request', { name: 'bad name' })).rejects.toBeInstanceOf(InvalidValueError);
  });

  it('a request the server fails or rejects raises OperationFailureError with the server\'s code and reason', async () => {
    const failed = await client.sessionAction(sessionId, 'request', { name: 'sensor-value', args: ['no.such.sensor'] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OperationFailureError);
    expect((failed as OperationFailureError).device).toMatchObject({ code: 'fail' });
    expect((failed as OperationFailureError).device!.reason).toMatch(/no\.such\.sensor/);
    expect((failed as Error).message).toMatch(/^\?sensor-value refused by the KATCP server at .*: !sensor-value fail /);
    const invalid = await client.sessionAction(sessionId, 'request', { name: 'frobnicate' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(OperationFailureError);
    expect((invalid as OperationFailureError).device!.code).toBe('invalid');
    // A good request still resolves with its reply.
    expect(await client.sessionAction<Reply>(sessionId, 'request', { name: 'watchdog' })).toMatchObject({ ok: true, reply: ['ok'] });
  });

  it('broadcasts #log and sensor status changes as protocol events', async () => {
    const events: ProtocolEvent[] = [];
    const off = client.on('protocol', (e) => { if (e.sessionId === sessionId) events.push(e); });
    await client.sessionAction(sessionId, 'setStrategy', { sensor: 'rx.lna.current', strategy: 'event' });
    await new Promise((r) => setTimeout(r, 50));
    emulator.setSensor('rx.lna.current', 50, 'error');
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !(events.some((e) => e.kind === 'log') && events.some((e) => e.kind === 'sensor-status'))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    off();
    expect(events.find((e) => e.kind === 'log')!.protocol).toBe('katcp');
    expect(events.find((e) => e.kind === 'sensor-status')!.data).toMatchObject({ sensor: 'rx.lna.current', status: 'error' });
  });

  it('sends a request typed in the console and shows its reply', async () => {
    await client.request('subscribeConsole', { sessionId });
    await client.request('sendText', { sessionId, text: '?watchdog' });
    let lines: { text: string }[] = [];
    for (let i = 0; i < 100 && !lines.some((l) => /^!watchdog\[\d+\] ok$/.test(l.text)); i++) {
      await new Promise((r) => setTimeout(r, 20));
      lines = await client.request('getConsole', { sessionId, limit: 200 });
    }
    expect(lines.some((l) => /^!watchdog\[\d+\] ok$/.test(l.text))).toBe(true);
    await client.request('subscribeConsole', { sessionId: null });
  });
});
