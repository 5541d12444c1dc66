// The in-engine virtual bus, the CAN byte-stream link over it, and which CAN
// interfaces the factory builds or refuses (and why).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type LinkSpec } from '../../shared/api/link-config';
import { createCanLink } from '../../main/links/can/can-factory';
import { CanLink } from '../../main/links/can/can-link';
import type { CanFrame } from '../../main/links/can/frame';
import { socketcanReason, socketcanUnavailable, type SocketcanFacts } from '../../main/links/can/socketcan';
import { attachVirtualNode } from '../../main/links/can/virtual-bus';
import { createLink, LinkUnavailableError, refuseReason } from '../../main/links/factory';
import { FAST, record } from './links-support';
import { canConfig } from './can-support';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close())); });

const frame = (p: Partial<CanFrame>): CanFrame => ({ id: 0x10, extended: false, rtr: false, fd: false, brs: false, data: new Uint8Array(), t: 0, ...p });

describe('virtual CAN bus', () => {
  it('delivers each frame to every other node on the same bus, in order, never to the sender or another bus', async () => {
    const got: Record<string, number[]> = { a: [], b: [], c: [], other: [] };
    const a = attachVirtualNode('vb1', (f) => got.a.push(f.id));
    const b = attachVirtualNode('vb1', (f) => got.b.push(f.id));
    const c = attachVirtualNode('vb1', (f) => got.c.push(f.id));
    const other = attachVirtualNode('vb2', (f) => got.other.push(f.id));
    a.send(frame({ id: 1 }));
    b.send(frame({ id: 2 }));
    a.send(frame({ id: 3 }));
    await vi.waitFor(() => expect(got.c).toEqual([1, 2, 3]));
    expect(got.a).toEqual([2]);
    expect(got.b).toEqual([1, 3]);
    expect(got.other).toEqual([]);
    c.detach();
    a.send(frame({ id: 4 }));
    await vi.waitFor(() => expect(got.b).toEqual([1, 3, 4]));
    expect(got.c).toEqual([1, 2, 3]);
    for (const n of [a, b, other]) n.detach();
  });

  it('carries a byte stream between two CAN links with crossed ids, classic and FD', async () => {
    for (const fd of [false, true]) {
      const bus = `stream-${fd}`;
      const host = createCanLink(canConfig({ interface: 'virtual', fd, subconfig: { bus }, txid: 0x7e0, rxid: 0x7e8 }), FAST);
      const dev = createCanLink(canConfig({ interface: 'virtual', fd, subconfig: { bus }, txid: 0x7e8, rxid: 0x7e0 }), FAST);
      open.push(host, dev);
      const frames: CanFrame[] = [];
      const spy = attachVirtualNode(bus, (f) => frames.push(f));
      const atDev = record(dev);
      const atHost = record(host);
      host.open();
      dev.open();
      await vi.waitFor(() => expect([host.state, dev.state]).toEqual(['Connected', 'Connected']));
      const msg = Buffer.from('the quick brown fox jumps over the lazy dog, 0123456789 and more bytes to make it long');
      expect(host.write(msg)).toBe(true);
      await vi.waitFor(() => expect(atDev.text()).toBe(msg.toString()));
      dev.write(Buffer.from('ack'));
      await vi.waitFor(() => expect(atHost.text()).toBe('ack'));
      const lengths = frames.filter((f) => f.id === 0x7e0).map((f) => f.data.length);
      expect(lengths).toEqual(fd ? [64, 20, 2] : [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6]);
      expect(host.backend.stats.snapshot()).toMatchObject({ txFrames: lengths.length, rxFrames: 1 });
      spy.detach();
    }
  });
});

describe('CAN interfaces in the factory', () => {
  const can = (c: Record<string, unknown>): LinkSpec => ({ type: 'can', config: canConfig(c) });

  it('builds SLCAN and virtual links', () => {
    const v = createLink(can({ interface: 'virtual', subconfig: { bus: 'x' } }));
    expect(v).toBeInstanceOf(CanLink);
    expect(v.label).toBe('can virtual x tx 0x100 rx 0x200');
    const s = createLink(can({ interface: 'slcan', extended_id: true, subconfig: { portname: '/dev/ttyACM0', bitrate: 250000 } }));
    expect(s.label).toBe('can slcan /dev/ttyACM0 tx 0x00000100 rx 0x00000200');
    expect(refuseReason(can({ interface: 'slcan', subconfig: { portname: '/dev/ttyACM0', bitrate: 250000 } }))).toBeNull();
  });

  it('refuses Vector, Kvaser, PCAN and ETAS with their seed fields intact, naming the missing driver', () => {
    const specs: LinkSpec[] = [
      can({ interface: 'vector', subconfig: { channel: 0, bitrate: 500000, data_bitrate: 2000000 } }),
      can({ interface: 'kvaser', subconfig: { channel: 0, bitrate: 500000, data_bitrate: 2000000, fd_non_iso: false } }),
      can({ interface: 'pcan', subconfig: { channel: 'PCAN_USBBUS1', bitrate: 500000 } }),
      can({ interface: 'etas', subconfig: { channel: 'ETAS://USB/1', bitrate: 500000, data_bitrate: 2000000 } }),
    ];
    const drivers = ['vxlapi', 'CANlib', 'PCAN-Basic', 'BOA'];
    specs.forEach((spec, i) => {
      const reason = refuseReason(spec)!;
      expect(reason).toContain(drivers[i]);
      expect(reason).toMatch(/cannot reach/);
      expect(() => createLink(spec)).toThrow(LinkUnavailableError);
    });
  });

  it('says plainly why SocketCAN is unavailable: platform, addon, interface', () => {
    expect(socketcanUnavailable('can0', { platform: 'win32' })).toBe('SocketCAN exists on Linux only (this computer runs win32): use an SLCAN adapter (CANable, USBtin) instead');
    expect(socketcanUnavailable('bad name!', { platform: 'linux' })).toMatch(/not a network interface name/);
    // This machine has no socketcan addon installed.
    expect(socketcanUnavailable('can0', { platform: 'linux' })).toBe('SocketCAN needs the "socketcan" native addon, which is not installed (npm install socketcan, then rebuild it for Electron)');
    const spec = can({ interface: 'socketcan', subconfig: { channel: 'can0' } });
    expect(refuseReason(spec, 'darwin')).toMatch(/^SocketCAN exists on Linux only \(this computer runs darwin\)/);
    expect(() => createLink(spec)).toThrow(LinkUnavailableError);
  });

  it('names every reason in order, from the facts the system gives (kernel, interface, state, FD)', () => {
    const ok: SocketcanFacts = { platform: 'linux', channel: 'can0', addon: true, kernelCan: true, type: '280', flags: 0x1003, fd: false };
    expect(socketcanReason(ok)).toBeNull();
    expect(socketcanReason({ ...ok, kernelCan: false })).toMatch(/^this Linux kernel has no CAN sockets loaded \(sudo modprobe can can_raw/);
    expect(socketcanReason({ ...ok, type: null })).toBe('no network interface can0 (load the driver or plug the adapter; for a virtual one: ip link add dev can0 type vcan)');
    expect(socketcanReason({ ...ok, type: '1' })).toBe('can0 is not a CAN interface');
    expect(socketcanReason({ ...ok, flags: 0x1002 })).toMatch(/^can0 is down \(ip link set can0 up/);
    expect(socketcanReason({ ...ok, fd: true })).toMatch(/CAN FD over SocketCAN is not supported/);
    // The addon comes before the kernel: installing it is the first thing to do.
    expect(socketcanReason({ ...ok, addon: false, kernelCan: false })).toMatch(/needs the "socketcan" native addon/);
  });
});
