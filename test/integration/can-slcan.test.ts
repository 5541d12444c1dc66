// The SLCAN backend and the CAN byte-stream link against the SLCAN adapter emulator on
// a socat pty pair: the setup sequence, frames both ways, FD, timestamps, malformed lines.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCanLink } from '../../main/links/can/can-factory';
import type { CanLink } from '../../main/links/can/can-link';
import type { CanFrame } from '../../main/links/can/frame';
import { SlcanEmulator } from '../../main/links/can/slcan-emulator';
import { nowSeconds } from '../../main/links/link';
import { FAST, record } from './links-support';
import { canConfig, ptyPair, type PtyPair } from './can-support';

let pty: PtyPair;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => { pty = await ptyPair(); });
afterAll(() => pty.close());
afterEach(async () => { await Promise.all(open.splice(0).map((c) => c.close())); });

async function emulator(opts: { txAcks?: boolean } = {}) {
  const emu = await SlcanEmulator.start({ path: pty.device, ...opts });
  open.push(emu);
  return emu;
}

function slcanLink(extra: Record<string, unknown> = {}, sub: Record<string, unknown> = {}): CanLink {
  const link = createCanLink(canConfig({ interface: 'slcan', subconfig: { portname: pty.host, bitrate: 500000, ...sub }, ...extra }), FAST);
  open.push(link);
  return link;
}

const frame = (p: Partial<CanFrame>) => ({ id: 0x200, extended: false, rtr: false, fd: false, brs: false, data: new Uint8Array(), t: nowSeconds(), ...p });

describe('SLCAN over a pty pair', () => {
  it('sets the adapter up (close, S6, Z0, open) and carries a byte stream both ways in 8-byte frames', async () => {
    const emu = await emulator();
    const link = slcanLink();
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(emu.commands).toEqual(['C', 'S6', 'Z0', 'O']);
    expect(emu.open).toBe(true);
    expect(emu.bitrateCode).toBe(6);

    const payload = Uint8Array.from({ length: 21 }, (_, i) => i + 1);
    expect(link.write(payload)).toBe(true);
    await vi.waitFor(() => expect(emu.sent).toHaveLength(3));
    expect(emu.sent.map((f) => [f.id, f.extended, f.fd, f.data.length])).toEqual([[0x100, false, false, 8], [0x100, false, false, 8], [0x100, false, false, 5]]);
    expect(Buffer.concat(emu.sent.map((f) => f.data))).toEqual(Buffer.from(payload));

    // Only the RX id reaches the byte stream; other ids and remote frames do not.
    emu.inject(frame({ id: 0x201, data: Uint8Array.of(9, 9) }));
    emu.inject(frame({ id: 0x200, data: Uint8Array.of(0x41, 0x42) }));
    emu.inject(frame({ id: 0x200, rtr: true }));
    emu.inject(frame({ id: 0x200, extended: true, data: Uint8Array.of(7) }));
    emu.inject(frame({ id: 0x200, data: Uint8Array.of(0x43) }));
    await vi.waitFor(() => expect(link.backend.stats.rxFrames).toBe(5));
    expect(seen.text()).toBe('ABC');
    expect(link.backend.stats.snapshot()).toMatchObject({ rxFrames: 5, txFrames: 3, malformed: 0 });
    expect(link.backend.stats.snapshot().busLoad).toBeGreaterThan(0);

    await link.close();
    await vi.waitFor(() => expect(emu.open).toBe(false));
    expect(emu.commands.at(-1)).toBe('C');
  });

  it('sends CAN FD frames with bitrate switch on extended ids, cut at valid FD lengths, and sets the data bitrate', async () => {
    const emu = await emulator();
    const link = slcanLink({ fd: true, bitrate_switch: true, extended_id: true, txid: 0x18da00f1, rxid: 0x18daf100 }, { bitrate: 1000000, data_bitrate: 2000000 });
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(emu.commands).toEqual(['C', 'S8', 'Y2', 'Z0', 'O']);
    expect(emu.dataBitrateCode).toBe(2);
    const payload = Uint8Array.from({ length: 100 }, (_, i) => (i * 7) & 0xff);
    link.write(payload);
    // 100 bytes: 64 + 32 + 4, never padded (padding would put bytes into the stream).
    await vi.waitFor(() => expect(emu.sent).toHaveLength(3));
    expect(emu.sent.map((f) => [f.id, f.extended, f.fd, f.brs, f.data.length])).toEqual([
      [0x18da00f1, true, true, true, 64], [0x18da00f1, true, true, true, 32], [0x18da00f1, true, true, true, 4],
    ]);
    expect(Buffer.concat(emu.sent.map((f) => f.data))).toEqual(Buffer.from(payload));
    link.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13));
    await vi.waitFor(() => expect(emu.sent).toHaveLength(5));
    expect(emu.sent.slice(3).map((f) => f.data.length)).toEqual([12, 1]);
  }, 10_000);

  it('receives FD frames from the adapter and uses its timestamps', async () => {
    const emu = await emulator();
    const link = slcanLink({ fd: true }, { timestamps: true, data_bitrate: 5000000 });
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(emu.timestamps).toBe(true);
    const data = Uint8Array.from({ length: 48 }, (_, i) => 255 - i);
    emu.inject(frame({ fd: true, brs: true, data }));
    emu.inject(frame({ fd: true, data: data.subarray(0, 12) }));
    await vi.waitFor(() => expect(seen.chunks).toHaveLength(2));
    expect(Buffer.concat(seen.chunks.map((c) => c.bytes))).toEqual(Buffer.concat([data, data.subarray(0, 12)]));
    // Adapter time mapped onto the host's clock: close to now, in order.
    expect(Math.abs(seen.chunks[0].t - nowSeconds())).toBeLessThan(1);
    expect(seen.chunks[1].t).toBeGreaterThanOrEqual(seen.chunks[0].t);
  });

  it('counts malformed adapter lines and error status, names the adapter, and keeps going', async () => {
    const emu = await emulator();
    const link = slcanLink();
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    emu.injectRaw('t2001\rt2009AABBCCDDEEFF001122\rgarbage\rT12\rF04\rt2002ZZZZ\r');
    emu.injectRaw('t2002OK\r'.replace('OK', '4F4B'));
    await vi.waitFor(() => expect(seen.text()).toBe('OK'));
    const stats = link.backend.stats.snapshot();
    expect(stats.malformed).toBe(5);
    expect(stats.errorFrames).toBe(1);
    expect(stats.lastProblem).toMatch(new RegExp(`^slcan ${pty.host}: malformed SLCAN line: "t2002ZZZZ"`));
    expect(link.state).toBe('Connected');
  });

  it('polls the adapter\'s error status (F) and counts the error states it reports', async () => {
    const emu = await emulator();
    const link = slcanLink();
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    await vi.waitFor(() => expect(emu.commands).toContain('F'), { timeout: 3000 });
    expect(link.backend.stats.errorFrames).toBe(0);
    emu.errorFlags = 0x24;
    await vi.waitFor(() => expect(link.backend.stats.errorFrames).toBeGreaterThanOrEqual(1), { timeout: 3000 });
    expect(link.backend.stats.malformed).toBe(0);
  }, 10_000);

  it('closes a channel an earlier program left open before setting the bitrate', async () => {
    const emu = await emulator();
    emu.open = true;
    emu.bitrateCode = 3;
    const link = slcanLink();
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    // The setup that opened the channel: close first, then bitrate, then open. (A retry of
    // an attempt that timed out on a loaded machine may come before it.)
    expect(emu.commands.slice(-4)).toEqual(['C', 'S6', 'Z0', 'O']);
    expect(emu.bitrateCode).toBe(6);
  });

  it('says why when the adapter refuses a setting, and when nothing answers', async () => {
    // A device that refuses everything but C (BEL), as an adapter without that bitrate would.
    const { SerialPort } = await import('serialport');
    const dev = new SerialPort({ path: pty.device, baudRate: 115200 });
    await new Promise((r) => dev.once('open', r));
    dev.on('data', (d: Buffer) => { for (const c of d) if (c === 0x0d) dev.write(Buffer.from([0x07])); });
    const link = slcanLink();
    const states = record(link).states;
    link.open();
    await vi.waitFor(() => expect(states.map(([, r]) => r)).toContain(`slcan ${pty.host}: the adapter refused "S6" (BEL)`));
    expect(link.state).toBe('Connecting');
    await link.close();
    await new Promise((r) => dev.close(r));

    const silent = slcanLink();
    const silentStates = record(silent).states;
    silent.open();
    await vi.waitFor(() => expect(silentStates.map(([, r]) => r)).toContain(
      `slcan ${pty.host}: no reply to "C" within 1000 ms (is it an SLCAN adapter? is the serial baud rate right?)`), { timeout: 5000 });
    expect(silent.state).toBe('Connecting');
  }, 10_000);
});
