import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TcpServerLink } from '../../main/links/tcp-server';
import { FAST, record } from './links-support';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function server(port = 0) {
  const link = new TcpServerLink({ host: '127.0.0.1', port }, FAST);
  open.push(link);
  return link;
}

/** A device dialling in: a real client socket that keeps what it receives. */
async function device(port: number) {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  const received: Buffer[] = [];
  socket.on('data', (d) => received.push(d));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  open.push({ close: () => socket.destroy() });
  return { socket, closed, text: () => Buffer.concat(received).toString() };
}

describe('TcpServerLink', () => {
  it('listens on a system-chosen port, reports it, and exchanges data with the device', async () => {
    const link = server(0);
    const seen = record(link);
    expect(link.boundPort).toBeNull();
    link.open();
    await vi.waitFor(() => expect(link.boundPort).toBeGreaterThan(0));
    const port = link.boundPort!;
    expect(link.state).toBe('Connecting');
    expect(link.lastError).toBe(`listening on 127.0.0.1:${port}, waiting for the device to connect`);
    expect(link.write(Buffer.from('nobody'))).toBe(false);

    const dev = await device(port);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.counters.connects).toBe(1);
    dev.socket.write('status?\n');
    await vi.waitFor(() => expect(seen.text()).toBe('status?\n'));
    expect(seen.chunks[0].t).toBeCloseTo(Date.now() / 1000, 0);
    expect(link.write(Buffer.from('ok\n'))).toBe(true);
    await vi.waitFor(() => expect(dev.text()).toBe('ok\n'));
    expect(link.counters).toMatchObject({ rxBytes: 8, txBytes: 3, txChunks: 1 });

    dev.socket.destroy();
    await vi.waitFor(() => expect(link.state).toBe('Connecting'));
    expect(link.lastError).toMatch(new RegExp(`^device 127\\.0\\.0\\.1:\\d+ disconnected; listening on 127\\.0\\.0\\.1:${port}`));
    const again = await device(port);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.counters.connects).toBe(2);
    again.socket.write('back');
    await vi.waitFor(() => expect(seen.text()).toBe('status?\nback'));
  });

  it('refuses a second device while one is attached, counting it and saying why', async () => {
    const link = server(0);
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.boundPort).toBeGreaterThan(0));
    const first = await device(link.boundPort!);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));

    const second = await device(link.boundPort!);
    await second.closed;
    expect(link.refusedConnections).toBe(1);
    expect(link.lastRefusal).toMatch(/^refused 127\.0\.0\.1:\d+: device 127\.0\.0\.1:\d+ is already connected$/);
    first.socket.write('kept');
    await vi.waitFor(() => expect(seen.text()).toBe('kept'));
    expect(link.state).toBe('Connected');
    expect(link.counters.connects).toBe(1);
  });

  it('reports an address in use in words and listens once the port is free', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as net.AddressInfo;
    const link = server(port);
    link.open();
    await vi.waitFor(() => expect(link.lastError).toBe(`address in use: another program listens on 127.0.0.1:${port}`));
    expect(link.state).toBe('Connecting');
    expect(link.boundPort).toBeNull();

    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    await vi.waitFor(() => expect(link.boundPort).toBe(port));
    await device(port);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
  });

  it('close() frees the port and drops the device', async () => {
    const link = server(0);
    link.open();
    await vi.waitFor(() => expect(link.boundPort).toBeGreaterThan(0));
    const port = link.boundPort!;
    const dev = await device(port);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    await link.close();
    await dev.closed;
    expect(link.state).toBe('Disconnected');
    expect(link.boundPort).toBeNull();
    const reuse = net.createServer();
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => reuse.close(() => resolve()));
  });
});

describe('TcpServerLink, multi-peer mode (DCSS and several DHS)', () => {
  it('is Connected while listening, and keeps each peer apart: events, writes and drops', async () => {
    const link = new TcpServerLink({ host: '127.0.0.1', port: 0 }, { ...FAST, multiPeer: true });
    open.push(link);
    const ups: { id: number; label: string }[] = [];
    const data = new Map<number, string>();
    const downs: [number, string][] = [];
    link.setPeerEvents({
      onPeerUp: (p) => ups.push(p),
      onPeerData: (id, chunk) => data.set(id, (data.get(id) ?? '') + Buffer.from(chunk).toString()),
      onPeerDown: (id, reason) => downs.push([id, reason]),
    });
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    const port = link.boundPort!;
    const a = await device(port);
    const b = await device(port);
    await vi.waitFor(() => expect(ups.length).toBe(2));
    expect(link.peerCount).toBe(2);
    expect(ups[0]!.label).toMatch(/^127\.0\.0\.1:\d+$/);
    a.socket.write('from a');
    b.socket.write('from b');
    await vi.waitFor(() => expect([...data.values()].sort()).toEqual(['from a', 'from b']));
    const idOf = (text: string) => [...data].find(([, v]) => v === text)![0];
    expect(link.writeTo(idOf('from b'), Buffer.from('to b'))).toBe(true);
    expect(link.writeTo(999, Buffer.from('nobody'))).toBe(false);
    await vi.waitFor(() => expect(b.text()).toBe('to b'));
    expect(a.text()).toBe('');
    // One peer let go: the other stays, the link keeps listening.
    link.dropPeerById(idOf('from a'));
    await a.closed;
    await vi.waitFor(() => expect(downs.map(([id]) => id)).toEqual([idOf('from a')]));
    expect(link.state).toBe('Connected');
    expect(link.peerCount).toBe(1);
    // A peer that hangs up is reported with why.
    b.socket.destroy();
    await vi.waitFor(() => expect(downs.length).toBe(2));
    expect(downs[1]![1]).toMatch(/disconnected|reset/);
    // Closing the link lets every peer go and reports them.
    const c = await device(port);
    await vi.waitFor(() => expect(ups.length).toBe(3));
    await link.close();
    await c.closed;
    expect(downs.at(-1)).toEqual([ups[2]!.id, 'the link closed']);
  });
});
