// Command tracking over real TCP: the codec and the tracker against the
// emulated controller, and against hand-written controllers that answer late,
// with the wrong counter, or not at all.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCommand, encodeCommandStatus, encodeHeader, HexrotDecoder } from '../../main/protocols/hexrot/codec';
import { CommandTracker, type CommandRecord } from '../../main/protocols/hexrot/commands';
import { startHexrotEmulator } from '../../main/protocols/hexrot/emulator';
import { resolveLayout } from '../../shared/api/hexrot-layout';

const layout = resolveLayout('simple');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A client socket wired to a decoder and a tracker, as the session wires them. */
async function commandingClient(port: number, opts: { timeoutS?: number; firstCounter?: number } = {}) {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  await new Promise<void>((r, j) => { socket.once('connect', r); socket.once('error', j); });
  const events: CommandRecord[] = [];
  const tracker = new CommandTracker({
    write: (counter, code, params) => (socket.destroyed ? false : socket.write(encodeCommand({ counter, code, params })) || true),
    event: (r) => events.push({ ...r }),
    now: () => Date.now() / 1000,
  }, opts.timeoutS ?? 5, opts.firstCounter ?? 0);
  const decoder = new HexrotDecoder(layout, 'current', {
    telemetry: () => {}, config: () => {},
    commandStatus: (counter, status, duration, reason) => tracker.status(counter, status, duration, reason),
  });
  socket.on('data', (d) => decoder.push(d, Date.now() / 1000));
  socket.on('close', () => tracker.linkDown('connection closed'));
  cleanups.push(() => { tracker.dispose(); socket.destroy(); });
  return { socket, tracker, decoder, events };
}

/** A controller that hands each received 60-byte command to `answer`. */
async function handController(answer: (socket: net.Socket, counter: number) => void): Promise<number> {
  const server = net.createServer((s) => {
    let pending = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 60) {
        answer(s, pending.readUInt32LE(4));
        pending = pending.subarray(60);
      }
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as net.AddressInfo).port;
}

const status = (counter: number, code: number, duration: number, reason: string) =>
  Buffer.concat([encodeHeader({ frameId: 1, counter, time: 0 }, 'current'), encodeCommandStatus(code, duration, reason)]);

describe('hexrot commands over TCP', () => {
  it('numbers commands from 0, wraps the u32 counter, and matches each ACK / NO_ACK by counter', async () => {
    const emu = await startHexrotEmulator({ port: 0 });
    cleanups.push(() => emu.close());
    const c = await commandingClient(emu.port!, { firstCounter: 0xfffffffe });
    const results = await Promise.all([
      c.tracker.run(1, 'SET_STATE', [2]),
      c.tracker.run(4, 'MOVE', [5]),
      c.tracker.run(4, 'MOVE', [-30]),
      c.tracker.run(1, 'SET_STATE', [3]),
    ]);
    expect(results.map((r) => r.counter)).toEqual([0xfffffffe, 0xffffffff, 0, 1]);
    expect(results.map((r) => r.outcome)).toEqual(['ack', 'ack', 'noack', 'ack']);
    expect(results[2]!.reason).toBe('Position -30.0 out of range [-25.0, 25.0].');
    expect(results[0]!.duration).toBe(0);
    expect(results.every((r) => r.replyAfter !== null && r.replyAfter >= 0)).toBe(true);
    expect(emu.controller.state).toBe(0);
    expect(emu.controller.cmdPosition).toBe(5);
    // Every record was announced when sent and again when settled.
    expect(c.events.filter((e) => e.outcome === 'pending').length).toBe(4);
    // One client at a time, as the reference controller: a second one is closed, the first goes on.
    const second = await commandingClient(emu.port!);
    await new Promise((r) => second.socket.once('close', r));
    expect((await c.tracker.run(1, 'SET_STATE', [2])).outcome).toBe('ack');
  });

  it('a fresh tracker starts at counter 0', () => {
    const t = new CommandTracker({ write: () => true, event: () => {}, now: () => 0 });
    expect(t.nextCounter).toBe(0);
    t.dispose();
  });

  it('times out a command without status, ignoring a status for another counter', async () => {
    const port = await handController((s, counter) => s.write(status(counter + 100, 1, 0, '')));
    const c = await commandingClient(port, { timeoutS: 0.2 });
    const start = Date.now();
    const r = await c.tracker.run(4, 'MOVE', [1]);
    expect(r.outcome).toBe('timeout');
    expect(r.reason).toBe('no COMMAND_STATUS with counter 0 within 0.2 s');
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
    expect(c.tracker.ignoredStatuses).toBe(1);
    // The next command carries the next counter even though the last one was never answered.
    const late = await c.tracker.run(4, 'MOVE', [1]);
    expect(late.counter).toBe(1);
  });

  it('keeps one command in flight: the second is written only once the first is answered', async () => {
    const seen: number[] = [];
    const port = await handController((s, counter) => {
      seen.push(counter);
      setTimeout(() => s.write(status(counter, 1, 1.5, '')), 30);
    });
    const c = await commandingClient(port);
    const first = c.tracker.run(2, 'ENABLE_DRIVES', [1]);
    const second = c.tracker.run(2, 'ENABLE_DRIVES', [0]);
    await new Promise((r) => setTimeout(r, 15));
    expect(seen).toEqual([0]);
    expect((await first).duration).toBe(1.5);
    expect((await second).outcome).toBe('ack');
    expect(seen).toEqual([0, 1]);
  });

  it('reports a command as lost when the connection drops before its status, and the waiting ones as not sent', async () => {
    const port = await handController((s) => s.destroy());
    const c = await commandingClient(port);
    const [a, b] = await Promise.all([c.tracker.run(4, 'MOVE', [1]), c.tracker.run(4, 'MOVE', [2])]);
    expect(a.outcome).toBe('lost');
    expect(a.reason).toMatch(/connection closed before its COMMAND_STATUS arrived/);
    expect(b.outcome).toBe('unsent');
  });

  it('treats an unknown status code as a failure, with the reason kept', async () => {
    const port = await handController((s, counter) => s.write(status(counter, 7, 0, 'odd')));
    const c = await commandingClient(port);
    const r = await c.tracker.run(4, 'MOVE', [1]);
    expect(r.outcome).toBe('noack');
    expect(r.reason).toBe('unknown command status 7 (odd): taken as a failure');
  });
});
