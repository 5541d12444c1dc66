// What the hub gives every protocol beyond samples, over a real TCP link: marks
// on the time axis, discrete signals with state names, the link's label for
// error words, and a forced reconnect after a failed liveness check.
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DeviceSession } from '../../main/hub/device-session';
import { TcpClientLink } from '../../main/links/tcp-client';
import type { AdapterContext, ProtocolAdapter, ProtocolDefinition } from '../../main/protocols/adapter';
import { deviceInfoOf } from '../../main/protocols/adapter';
import { TelemetryStore } from '../../main/telemetry/store';
import { FAST } from './links-support';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** A device that prints "state <n>" lines; the test protocol marks every change of state. */
async function device() {
  const peers: net.Socket[] = [];
  const server = net.createServer((s) => peers.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => { for (const p of peers) p.destroy(); return new Promise((r) => server.close(r)); });
  return { port: (server.address() as net.AddressInfo).port, peers };
}

let ctxSeen: AdapterContext | null = null;

/** The smallest protocol that uses marks and states: a test fixture, not a stand-in for the hub. */
const stateProtocol: ProtocolDefinition<Record<string, never>> = {
  name: 'lines',
  label: 'State lines',
  title: 'state lines (test)',
  optionsSchema: z.object({}).strict() as never,
  defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 1 } } as never,
  create(ctx): ProtocolAdapter {
    ctxSeen = ctx;
    const id = ctx.signal('mode', undefined, { states: ['idle', 'moving', 'fault'] });
    let last = -1;
    let text = '';
    return {
      ready: true,
      counters: { rxMessages: 0, txMessages: 0, frameErrors: 0, resyncs: 0 },
      lastError: null,
      onLinkUp() {},
      onLinkDown() {},
      onData(chunk, t) {
        text += Buffer.from(chunk).toString();
        let nl: number;
        while ((nl = text.indexOf('\n')) >= 0) {
          const v = Number(text.slice(0, nl).split(' ')[1]);
          text = text.slice(nl + 1);
          ctx.sample(id, t, v);
          if (v !== last) ctx.mark?.({ t, label: `mode ${v}`, severity: v === 2 ? 'error' : 'info', signal: 'mode' });
          last = v;
        }
      },
      deviceInfo: (id) => deviceInfoOf({ sessionId: id ?? '', deviceId: 'test', displayName: 'test', extra: {} }),
      sendText: () => false,
      dispose() {},
    };
  },
};

function session(port: number) {
  const store = new TelemetryStore({ capacity: 1024 });
  let marksFlagged = 0;
  let signalsChanged = 0;
  const s = new DeviceSession(stateProtocol as ProtocolDefinition<unknown>, {}, { type: 'tcp', config: { host: '127.0.0.1', port } } as never, store, {
    onChange() {},
    onProtocolEvent() {},
    onSignalsChanged() { signalsChanged++; },
    onDeviceConnected() {},
    onMarks() { marksFlagged++; },
  }, { name: 'bench' });
  cleanup.push(() => s.dispose());
  return { s, store, marksFlagged: () => marksFlagged, signalsChanged: () => signalsChanged };
}

describe('session marks, states, link label and reconnect', () => {
  it('declares a discrete signal with its state names and keeps the marks it raises, newest last', async () => {
    const dev = await device();
    const { s, store, marksFlagged } = session(dev.port);
    s.connect();
    await vi.waitFor(() => expect(dev.peers.length).toBe(1));
    dev.peers[0]!.write('state 0\nstate 0\nstate 1\nstate 2\nstate 2\n');
    await vi.waitFor(() => expect(s.marks(10).length).toBe(3));
    const [mode] = store.list(s.id);
    expect(mode!.states).toEqual(['idle', 'moving', 'fault']);
    expect(mode!.total).toBe(5);
    const marks = s.marks(10);
    expect(marks.map((m) => m.label)).toEqual(['mode 0', 'mode 1', 'mode 2']);
    expect(marks.map((m) => m.severity)).toEqual(['info', 'info', 'error']);
    expect(marks.every((m) => m.signal === 'mode' && m.sessionId === s.id)).toBe(true);
    expect(marksFlagged()).toBeGreaterThanOrEqual(3);
    // The flush hands them over once; the history stays for getMarks.
    expect(s.takeMarks().length).toBe(3);
    expect(s.takeMarks()).toEqual([]);
    expect(s.marks(2).map((m) => m.label)).toEqual(['mode 1', 'mode 2']);
  });

  it('passes many marks in one flush as a bounded batch plus a count of the rest', async () => {
    const dev = await device();
    const { s } = session(dev.port);
    s.connect();
    await vi.waitFor(() => expect(dev.peers.length).toBe(1));
    dev.peers[0]!.write(Array.from({ length: 1200 }, (_, i) => `state ${i % 3}\n`).join(''));
    await vi.waitFor(() => expect(s.marks(5000).length).toBe(1200));
    const batch = s.takeMarks();
    expect(batch.length).toBe(501);
    expect(batch[500]!.label).toBe('700 more marks not shown');
  });

  it('new state names for a known signal are taken and announced', async () => {
    const dev = await device();
    const { s, store, signalsChanged } = session(dev.port);
    s.connect();
    await vi.waitFor(() => expect(ctxSeen).not.toBeNull());
    const before = signalsChanged();
    const id = ctxSeen!.signal('mode', undefined, { states: ['idle', 'moving', 'fault', 'homing'] });
    expect(store.list(s.id).find((x) => x.id === id)!.states).toEqual(['idle', 'moving', 'fault', 'homing']);
    expect(signalsChanged()).toBe(before + 1);
    ctxSeen!.signal('mode', undefined, { states: ['idle', 'moving', 'fault', 'homing'] });
    expect(signalsChanged()).toBe(before + 1);
  });

  it('names its link for error words and reconnects when the protocol says the device stopped answering', async () => {
    const dev = await device();
    const { s } = session(dev.port);
    s.connect();
    await vi.waitFor(() => expect(dev.peers.length).toBe(1));
    await vi.waitFor(() => expect(s.status().deviceLink.operational).toBe(true));
    expect(ctxSeen!.linkLabel?.()).toBe(`tcp 127.0.0.1:${dev.port}`);
    const first = dev.peers[0]!;
    const closed = new Promise<void>((r) => first.once('close', () => r()));
    ctxSeen!.reconnect?.('no reply to ?watchdog within 5 s');
    expect(s.status().deviceLink.lastError).toBe('no reply to ?watchdog within 5 s');
    await closed;
    await vi.waitFor(() => expect(dev.peers.length).toBe(2), { timeout: 5000 });
    await vi.waitFor(() => expect(s.status().deviceLink.operational).toBe(true));
    expect(s.consoleHistory(20).some((l) => l.text.includes('reconnecting (no reply to ?watchdog within 5 s)'))).toBe(true);
  });

  it('status carries an options revision, not the options (they can be hundreds of kB)', async () => {
    const dev = await device();
    const { s } = session(dev.port);
    const before = s.status();
    expect(before).not.toHaveProperty('options');
    await s.setOptions({});
    expect(s.status().optionsRevision).toBe(before.optionsRevision + 1);
    expect(s.summary().options).toEqual({});
  });

  it('a restart of a closed link does nothing', async () => {
    const link = new TcpClientLink({ host: '127.0.0.1', port: 9 }, FAST);
    link.open();
    await link.close();
    link.restart('late');
    expect(link.state).toBe('Disconnected');
    expect(link.lastError).toBe('link closed');
  });
});
