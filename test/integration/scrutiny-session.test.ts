// Benchscope as the Scrutiny host over real UDP and TCP sockets against the emulated
// device: handshake and info poll, heartbeats, session loss and recovery, Disconnect
// on close, actions (memory, RPVs, watch, user command, datalogging), throttling.
import { waitUntil } from '../support/wait';
import { runAction } from '../support/actions';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkSpec } from '../../shared/api/link-config';
import { createLink } from '../../main/links/factory';
import type { Link } from '../../main/links/link';
import type { AdapterContext } from '../../main/protocols/adapter';
import { ScrutinyOptionsSchema } from '../../shared/api/scrutiny-options';
import { ScrutinySession } from '../../main/protocols/scrutiny/session';
import { startScrutinyEmulator, type ScrutinyEmulator, type ScrutinyEmulatorOptions } from '../../main/protocols/scrutiny/emulator';
import { EMU_FIRMWARE_ID, EMU_FORBIDDEN, EMU_READONLY, emuVariable } from '../../main/protocols/scrutiny/emulator-memory';
import { TelemetryStore } from '../../main/telemetry/store';
import { emulatorSfdSource } from '../../main/protocols/scrutiny/emulator-sfd';
import { buildSfd } from '../../main/protocols/scrutiny/sfd';
import { ApiError } from '../../shared/api/errors';

interface Harness {
  emu: ScrutinyEmulator;
  session: ScrutinySession;
  link: Link;
  store: TelemetryStore;
  events: { kind: string; data: unknown }[];
  close(): Promise<void>;
}

const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(transport: 'udp' | 'tcp', device: Partial<ScrutinyEmulatorOptions> = {}, options: Record<string, unknown> = {}, before?: (emu: ScrutinyEmulator) => void): Promise<Harness> {
  const emu = await startScrutinyEmulator({ transport, ...device });
  before?.(emu);
  const spec = { type: transport, config: { host: '127.0.0.1', port: emu.port! } } as LinkSpec;
  const link = createLink(spec, { backoff: { initialMs: 50, maxMs: 200 } });
  const store = new TelemetryStore({ capacity: 1 << 14 });
  const events: { kind: string; data: unknown }[] = [];
  const ctx: AdapterContext = {
    sessionId: 'test',
    linkKind: link.kind,
    signal: (name, unit) => store.declare('test', name, unit),
    sample: (id, t, v) => store.append(id, t, v),
    write: (bytes) => link.write(bytes),
    consoleWanted: () => false,
    console: () => {},
    event: (kind, data) => events.push({ kind, data }),
    statusChanged: () => {},
  };
  const session = new ScrutinySession(ctx, ScrutinyOptionsSchema.parse({ requestTimeoutMs: 200, ...options }));
  link.setEvents({
    onData: (chunk, t) => session.onData(chunk, t),
    onState: (state) => (state === 'Connected' ? session.onLinkUp() : session.onLinkDown()),
  });
  link.open();
  const h: Harness = {
    emu, session, link, store, events,
    close: async () => {
      session.dispose();
      await link.close();
      await emu.close();
    },
  };
  open.push(h);
  return h;
}

const signalTotal = (h: Harness, name: string) => {
  const s = h.store.list('test').find((x) => x.name === name);
  return s ? h.store.total(s.id) : 0;
};

describe('scrutiny session over UDP', () => {
  it('discovers, connects, polls the device description and fills every DeviceInfo field', async () => {
    const h = await harness('udp', { rxBufferSize: 128, txBufferSize: 200, maxBitrate: 1_000_000 });
    await waitUntil('ready', () => h.session.ready);
    const info = h.session.deviceInfo('uuid')!;
    expect(info).toMatchObject({
      sessionId: 'uuid', deviceId: EMU_FIRMWARE_ID, displayName: 'Benchscope emulated scrutiny device',
      maxTxDataSize: 200, maxRxDataSize: 128, maxBitrateBps: 1_000_000, rxTimeoutUs: 50_000, heartbeatTimeout: 5,
      addressSizeBits: 32, protocolMajor: 1, protocolMinor: 0,
      supportedFeatures: { memoryWrite: true, datalogging: true, userCommand: true, sixtyfourBits: true },
      forbiddenMemoryRegions: [EMU_FORBIDDEN], readonlyMemoryRegions: [EMU_READONLY],
      dataloggingCapabilities: {
        encoding: 'RAW', bufferSize: 4096, maxNbSignal: 32,
        samplingRates: [{ identifier: 0, name: 'Control 1kHz', frequency: 1000 }, { identifier: 1, name: 'Idle task', frequency: null }, { identifier: 2, name: 'Comms 100Hz', frequency: 100 }],
      },
    });
    expect(info.extra.deviceSessionId).toBe(`0x${h.emu.device.sessionId!.toString(16).padStart(8, '0')}`);
    expect(h.session.datalogging()).toEqual({ state: 'Standby', completionRatio: null });
  });

  it('streams every RPV as a /rpv/xNNNN signal in batched ReadRPV requests', async () => {
    const h = await harness('udp', {}, { pollHz: 50 });
    await waitUntil('ready', () => h.session.ready);
    await waitUntil('RPV samples', () => signalTotal(h, '/rpv/x1000') >= 5 && signalTotal(h, '/rpv/x1006') >= 5);
    const names = h.store.list('test').map((s) => s.name).sort();
    expect(names).toEqual(['/rpv/x1000', '/rpv/x1001', '/rpv/x1002', '/rpv/x1003', '/rpv/x1004', '/rpv/x1005', '/rpv/x1006']);
    const sig = h.store.list('test').find((s) => s.name === '/rpv/x1006')!;
    const t = new Float64Array(1), v = new Float64Array(1);
    h.store.copySince(sig.id, h.store.total(sig.id) - 1, t, v, 0, 1);
    expect(v[0]).toBe(1.5);
  });

  it('sends heartbeats with a fresh challenge often enough to keep a short-timeout session', async () => {
    const h = await harness('udp', { heartbeatTimeoutUs: 800_000 });
    await waitUntil('ready', () => h.session.ready);
    const sessionId = h.emu.device.sessionId;
    await new Promise((r) => setTimeout(r, 1800));
    // Period max(0.5 s, 0.75 x 0.8 s) = 0.6 s: 2 or 3 beats, each accepted (a repeated challenge would be refused).
    expect(h.emu.device.counters.heartbeats).toBeGreaterThanOrEqual(2);
    expect(h.emu.device.counters.heartbeats).toBeLessThanOrEqual(4);
    expect(h.emu.device.counters.sessionsExpired).toBe(0);
    expect(h.emu.device.sessionId).toBe(sessionId);
  });

  it('detects a session the device dropped and reconnects by itself', async () => {
    const h = await harness('udp', { heartbeatTimeoutUs: 600_000 });
    await waitUntil('ready', () => h.session.ready);
    const first = h.emu.device.sessionId;
    h.emu.device.dropSession();
    await waitUntil('the loss noticed', () => h.events.some((e) => e.kind === 'scrutiny.sessionLost'), 3000);
    await waitUntil('ready again', () => h.session.ready && h.session.connects === 2, 3000);
    expect(h.emu.device.sessionId).not.toBe(first);
    expect(h.session.lostCount).toBe(1);
  });

  it('counts a malformed answer during the info poll, gives the session back and connects on the next try', async () => {
    const h = await harness('udp', {}, {}, (emu) => { emu.device.faults.shortGetParams = 1; });
    await waitUntil('ready', () => h.session.ready, 3000);
    expect(h.emu.device.counters.sessionsOpened).toBe(2);
    expect(h.session.counters.frameErrors).toBeGreaterThanOrEqual(1);
  });

  it('detects a silent device and recovers when it answers again', async () => {
    const h = await harness('udp', {}, { pollHz: 50 });
    await waitUntil('ready', () => h.session.ready);
    h.emu.device.mute = true;
    await waitUntil('not ready', () => !h.session.ready, 3000);
    expect(h.session.lastError).toMatch(/session with the device lost .*unanswered|heartbeat failed/);
    h.emu.device.mute = false;
    // The device still holds the old session: the host's Disconnect releases it, so no Busy.
    await waitUntil('ready again', () => h.session.ready, 3000);
    expect(h.session.connects).toBe(2);
  });

  it('reads and writes memory and RPVs, and refuses what the device forbids before sending', async () => {
    const h = await harness('udp', { rxBufferSize: 64, txBufferSize: 64 }, { pollHz: 0 });
    await waitUntil('ready', () => h.session.ready);
    const ro = await runAction('scrutiny', h.session, 'readMemory', { address: EMU_READONLY.start, length: 100 }) as { hexData: string };
    expect(ro.hexData.slice(0, 8 + 28)).toBe('03020100' + Buffer.from('BENCHSCOPE-EMU').toString('hex'));
    const setpoint = emuVariable('/global/demo/setpoint').address;
    await runAction('scrutiny', h.session, 'writeMemory', { address: setpoint, hexData: 'f6ffffff' });
    await runAction('scrutiny', h.session, 'writeVariable', { address: emuVariable('/global/demo/flags/level').address, type: 'uint32', value: 1, bitOffset: 30, bitSize: 2 });
    expect((await runAction('scrutiny', h.session, 'readMemory', { address: setpoint, length: 4 }) as { hexData: string }).hexData).toBe('f6ffffff');
    const before = h.emu.device.counters.requests;
    const refused = async (action: string, args: unknown, msg: RegExp) => {
      await expect(runAction('scrutiny', h.session, action, args)).rejects.toSatisfy((e: ApiError) => e.code === 'InvalidRequest' && msg.test(e.message));
    };
    await refused('writeMemory', { address: EMU_READONLY.end, hexData: '0000' }, /read-only region 0x20000800\.\.0x200008ff: not sent/);
    await refused('readMemory', { address: EMU_FORBIDDEN.start - 1, length: 2 }, /forbidden region/);
    await refused('watch', { variables: [{ path: '/x', address: EMU_FORBIDDEN.start, type: 'uint8' }] }, /forbidden region/);
    await refused('writeRpv', { id: 0x4242, value: 1 }, /no RPV 0x4242/);
    await refused('readMemory', { address: -1, length: 2 }, /address/);
    expect(h.emu.device.counters.requests).toBe(before); // nothing reached the device
    await runAction('scrutiny', h.session, 'writeRpv', { id: 0x1006, value: -7.25 });
    const rpv = await runAction('scrutiny', h.session, 'readRpv', { ids: [0x1006, 0x1001] }) as { values: { id: number; value: number }[] };
    expect(rpv.values[0]).toMatchObject({ id: 0x1006, value: -7.25 });
    expect(await runAction('scrutiny', h.session, 'userCommand', { subfunction: 7, hexData: 'a1b2' })).toEqual({ subfunction: 7, hexData: 'b2a1' });
  });

  it('refuses writes when the device does not allow them', async () => {
    const h = await harness('udp', { memoryWrite: false }, { pollHz: 0 });
    await waitUntil('ready', () => h.session.ready);
    await expect(runAction('scrutiny', h.session, 'writeMemory', { address: emuVariable('/global/demo/gain').address, hexData: '00' })).rejects.toThrow(/does not allow memory writes/);
    await expect(runAction('scrutiny', h.session, 'writeRpv', { id: 0x1005, value: 1 })).rejects.toThrow(/does not allow writes/);
  });

  it('watches variables with merged reads: a moving sine, a struct, an enum, bitfields, an array element, a scaled alias', async () => {
    const h = await harness('udp', {}, { pollHz: 100 });
    await waitUntil('ready', () => h.session.ready);
    const v = (p: string) => emuVariable(p);
    await runAction('scrutiny', h.session, 'watch', { variables: [
      { path: '/global/demo/sine', address: v('/global/demo/sine').address, type: 'float32' },
      { path: '/global/demo/counter', address: v('/global/demo/counter').address, type: 'uint32' },
      { path: '/global/demo/motor/mode', address: v('/global/demo/motor/mode').address, type: 'uint8' },
      { path: '/global/demo/flags/phase', address: v('/global/demo/flags/phase').address, type: 'uint32', bitOffset: 8, bitSize: 8 },
      { path: '/global/demo/samples[7]', address: v('/global/demo/samples').address + 28, type: 'float32' },
      { path: '/alias/counter_ms', address: v('/global/demo/counter').address, type: 'uint32', gain: 0.001, offset: 0 },
      { path: '/static/main.c/version', address: EMU_READONLY.start, type: 'uint32' },
    ] });
    await waitUntil('watched samples', () => signalTotal(h, '/global/demo/sine') >= 20);
    const last = (name: string, n = 1) => {
      const s = h.store.list('test').find((x) => x.name === name)!;
      const t = new Float64Array(n), val = new Float64Array(n);
      h.store.copySince(s.id, h.store.total(s.id) - n, t, val, 0, n);
      return Array.from(val);
    };
    const sines = last('/global/demo/sine', 20);
    expect(new Set(sines).size).toBeGreaterThan(10);
    for (const s of sines) expect(Math.abs(s)).toBeLessThanOrEqual(1);
    expect(last('/global/demo/flags/phase')[0]).toBeLessThan(256);
    expect(last('/static/main.c/version')[0]).toBe(0x00010203);
    expect([0, 1, 2, 3]).toContain(last('/global/demo/motor/mode')[0]);
    const [counter] = last('/global/demo/counter');
    const [ms] = last('/alias/counter_ms');
    expect(ms).toBeCloseTo(counter! / 1000, 6);
    // The main variables sit within 64 bytes, the version 2 KiB away: 2 blocks, one request.
    const status = await runAction('scrutiny', h.session, 'watchStatus', {}) as { variables: unknown[] };
    expect(status.variables).toHaveLength(7);
    expect(h.session.deviceInfo('x')!.extra.watchedVariables).toBe(7);
    // Write through the watch path and read it back.
    await runAction('scrutiny', h.session, 'writeVariable', { address: v('/global/demo/gain').address, type: 'float32', value: 0 });
    await new Promise((r) => setTimeout(r, 100));
    const zero = last('/global/demo/sine', 3);
    expect(zero.every((x) => x === 0)).toBe(true);
  });

  it('throttles requests to the device max_bitrate', async () => {
    const h = await harness('udp', { maxBitrate: 20_000 }, { pollHz: 1000 });
    await waitUntil('ready', () => h.session.ready);
    const bytes0 = h.link.counters.txBytes + h.link.counters.rxBytes;
    await new Promise((r) => setTimeout(r, 1000));
    const bits = (h.link.counters.txBytes + h.link.counters.rxBytes - bytes0) * 8;
    expect(bits).toBeLessThanOrEqual(20_000 * 1.15);
    expect(bits).toBeGreaterThan(20_000 * 0.3); // and it did use the link: throttled, not stalled
  });

  it('configures, arms, waits for and downloads an acquisition, and rejects one with a bad CRC', async () => {
    const h = await harness('udp', { txBufferSize: 128 }, { pollHz: 0 });
    await waitUntil('ready', () => h.session.ready);
    await expect(runAction('scrutiny', h.session, 'dlConfigure', { loopId: 2, condition: 'alwaysTrue', signals: [{ kind: 'time' }] })).rejects.toThrow(/does not allow datalogging/);
    await expect(runAction('scrutiny', h.session, 'dlConfigure', { loopId: 0, condition: 'gt', operands: [{ kind: 'literal', value: 1 }], signals: [{ kind: 'time' }] })).rejects.toThrow(/takes 2 operand/);
    const cfg = await runAction('scrutiny', h.session, 'dlConfigure', {
      loopId: 0, decimation: 2, probeLocation: 128, condition: 'gt',
      operands: [{ kind: 'rpv', id: 0x1000 }, { kind: 'literal', value: 0.9 }],
      signals: [{ kind: 'memory', address: emuVariable('/global/demo/sine').address, type: 'float32', name: 'sine' }, { kind: 'rpv', id: 0x1001 }, { kind: 'time' }],
    }) as { entrySize: number; maxPoints: number };
    expect(cfg).toMatchObject({ entrySize: 12, maxPoints: 341 });
    await runAction('scrutiny', h.session, 'dlArm', {});
    const done = await runAction('scrutiny', h.session, 'dlWait', { timeoutS: 5 }) as { state: string; completionRatio: number };
    expect(done).toMatchObject({ state: 'completed', completionRatio: 1 });
    const acq = await runAction('scrutiny', h.session, 'dlRead', {}) as { nPoints: number; triggerIndex: number; time: number[]; signals: { name: string; values: number[] }[]; crcOk: boolean };
    expect(acq.crcOk).toBe(true);
    expect(acq.nPoints).toBe(341);
    expect(acq.signals.map((s) => s.name)).toEqual(['sine', '/rpv/x1001', 'time']);
    expect(acq.time[1]! - acq.time[0]!).toBeCloseTo(0.002, 9);
    expect(acq.signals[0]!.values[acq.triggerIndex]).toBeGreaterThan(0.9);
    expect(acq.signals[1]!.values[1]! - acq.signals[1]!.values[0]!).toBe(2);
    h.emu.device.faults.acquisitionCrc = true;
    await expect(runAction('scrutiny', h.session, 'dlRead', {})).rejects.toThrow(/acquisition CRC 0x[0-9a-f]{8} does not match the data received/);
  });
});

describe('scrutiny firmware description in a session', () => {
  it('chooses the emulator description by firmware id, watches by path (aliases, enums, pointers) and writes by path', async () => {
    const h = await harness('udp', {}, { pollHz: 100, pollRpvs: false });
    await waitUntil('ready', () => h.session.ready);
    expect(h.session.sfdFirmwareId()).toBe(EMU_FIRMWARE_ID);
    const list = await runAction('scrutiny', h.session, 'listVariables', { filter: 'samples' }) as { total: number; entries: { path: string }[] };
    expect(list.total).toBe(8);
    const res = await runAction('scrutiny', h.session, 'watchPaths', { paths: ['/global/demo/motor/mode', '/alias/sine_percent', '/global/demo/*p_motor/speed', '/global/demo/samples[7]', '/rpv/x1001'] }) as { signals: { path: string; enum?: Record<string, number>; signalId: number | null }[] };
    expect(res.signals.find((x) => x.path === '/global/demo/motor/mode')!.enum).toMatchObject({ RUNNING: 2 });
    expect(res.signals.find((x) => x.path === '/rpv/x1001')!.signalId).toBeNull(); // RPV polling is off in this session
    await waitUntil('samples', () => signalTotal(h, '/alias/sine_percent') >= 5 && signalTotal(h, '/global/demo/*p_motor/speed') >= 5);
    const status = await runAction('scrutiny', h.session, 'watchStatus', {}) as { variables: { path: string; address: number }[] };
    expect(status.variables.find((v) => v.path === '/global/demo/*p_motor/speed')!.address).toBe(emuVariable('/global/demo/motor/speed').address);
    // Writes: an enum by name, an alias converted and (asked to) saturated, a bitfield, a boolean-ish string.
    await runAction('scrutiny', h.session, 'writePath', { path: '/global/demo/motor/mode', value: 'FAULT' });
    const mode = await runAction('scrutiny', h.session, 'readMemory', { address: emuVariable('/global/demo/motor/mode').address, length: 1 }) as { hexData: string };
    expect(mode.hexData).toBe('03');
    expect(await runAction('scrutiny', h.session, 'writePath', { path: '/alias/setpoint', value: 1000, saturate: true })).toEqual({ path: '/alias/setpoint', written: 180 });
    const sp = await runAction('scrutiny', h.session, 'readMemory', { address: emuVariable('/global/demo/setpoint').address, length: 4 }) as { hexData: string };
    expect(Buffer.from(sp.hexData, 'hex').readInt32LE(0)).toBe(180);
    expect(await runAction('scrutiny', h.session, 'writePath', { path: '/alias/rpv/setpoint_f32', value: -50, saturate: true })).toEqual({ path: '/alias/rpv/setpoint_f32', written: -5 });
    await expect(runAction('scrutiny', h.session, 'writePath', { path: '/global/demo/motor/mode', value: 'SPINNING' })).rejects.toThrow(/one of IDLE, STARTING, RUNNING, FAULT/);
    await expect(runAction('scrutiny', h.session, 'watchPaths', { paths: ['/global/nothing'] })).rejects.toThrow(/neither a variable, an alias nor an RPV path of benchscope-emulator\.sfd/);
  });

  it('warns when a loaded description belongs to another firmware, and refuses a broken file naming it', async () => {
    const h = await harness('udp', {}, { pollHz: 0 });
    await waitUntil('ready', () => h.session.ready);
    const src = emulatorSfdSource();
    const other = Buffer.from(buildSfd({ ...src, firmwareId: '00'.repeat(16) })).toString('base64');
    const r = await runAction('scrutiny', h.session, 'loadSfd', { base64: other, fileName: 'other.sfd' }) as { warning: string };
    expect(r.warning).toBe(`other.sfd describes firmware ${'00'.repeat(16)}, but the device runs ${EMU_FIRMWARE_ID}: addresses may be wrong`);
    expect(h.session.sfdFirmwareId()).toBe('00'.repeat(16));
    expect(h.events.some((e) => e.kind === 'scrutiny.sfdMismatch')).toBe(true);
    await expect(runAction('scrutiny', h.session, 'loadSfd', { base64: Buffer.from('junk').toString('base64'), fileName: 'junk.sfd' })).rejects.toThrow(/^junk\.sfd: not a readable zip file/);
    await expect(runAction('scrutiny', h.session, 'loadSfd', { path: '/nonexistent/x.sfd' })).rejects.toThrow(/SFD path "\/nonexistent\/x\.sfd" cannot be used: this engine runs without a user data folder/);
  });
});

describe('scrutiny session over TCP', () => {
  it('connects over a byte stream, polls RPVs and sends Disconnect on close', async () => {
    const h = await harness('tcp', {}, { pollHz: 50 });
    await waitUntil('ready', () => h.session.ready);
    await waitUntil('RPV samples', () => signalTotal(h, '/rpv/x1001') >= 3);
    expect(h.emu.device.sessionId).not.toBeNull();
    h.session.dispose();
    await waitUntil('the device freed', () => h.emu.device.sessionId === null, 1000);
  });

  it('reconnects after the device restarts on the same port', async () => {
    const h = await harness('tcp', {}, { pollHz: 20 });
    await waitUntil('ready', () => h.session.ready);
    const port = h.emu.port!;
    await h.emu.close();
    await waitUntil('not ready', () => !h.session.ready, 2000);
    const again = await startScrutinyEmulator({ transport: 'tcp', port });
    h.emu = again;
    await waitUntil('ready again', () => h.session.ready, 4000);
    expect(again.device.sessionId).not.toBeNull();
  });
});
