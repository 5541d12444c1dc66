// Writes never change a value the user did not ask for: an integer write out of its
// type's range or with a fraction (RPV, variable, alias after its gain and offset, bit
// field, enum) is refused before anything reaches the device, naming the range; the
// SDK raises InvalidValueError; saturation happens only when asked for.
import { waitUntil } from '../support/wait';
import { runAction } from '../support/actions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, InvalidValueError, type WebSocketCtor } from 'benchscope/sdk';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_BASE, emuVariable } from '../../main/protocols/scrutiny/emulator-memory';
import { scrutinyHarness, type ScrutinyHarness } from './scrutiny-harness';
import { ApiError } from '../../shared/api/errors';

const open: ScrutinyHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** Write requests (Write, WriteMasked, WriteRPV) the device received. */
const writesReceived = (h: ScrutinyHarness) => ['3/2', '3/3', '3/5'].reduce((n, k) => n + (h.received.get(k) ?? 0), 0);

describe('scrutiny writes out of range', () => {
  it('refuses them before sending, naming the range, and leaves the firmware as it was', async () => {
    const h = await scrutinyHarness({}, { pollHz: 0 });
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    const memory = h.emu.device.memory;
    const setpoint = emuVariable('/global/demo/setpoint').address;
    const mode = emuVariable('/global/demo/motor/mode').address;
    memory.view.setInt32(setpoint - EMU_BASE, 1234, true);
    const refused = async (action: string, args: unknown, msg: RegExp) => {
      await expect(runAction('scrutiny', h.session, action, args)).rejects.toSatisfy((e: ApiError) => e.code === 'InvalidRequest' && msg.test(e.message));
    };
    await refused('writeVariable', { address: mode, type: 'uint8', value: 300 }, /^300 is out of range for uint8 \(0 to 255\): not sent$/);
    await refused('writeVariable', { address: setpoint, type: 'uint16', value: -1 }, /-1 is out of range for uint16 \(0 to 65535\)/);
    await refused('writeVariable', { address: setpoint, type: 'sint32', value: 99999999999 }, /99999999999 is out of range for sint32 \(-2147483648 to 2147483647\)/);
    await refused('writeVariable', { address: setpoint, type: 'sint32', value: 3.7 }, /3\.7 is not a whole number: sint32 takes integers/);
    await refused('writeVariable', { address: setpoint, type: 'uint32', value: 16, bitOffset: 1, bitSize: 4 }, /16 is out of range for a 4-bit field \(0 to 15\)/);
    await refused('writeRpv', { id: 0x1005, value: 300 }, /300 is out of range for uint8 \(0 to 255\)/);
    await refused('writeRpv', { id: 0x1005, value: 1.5 }, /1\.5 is not a whole number/);
    // By path: an enum variable, a bit field, an alias whose gain/offset gives a fraction, an alias beyond its own bounds.
    await refused('writePath', { path: '/global/demo/motor/mode', value: 256 }, /^\/global\/demo\/motor\/mode: 256 is out of range for uint8/);
    await refused('writePath', { path: '/global/demo/flags/level', value: '3.7' }, /flags\/level: 3\.7 is not a whole number: a 4-bit field/);
    await refused('writePath', { path: '/alias/setpoint', value: 10.25 }, /^\/alias\/setpoint: 10\.25 gives the raw value 0\.5: 0\.5 is not a whole number: sint32/);
    await refused('writePath', { path: '/alias/setpoint', value: 200 }, /200 is out of range for \/alias\/setpoint \(-100 to 100\)/);
    await refused('writePath', { path: '/alias/rpv/setpoint_f32', value: -50 }, /-50 is out of range for \/alias\/rpv\/setpoint_f32 \(-10 to 10\)/);
    expect(writesReceived(h)).toBe(0);
    expect(memory.view.getInt32(setpoint - EMU_BASE, true)).toBe(1234);
    expect(memory.rpv.get(0x1005)).toBe(0);
    // In range: written as given; an alias value whose raw is whole within rounding (1.2 / 0.1 -> 12) too.
    expect(await runAction('scrutiny', h.session, 'writePath', { path: '/alias/setpoint', value: 16 })).toEqual({ path: '/alias/setpoint', written: 12 });
    expect(memory.view.getInt32(setpoint - EMU_BASE, true)).toBe(12);
  });

  it('saturates and truncates toward zero only when the caller asks for it', async () => {
    const h = await scrutinyHarness({}, { pollHz: 0 });
    open.push(h);
    await waitUntil('ready', () => h.session.ready);
    const setpoint = emuVariable('/global/demo/setpoint').address;
    expect(await runAction('scrutiny', h.session, 'writeRpv', { id: 0x1005, value: 300, saturate: true })).toMatchObject({ written: 255 });
    expect(h.emu.device.memory.rpv.get(0x1005)).toBe(255);
    expect(await runAction('scrutiny', h.session, 'writeVariable', { address: setpoint, type: 'sint32', value: -3.7, saturate: true })).toMatchObject({ written: -3 });
    expect(h.emu.device.memory.view.getInt32(setpoint - EMU_BASE, true)).toBe(-3);
    expect(await runAction('scrutiny', h.session, 'writePath', { path: '/alias/setpoint', value: 1000, saturate: true })).toEqual({ path: '/alias/setpoint', written: 180 });
  });
});

describe('scrutiny writes out of range through the SDK', () => {
  let host: RunningHost;
  let emu: ScrutinyEmulator;
  let sessionId: string;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    emu = await startScrutinyEmulator({ transport: 'udp' });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    sessionId = await client.createSession({
      protocol: 'scrutiny', name: 'write board', linkType: 'udp', linkConfig: { host: '127.0.0.1', port: emu.port! }, options: { pollHz: 0 },
    });
    await client.waitDeviceReady(sessionId, 5);
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emu.close();
  });

  it('raises InvalidValueError naming the range', async () => {
    const at = emuVariable('/global/demo/setpoint').address - EMU_BASE;
    emu.device.memory.view.setInt32(at, 77, true);
    const err = await client.sessionAction(sessionId, 'writePath', { path: '/global/demo/setpoint', value: '3000000000' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InvalidValueError);
    expect((err as Error).message).toMatch(/3000000000 is out of range for sint32 \(-2147483648 to 2147483647\)/);
    expect(emu.device.memory.view.getInt32(at, true)).toBe(77);
  });
});
