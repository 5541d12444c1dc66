// Scrutiny through the whole stack: a real headless host, the SDK over a WebSocket,
// and the emulated device on UDP loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from 'benchscope/sdk';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_FIRMWARE_ID, EMU_READONLY, emuVariable } from '../../main/protocols/scrutiny/emulator-memory';

const WS = WebSocket as unknown as WebSocketCtor;

describe('scrutiny through the host and the SDK', () => {
  let host: RunningHost;
  let emu: ScrutinyEmulator;
  let sessionId: string;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    emu = await startScrutinyEmulator({ transport: 'udp' });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    sessionId = await client.createSession({
      protocol: 'scrutiny', name: 'bench board', linkType: 'udp', linkConfig: { host: '127.0.0.1', port: emu.port! }, options: { pollHz: 50 },
    });
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emu.close();
  });

  it('becomes ready and reports the device as the seed DeviceInfo', async () => {
    const ready = await client.waitDeviceReady(sessionId, 5);
    expect(ready.protocol).toBe('scrutiny');
    expect(ready.deviceLink.type).toBe('udp');
    expect(ready.datalogging).toEqual({ state: 'Standby', completionRatio: null });
    const info = await client.getDeviceInfo(sessionId);
    expect(info).toMatchObject({
      sessionId: ready.deviceSessionId, deviceId: EMU_FIRMWARE_ID, displayName: 'Benchscope emulated scrutiny device',
      maxTxDataSize: 256, maxRxDataSize: 256, maxBitrateBps: null, rxTimeoutUs: 50_000, heartbeatTimeout: 5, addressSizeBits: 32,
      protocolMajor: 1, protocolMinor: 0, readonlyMemoryRegions: [EMU_READONLY],
    });
    expect(info!.dataloggingCapabilities!.samplingRates).toHaveLength(3);
  });

  it('streams the RPV signals to a subscriber', async () => {
    let signals = await client.listSignals(sessionId);
    for (let i = 0; i < 50 && signals.length < 7; i++) {
      await new Promise((r) => setTimeout(r, 20));
      signals = await client.listSignals(sessionId);
    }
    const counter = signals.find((s) => s.name === '/rpv/x1001')!;
    expect(counter).toBeDefined();
    const values: number[] = [];
    const stop = await client.subscribe([counter.id], (blocks) => {
      for (const b of blocks) if (b.id === counter.id) values.push(...b.values);
    });
    const end = Date.now() + 3000;
    while (values.length < 10 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(values.length).toBeGreaterThanOrEqual(10);
    // The loop counter only goes up.
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
  });

  it('runs actions: write a variable, read it back, refuse a read-only write with a typed error', async () => {
    const addr = emuVariable('/global/demo/setpoint').address;
    await client.sessionAction(sessionId, 'writeVariable', { address: addr, type: 'sint32', value: -42 });
    const r = await client.sessionAction<{ hexData: string }>(sessionId, 'readMemory', { address: addr, length: 4 });
    expect(Buffer.from(r.hexData, 'hex').readInt32LE(0)).toBe(-42);
    await expect(client.sessionAction(sessionId, 'writeMemory', { address: EMU_READONLY.start, hexData: '00' })).rejects.toThrow(/read-only region/);
    await expect(client.sessionAction(sessionId, 'nope', {})).rejects.toThrow(/no action "nope"/);
    await expect(client.sessionAction(sessionId, 'readMemory', { address: 'x' })).rejects.toThrow(/address/);
  });

  it('configures, arms, waits for and reads an acquisition through the SDK, with datalogging state in the status', async () => {
    await client.sessionAction(sessionId, 'dlConfigure', {
      loopId: 0, decimation: 4, probeLocation: 64, condition: 'gt',
      operands: [{ kind: 'rpv', id: 0x1000 }, { kind: 'literal', value: 0.5 }],
      signals: [{ kind: 'rpv', id: 0x1000 }, { kind: 'time' }],
    });
    await client.sessionAction(sessionId, 'dlArm', {});
    const states = new Set<string>();
    const off = client.on('status', (s) => {
      const mine = s.sessions.find((x) => x.sessionId === sessionId);
      if (mine) states.add(mine.datalogging.state);
    });
    await client.sessionAction(sessionId, 'dlWait', { timeoutS: 8 }, 10);
    const acq = await client.sessionAction<{ nPoints: number; triggerIndex: number; signals: { values: number[] }[] }>(sessionId, 'dlRead', {});
    off();
    expect(acq.nPoints).toBe(512);
    expect(acq.signals[0]!.values[acq.triggerIndex]).toBeGreaterThan(0.5);
    expect([...states].some((s) => s === 'WaitForTrigger' || s === 'Acquiring')).toBe(true);
  });
});
