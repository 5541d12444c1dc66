// Scrutiny over a serial line: the emulated device on one end of a socat pty pair,
// Benchscope's serial link and session on the other.
import { runAction } from '../support/actions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ptyPair, type PtyPair } from '../support/pty-pair';
import { createLink } from '../../main/links/factory';
import { ScrutinyOptionsSchema } from '../../shared/api/scrutiny-options';
import { ScrutinySession } from '../../main/protocols/scrutiny/session';
import { startScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_FIRMWARE_ID } from '../../main/protocols/scrutiny/emulator-memory';

describe('scrutiny over a pty pair', () => {
  let pty: PtyPair;
  let A: string;
  let B: string;

  beforeAll(async () => {
    pty = await ptyPair('benchscope-scrutiny-');
    A = pty.host;
    B = pty.device;
  });

  afterAll(() => pty?.close());

  it('handshakes, polls RPVs, reads memory and resyncs after line noise', async () => {
    const emu = await startScrutinyEmulator({ transport: 'serial', path: B, baudRate: 115200 });
    const link = createLink({ type: 'serial', config: { portname: A, baudrate: 115200, databits: 8, parity: 'none', stopbits: '1', start_delay: 0 } });
    const samples: number[] = [];
    const session = new ScrutinySession({
      sessionId: 'serial', linkKind: link.kind,
      signal: (name) => (name === '/rpv/x1001' ? 1 : 0), sample: (id, _t, v) => { if (id === 1) samples.push(v); },
      write: (b) => link.write(b), consoleWanted: () => false, console: () => {}, event: () => {}, statusChanged: () => {},
    }, ScrutinyOptionsSchema.parse({ pollHz: 50, requestTimeoutMs: 300 }));
    link.setEvents({
      onData: (c, t) => session.onData(c, t),
      onState: (s) => (s === 'Connected' ? session.onLinkUp() : session.onLinkDown()),
    });
    try {
      link.open();
      await vi.waitFor(() => expect(session.ready).toBe(true), { timeout: 5000, interval: 10 });
      expect(session.deviceInfo('x')!.deviceId).toBe(EMU_FIRMWARE_ID);
      await vi.waitFor(() => expect(samples.length).toBeGreaterThan(5), { timeout: 3000, interval: 10 });
      // Noise on the line towards the host: counted, skipped, and the session carries on.
      session.onData(Uint8Array.of(0x81, 0x00, 0x00, 0xff, 0xff, 0x13, 0x37), Date.now() / 1000);
      const r = await runAction('scrutiny', session, 'readRpv', { ids: [0x1001] }) as { values: { value: number }[] };
      expect(r.values[0]!.value).toBeGreaterThan(0);
      expect(session.counters.resyncs).toBeGreaterThan(0);
      expect(session.ready).toBe(true);
    } finally {
      session.dispose();
      await link.close();
      await emu.close();
    }
  });
});
