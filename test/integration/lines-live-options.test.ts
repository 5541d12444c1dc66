// A running lines session takes new options (format, header, timestamp column) and
// renamed or removed signals without dropping its link, and a timestamp column whose
// header the device printed before the port opened is waited for, in words, and taken
// from the next header line.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../../main/hub/hub';
import type { SessionStatus } from '../../shared/api/contract';

/** A board on a real TCP socket: prints its CSV header once when a client connects (unless told not to), then a line every 10 ms. */
async function board(opts: { headerAtConnect: boolean; header?: string }) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let n = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (opts.headerAtConnect) s.write(`${opts.header ?? 't,volts,amps'}\n`);
  });
  const timer = setInterval(() => {
    n++;
    for (const s of sockets) s.write(`${(n / 100).toFixed(2)},${n},${-n}\n`);
  }, 10);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    write: (text: string) => { for (const s of sockets) s.write(text); },
    close: () => new Promise<void>((r) => { clearInterval(timer); for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

describe('lines session: options edited while it runs', () => {
  const hub = new Hub({ userDataDir: null, demoOnFirstStart: false });
  const boards: Awaited<ReturnType<typeof board>>[] = [];

  beforeAll(() => hub.start());
  afterAll(async () => {
    await hub.stop();
    await Promise.all(boards.map((b) => b.close()));
  });

  async function until<T>(what: string, get: () => T, ok: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const v = get();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const statusOf = (id: string): SessionStatus => hub.status().sessions.find((s) => s.sessionId === id)!;
  const signal = (id: string, name: string) => hub.store.list(id).find((s) => s.name === name);

  it('takes a timestamp column, a rename and a removal on the open link: the header printed at connect still names the columns', async () => {
    const dev = await board({ headerAtConnect: true });
    boards.push(dev);
    const { sessionId } = await hub.call('createSession', { protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port } });
    const volts = await until('volts', () => signal(sessionId, 'volts'), (s) => (s?.total ?? 0) >= 20);
    expect(signal(sessionId, 'amps')).toBeDefined();

    await hub.call('setSessionOptions', { sessionId, options: { timestampColumn: 't', rename: { volts: 'V' }, remove: ['amps'] } });
    expect(dev.connections()).toBe(1);
    // The same signal, its history kept, under its new name; the removed one is gone.
    const renamed = signal(sessionId, 'V');
    expect(renamed?.id).toBe(volts!.id);
    expect(renamed!.total).toBeGreaterThanOrEqual(volts!.total);
    expect(signal(sessionId, 'volts')).toBeUndefined();
    expect(signal(sessionId, 'amps')).toBeUndefined();
    const s = await until('ready again', () => statusOf(sessionId), (x) => x.deviceCommState === 'ConnectedReady');
    expect(s.lastProtocolError).toBeNull();
    const more = await until('V grows', () => signal(sessionId, 'V')!.total, (t) => t >= renamed!.total + 10);
    expect(more).toBeGreaterThan(renamed!.total);
    expect(signal(sessionId, 'amps')).toBeUndefined();
    // The device clock now times the samples: lines 10 ms apart by the device, whatever the reads did.
    const n = hub.store.total(renamed!.id);
    const times = new Float64Array(n);
    const got = hub.store.copySince(renamed!.id, n - 5, times, new Float64Array(n), 0, 5);
    for (let i = 1; i < got; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(0.01, 6);
    expect(dev.connections()).toBe(1);
    expect((await hub.call('listSessions')).find((x) => x.sessionId === sessionId)!.options).toMatchObject({ timestampColumn: 't', rename: { volts: 'V' }, remove: ['amps'] });
  });

  it('removes and renames fields named like Object\'s own members (constructor, toString)', async () => {
    const dev = await board({ headerAtConnect: true, header: 'constructor,toString,x' });
    boards.push(dev);
    const { sessionId } = await hub.call('createSession', { protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port } });
    await until('fields', () => hub.store.list(sessionId).map((x) => x.name).sort().join(), (v) => v === 'constructor,toString,x');
    await hub.call('setSessionOptions', { sessionId, options: { remove: ['constructor'], rename: { x: 'hasOwnProperty' } } });
    await until('edited', () => hub.store.list(sessionId).map((x) => x.name).sort().join(), (v) => v === 'hasOwnProperty,toString');
    await hub.call('setSessionOptions', { sessionId, options: { remove: [], rename: {} } });
    await until('back', () => hub.store.list(sessionId).map((x) => x.name).sort().join(), (v) => v.split(',').includes('x') && !v.includes('hasOwnProperty'));
  });

  it('a named timestamp column whose header was missed: says what it waits for, then uses the next header line', async () => {
    const dev = await board({ headerAtConnect: false });
    boards.push(dev);
    const { sessionId } = await hub.call('createSession', {
      protocol: 'lines', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: dev.port }, options: { timestampColumn: 't' },
    });
    const waiting = await until('waiting', () => statusOf(sessionId), (x) => /header/.test(x.waitingFor ?? ''));
    expect(waiting.deviceCommState).toBe('Connecting');
    expect(waiting.waitingFor).toMatch(/^link open, waiting for a CSV header line naming the timestamp column "t" \(printed before the port opened\?\): \d+ data lines? skipped meanwhile$/);
    expect(hub.store.list(sessionId)).toEqual([]);
    dev.write('t,volts,amps\n');
    await until('ready', () => statusOf(sessionId).deviceCommState, (c) => c === 'ConnectedReady');
    expect(statusOf(sessionId).waitingFor).toBeNull();
    await until('volts', () => signal(sessionId, 'volts')?.total ?? 0, (t) => t > 5);
    expect(hub.store.list(sessionId).map((x) => x.name).sort()).toEqual(['amps', 'volts']);
  });
});
