// The CAN monitor through the host and the SDK: the frame table, id/mask filters,
// single and periodic frames, a bit range of an id plotted as a signal, and bad ids
// and lengths refused with typed errors.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, CanSession, InvalidValueError, OperationFailureError, TimeoutError, type WebSocketCtor } from 'benchscope/sdk';
import type { CanFrame } from '../../main/links/can/frame';
import { attachVirtualNode } from '../../main/links/can/virtual-bus';

const WS = WebSocket as unknown as WebSocketCtor;
const BUS = 'monitor-bench';

describe('CAN monitor through the SDK', () => {
  let host: RunningHost;
  let sessionId: string;
  const client = new BenchscopeClient();
  const seen: CanFrame[] = [];
  let node: ReturnType<typeof attachVirtualNode>;
  const send = (id: number, bytes: number[], extended = false) =>
    node.send({ id, extended, rtr: false, fd: false, brs: false, data: Uint8Array.from(bytes), t: Date.now() / 1000 });

  beforeAll(async () => {
    node = attachVirtualNode(BUS, (f) => seen.push(f));
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WS });
    sessionId = await client.createSession({
      protocol: 'lines', name: 'bus watch', linkType: 'can',
      linkConfig: { interface: 'virtual', txid: 0x100, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, subconfig: { bus: BUS, bitrate: 250000 } },
    });
    await vi.waitFor(async () => expect((await client.request('canMonitor', { sessionId })).operational).toBe(true));
  });

  afterAll(async () => {
    node.detach();
    client.disconnect();
    await host.close();
  });

  it('tables frames by id with length, data, count and period, and estimates the bus load', async () => {
    for (let i = 0; i < 5; i++) {
      send(0x123, [i, 0xaa, 0xbb]);
      send(0x1abcdef, [1, 2, 3, 4, 5, 6, 7, 8], true);
      await new Promise((r) => setTimeout(r, 20));
    }
    const snap = await client.request('canMonitor', { sessionId });
    const std = snap.rows.find((r) => r.id === 0x123)!;
    expect(std).toMatchObject({ extended: false, dir: 'rx', length: 3, data: '04 AA BB', count: 5 });
    expect(std.periodMs).toBeGreaterThan(10);
    expect(std.periodMs).toBeLessThan(200);
    expect(snap.rows.find((r) => r.id === 0x1abcdef)).toMatchObject({ extended: true, length: 8, data: '01 02 03 04 05 06 07 08', count: 5 });
    expect(snap.stats.rxFrames).toBe(10);
    expect(snap.stats.busLoad).toBeGreaterThan(0);
    expect(snap.label).toBe('can virtual monitor-bench tx 0x100 rx 0x200');
  });

  it('keeps only the ids the filters pass (id and mask)', async () => {
    await client.request('canClear', { sessionId });
    await client.request('canSetFilters', { sessionId, filters: [{ id: 0x120, mask: 0x7f0, extended: false }] });
    for (const id of [0x120, 0x12f, 0x130, 0x220]) send(id, [1]);
    send(0x120, [2], true);
    await vi.waitFor(async () => {
      const snap = await client.request('canMonitor', { sessionId });
      expect(snap.rows.map((r) => r.id)).toEqual([0x120, 0x12f]);
      expect(snap.filteredOut).toBe(3);
    });
    await client.request('canSetFilters', { sessionId, filters: [] });
  });

  it('sends one frame, and a periodic frame until stopped', async () => {
    seen.length = 0;
    expect(await client.request('canSend', { sessionId, frame: { id: 0x321, data: 'de ad be ef' } })).toEqual({ periodicId: null });
    await vi.waitFor(() => expect(seen.map((f) => [f.id, Buffer.from(f.data).toString('hex')])).toEqual([[0x321, 'deadbeef']]));
    const { periodicId } = await client.request('canSend', { sessionId, frame: { id: 0x18ff0001, extended: true, data: '01' }, periodMs: 20 });
    expect(periodicId).toMatch(/^p\d+$/);
    await vi.waitFor(() => expect(seen.filter((f) => f.id === 0x18ff0001).length).toBeGreaterThanOrEqual(5));
    const snap = await client.request('canMonitor', { sessionId });
    expect(snap.periodic).toEqual([expect.objectContaining({ periodicId, periodMs: 20 })]);
    expect(snap.rows.find((r) => r.id === 0x18ff0001 && r.dir === 'tx')!.count).toBeGreaterThanOrEqual(5);
    await client.request('canStopPeriodic', { sessionId, periodicId: periodicId! });
    // A remote frame goes out with the length it asks for, and the table shows that length.
    await client.request('canSend', { sessionId, frame: { id: 0x222, rtr: true, dlc: 4 } });
    await vi.waitFor(() => expect(seen.find((f) => f.id === 0x222)).toMatchObject({ rtr: true, dlc: 4 }));
    expect(seen.find((f) => f.id === 0x222)!.data.length).toBe(0);
    await vi.waitFor(async () => expect((await client.request('canMonitor', { sessionId })).rows.find((r) => r.id === 0x222)).toMatchObject({ rtr: true, length: 4, data: '' }));
    await expect(client.request('canSend', { sessionId, frame: { id: 0x222, dlc: 4 } })).rejects.toThrow(/only for remote frames/);
    await expect(client.request('canSend', { sessionId, frame: { id: 0x222, rtr: true, dlc: 9 } })).rejects.toThrow(/at most 8/);
    const n = seen.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBe(n);
  });

  it('plots a bit range of an id as a signal (little endian, signed, scaled)', async () => {
    const { signalId, name } = await client.request('canAddSignal', {
      sessionId, signal: { id: 0x2a0, startBit: 8, bitLength: 12, signed: true, scale: 0.5, offset: 1 },
    });
    expect(name).toBe('can 0x2A0 bits 8+12');
    const signals = await client.listSignals(sessionId);
    expect(signals.find((s) => s.id === signalId)?.name).toBe(name);
    const values: number[] = [];
    const stop = await client.subscribe([signalId], (blocks) => { for (const b of blocks) if (b.id === signalId) values.push(...b.values); });
    // bits 8..19: byte1 + low nibble of byte2 << 8. 0x123 = 291; 0xFFF = -1 signed.
    send(0x2a0, [0xff, 0x23, 0xf1]);
    send(0x2a0, [0x00, 0xff, 0x0f]);
    send(0x2a0, [0x00]); // too short: no sample
    await vi.waitFor(() => expect(values).toEqual([291 * 0.5 + 1, -1 * 0.5 + 1]));
    await stop();
  });

  it('refuses bad ids, lengths and data with typed errors naming the field', async () => {
    const bad = async (frame: Record<string, unknown>, path: string, message: RegExp) => {
      const err = await client.request('canSend', { sessionId, frame: frame as never }).catch((e) => e);
      expect(err).toBeInstanceOf(InvalidValueError);
      const issue = (err as InvalidValueError).issues.find((i) => i.path === path);
      expect(issue?.message).toMatch(message);
    };
    await bad({ id: 0x800 }, 'frame.id', /Standard \(11-bit\) ids go up to 0x7FF/);
    await bad({ id: 0x20000000, extended: true }, 'frame.id', /at most 0x1FFFFFFF/);
    await bad({ id: -1 }, 'frame.id', /cannot be negative/);
    await bad({ id: 1.5 }, 'frame.id', /whole number/);
    await bad({ id: 1, data: '00 11 22 33 44 55 66 77 88' }, 'frame.data', /9 bytes: a classic CAN frame carries at most 8/);
    await bad({ id: 1, fd: true, data: '00'.repeat(9) }, 'frame.data', /9 bytes is not a CAN FD length/);
    await bad({ id: 1, data: 'xyz' }, 'frame.data', /hex bytes/);
    await bad({ id: 1, brs: true }, 'frame.brs', /needs CAN FD/);
    const filterErr = await client.request('canSetFilters', { sessionId, filters: [{ id: 1, mask: -5, extended: false }] }).catch((e) => e);
    expect(filterErr).toBeInstanceOf(InvalidValueError);
    const sigErr = await client.request('canAddSignal', { sessionId, signal: { id: 0x100, startBit: 0, bitLength: 40 } }).catch((e) => e);
    expect((sigErr as InvalidValueError).issues[0]).toMatchObject({ path: 'signal.bitLength', message: 'At most 32 bits' });
    // And the link form's schema, through createSession.
    const linkErr = await client.createSession({
      protocol: 'lines', linkType: 'can',
      linkConfig: { interface: 'slcan', txid: 0x900, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, subconfig: { portname: '/dev/x', bitrate: 300000 } },
    }).catch((e) => e);
    expect(linkErr).toBeInstanceOf(InvalidValueError);
    expect((linkErr as InvalidValueError).issues.map((i) => i.path).sort()).toEqual(['linkConfig.subconfig.bitrate', 'linkConfig.txid']);
    // A session that is not on CAN has no monitor.
    const other = await client.createSession({ protocol: 'lines', linkType: 'none', linkConfig: {}, autoConnect: false });
    await expect(client.request('canMonitor', { sessionId: other })).rejects.toThrow(/does not use a CAN link \(it uses none\)/);
  });

  it('says why a CAN interface is unavailable before a session is made', async () => {
    expect(await client.request('canInterfaceStatus', { interface: 'slcan' })).toEqual({ available: true, reason: null });
    const vector = await client.request('canInterfaceStatus', { interface: 'vector' });
    expect(vector.available).toBe(false);
    expect(vector.reason).toMatch(/vxlapi/);
    const err = await client.createSession({
      protocol: 'lines', linkType: 'can',
      linkConfig: { interface: 'pcan', txid: 1, rxid: 2, extended_id: false, fd: false, bitrate_switch: false, subconfig: { channel: 'PCAN_USBBUS1', bitrate: 500000 } },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(OperationFailureError);
    expect((err as Error).message).toMatch(/PCAN-Basic/);
  });
  it('typed helpers (CanSession) check frames on the client: nothing bad reaches the hub', async () => {
    const can = new CanSession(client, sessionId);
    const invalidBefore = (await client.getServerStats()).invalidRequestCount;
    await expect(can.send({ id: 0x800 })).rejects.toBeInstanceOf(InvalidValueError);
    await expect(can.send({ id: 0x123, data: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).rejects.toThrow(/frame: data: 9 bytes: a classic CAN frame carries at most 8/);
    await expect(can.send({ id: 0x123, data: [256] })).rejects.toThrow(/data byte 256/);
    await expect(can.send({ id: 0x123, fd: true, data: new Array(9).fill(0) })).rejects.toThrow(/not a CAN FD length/);
    await expect(can.sendPeriodic({ id: 0x123 }, 0)).rejects.toBeInstanceOf(InvalidValueError);
    await expect(can.setFilters([{ id: 0x900, mask: 0x7ff, extended: false }])).rejects.toBeInstanceOf(InvalidValueError);
    expect((await client.getServerStats()).invalidRequestCount).toBe(invalidBefore);

    seen.length = 0;
    await can.send({ id: 0x333, data: Uint8Array.of(0xde, 0xad) });
    await vi.waitFor(() => expect(seen.map((f) => [f.id, Buffer.from(f.data).toString('hex')])).toEqual([[0x333, 'dead']]));
    expect(await can.waitFrame(0x333, { dir: 'tx' })).toMatchObject({ length: 2, data: 'DE AD' });
    const periodic = await can.sendPeriodic({ id: 0x334, data: '01' }, 10);
    expect(await can.waitFrame(0x334, { dir: 'tx', count: 3, timeoutS: 5 })).toMatchObject({ id: 0x334 });
    await can.stopPeriodic(periodic);
    await expect(can.waitFrame(0x7aa, { timeoutS: 0.2 })).rejects.toBeInstanceOf(TimeoutError);
    const sig = await can.addSignal({ id: 0x335, startBit: 0, bitLength: 8 });
    send(0x335, [42]);
    await vi.waitFor(async () => expect((await client.listSignals(sessionId)).find((x) => x.id === sig.signalId)!.total).toBe(1));
  });
});
