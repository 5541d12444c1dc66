// Protocol actions have one table (shared/api/protocol-actions.ts): the hub validates
// arguments with it and keeps where each problem is, a session describes its actions
// from it, and the SDK's action() takes its argument and result types from it.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, InvalidValueError, type WebSocketCtor } from 'benchscope/sdk';
import type { KatcpReply, KatcpSensorRow } from '../../shared/api/katcp';
import { startKatcpEmulator, type KatcpEmulator } from '../../main/protocols/katcp/emulator';

const WS = WebSocket as unknown as WebSocketCtor;

describe('typed protocol actions', () => {
  let host: RunningHost;
  let emulator: KatcpEmulator;
  const client = new BenchscopeClient();
  let sessionId: string;

  beforeAll(async () => {
    emulator = await startKatcpEmulator({ host: '127.0.0.1', port: 0 });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    sessionId = await client.createSession({ protocol: 'katcp', name: 'KATCP typed', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port }, autoConnect: false });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emulator.close();
  });

  it('refuses bad arguments with the path of each problem, before asking whether the device is there', async () => {
    const err = await client.sessionAction(sessionId, 'setStrategy', { sensor: '', strategy: 'sometimes', extra: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidValueError);
    const paths = (err as InvalidValueError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['args', 'args.sensor', 'args.strategy']);
    expect((err as Error).message).toMatch(/^setStrategy: .*strategy: Strategy must be one of none, auto/);
    const unknown = await client.sessionAction(sessionId, 'frobnicate', {}).catch((e: unknown) => e);
    expect((unknown as InvalidValueError).issues).toEqual([{ path: 'action', message: 'Unknown action "frobnicate"' }]);
    // Valid arguments reach the connection check: this session was never connected.
    await expect(client.sessionAction(sessionId, 'listSensors', {})).rejects.toThrow(/is not connected/);
  });

  it('describes its actions with their help and argument schemas', async () => {
    const described = await client.describeActions(sessionId);
    expect(described.map((d) => d.name)).toEqual(['request', 'setStrategy', 'setStrategies', 'listSensors', 'logLevel', 'help', 'logs']);
    const setStrategy = described.find((d) => d.name === 'setStrategy')!;
    expect(setStrategy.help).toMatch(/sampling strategy/);
    expect(setStrategy.args).toMatchObject({ type: 'object', properties: { sensor: { type: 'string' }, strategy: { enum: expect.arrayContaining(['event', 'period']) } }, required: expect.arrayContaining(['sensor', 'strategy']) });
  });

  it('gives typed results through action() once connected', async () => {
    await client.request('connectSession', { sessionId });
    await client.waitDeviceReady(sessionId, 10);
    const katcp = { sessionId, protocol: 'katcp' as const };
    const rows = await client.action(katcp, 'listSensors', {});
    expectTypeOf(rows).toEqualTypeOf<KatcpSensorRow[]>();
    expect(rows.length).toBeGreaterThan(0);
    const reply = await client.actionsOf('katcp', sessionId)('request', { name: 'watchdog' });
    expectTypeOf(reply).toEqualTypeOf<KatcpReply>();
    expect(reply.reply[0]).toBe('ok');
    // @ts-expect-error: not a KATCP action, refused by the compiler as by the hub
    await expect(client.action(katcp, 'moveMotor', {})).rejects.toThrow(/KATCP has no action "moveMotor"/);
  });
});
