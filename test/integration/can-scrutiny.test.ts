// Scrutiny over CAN through the whole stack (host, SDK over WebSocket): the emulated
// firmware's byte stream is carried on CAN ids 0x100 (host to device) and 0x200 (device
// to host), on the virtual bus and through an SLCAN adapter emulator on a pty pair.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from 'benchscope/sdk';
import { SlcanEmulator } from '../../main/links/can/slcan-emulator';
import { bridgeTcpToCan } from '../../main/links/can/stream-bridge';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_FIRMWARE_ID, emuVariable } from '../../main/protocols/scrutiny/emulator-memory';
import { ptyPair, type PtyPair } from './can-support';

const WS = WebSocket as unknown as WebSocketCtor;

describe.each([
  { via: 'the virtual bus', slcan: false, fd: false, extended: false },
  { via: 'the virtual bus with CAN FD and extended ids', slcan: false, fd: true, extended: true },
  { via: 'an SLCAN adapter on a pty pair', slcan: true, fd: false, extended: false },
])('scrutiny over CAN through $via', ({ slcan, fd, extended }) => {
  let host: RunningHost;
  let emu: ScrutinyEmulator;
  let bridge: { close(): Promise<void> };
  let adapter: SlcanEmulator | null = null;
  let pty: PtyPair | null = null;
  let sessionId: string;
  const client = new BenchscopeClient();
  const bus = `scrutiny-${slcan}-${fd}`;
  const txid = extended ? 0x18da0100 : 0x100;
  const rxid = extended ? 0x18da0200 : 0x200;

  beforeAll(async () => {
    emu = await startScrutinyEmulator({ transport: 'tcp' });
    bridge = await bridgeTcpToCan({ bus, rxid: txid, txid: rxid, extended, fd }, '127.0.0.1', emu.port!);
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    let subconfig: Record<string, unknown> = { bus };
    if (slcan) {
      pty = await ptyPair();
      adapter = await SlcanEmulator.start({ path: pty.device, bus });
      subconfig = { portname: pty.host, bitrate: 1000000 };
    }
    sessionId = await client.createSession({
      protocol: 'scrutiny', name: 'board on CAN', linkType: 'can',
      linkConfig: { interface: slcan ? 'slcan' : 'virtual', txid, rxid, extended_id: extended, fd, bitrate_switch: fd, subconfig },
      options: { pollHz: 20 },
    });
  }, 15_000);

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await adapter?.close();
    pty?.close();
    await bridge.close();
    await emu.close();
  });

  it('completes the handshake and reads the device info', async () => {
    const ready = await client.waitDeviceReady(sessionId, 10);
    expect(ready.deviceLink.type).toBe('can');
    expect(ready.deviceLink.operational).toBe(true);
    const info = await client.getDeviceInfo(sessionId);
    expect(info).toMatchObject({ deviceId: EMU_FIRMWARE_ID, protocolMajor: 1, protocolMinor: 0, maxRxDataSize: 256 });
  }, 15_000);

  it('writes and reads memory', async () => {
    const addr = emuVariable('/global/demo/setpoint').address;
    await client.sessionAction(sessionId, 'writeVariable', { address: addr, type: 'sint32', value: -1234567 });
    const r = await client.sessionAction<{ hexData: string }>(sessionId, 'readMemory', { address: addr, length: 4 });
    expect(Buffer.from(r.hexData, 'hex').readInt32LE(0)).toBe(-1234567);
  });

  it('runs a datalogging acquisition', async () => {
    await client.sessionAction(sessionId, 'dlConfigure', {
      loopId: 0, decimation: 4, probeLocation: 64, condition: 'gt',
      operands: [{ kind: 'rpv', id: 0x1000 }, { kind: 'literal', value: 0.5 }],
      signals: [{ kind: 'rpv', id: 0x1000 }, { kind: 'time' }],
    });
    await client.sessionAction(sessionId, 'dlArm', {});
    await client.sessionAction(sessionId, 'dlWait', { timeoutS: 10 }, 12);
    const acq = await client.sessionAction<{ nPoints: number; triggerIndex: number; signals: { values: number[] }[] }>(sessionId, 'dlRead', {}, 10);
    expect(acq.nPoints).toBe(512);
    expect(acq.signals[0]!.values[acq.triggerIndex]).toBeGreaterThan(0.5);
  }, 20_000);

  it('shows the traffic in the CAN monitor, with the frame lengths the link cut', async () => {
    // The monitor taps the link from the first time it is asked (when the panel opens).
    let snap = await client.request('canMonitor', { sessionId });
    expect(snap.operational).toBe(true);
    const row = (id: number, dir: string) => snap.rows.find((r) => r.id === id && r.dir === dir);
    const end = Date.now() + 5000;
    while (((row(txid, 'tx')?.count ?? 0) < 10 || (row(rxid, 'rx')?.count ?? 0) < 10) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      snap = await client.request('canMonitor', { sessionId });
    }
    const tx = row(txid, 'tx')!;
    const rx = row(rxid, 'rx')!;
    expect(tx.count).toBeGreaterThanOrEqual(10);
    expect(rx.count).toBeGreaterThanOrEqual(10);
    expect(rx.periodMs).toBeGreaterThan(0);
    expect(tx.extended).toBe(extended);
    expect(rx.fd).toBe(fd);
    const valid = fd ? [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] : [1, 2, 3, 4, 5, 6, 7, 8];
    expect(valid).toContain(rx.length);
    expect(snap.stats.rxFrames).toBeGreaterThanOrEqual(rx.count);
    expect(snap.stats.malformed).toBe(0);
  });
});
