import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TcpClientLink } from '../../main/links/tcp-client';
import { FAST, record, sleep } from './links-support';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** A real device-side server on 127.0.0.1 that keeps its peers and what they sent. */
async function deviceServer(port = 0) {
  const peers: net.Socket[] = [];
  const received: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    peers.push(socket);
    socket.on('data', (d) => received.push(d));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const device = {
    port: (server.address() as net.AddressInfo).port,
    peers,
    text: () => Buffer.concat(received).toString(),
    close: () => {
      for (const p of peers) p.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  open.push(device);
  return device;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function client(port: number) {
  const link = new TcpClientLink({ host: '127.0.0.1', port }, FAST);
  open.push(link);
  return link;
}

describe('TcpClientLink', () => {
  it('connects, stamps each chunk with its arrival time and counts bytes both ways', async () => {
    const device = await deviceServer();
    const link = client(device.port);
    const seen = record(link);
    expect(link.kind).toBe('stream');
    expect(link.write(Buffer.from('early'))).toBe(false);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.lastError).toBeNull();
    expect(link.counters.connects).toBe(1);

    const before = Date.now() / 1000;
    for (const piece of ['a', 'bb', 'ccc']) {
      device.peers[0].write(piece);
      await sleep(15);
    }
    await vi.waitFor(() => expect(seen.text()).toBe('abbccc'));
    const after = Date.now() / 1000;
    const times = seen.chunks.map((c) => c.t);
    expect(times.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    expect(times[0]).toBeGreaterThanOrEqual(before - 0.01);
    expect(times[times.length - 1]).toBeLessThanOrEqual(after + 0.01);
    expect(link.counters.rxBytes).toBe(6);
    expect(link.counters.rxChunks).toBe(seen.chunks.length);

    expect(link.write(Buffer.from('hello'))).toBe(true);
    expect(link.write(new Uint8Array([0x0a]))).toBe(true);
    await vi.waitFor(() => expect(device.text()).toBe('hello\n'));
    expect(link.counters.txBytes).toBe(6);
    expect(link.counters.txChunks).toBe(2);
  });

  it('says why when the device goes away and reconnects by itself on the same port', async () => {
    const device = await deviceServer();
    const { port } = device;
    const link = client(port);
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));

    await device.close();
    await vi.waitFor(() => expect(link.lastError).toBe(`connection refused: nothing listens on 127.0.0.1:${port}`));
    expect(link.state).toBe('Connecting');
    expect(link.write(Buffer.from('x'))).toBe(false);
    expect(seen.states).toContainEqual(['Connecting', `connection closed by the device (127.0.0.1:${port})`]);

    const back = await deviceServer(port);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.counters.connects).toBe(2);
    expect(link.lastError).toBeNull();
    back.peers[0].write('again');
    await vi.waitFor(() => expect(seen.text()).toBe('again'));
  });

  it('reports a refused connection naming host and port', async () => {
    const port = await freePort();
    const link = client(port);
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.lastError).toBe(`connection refused: nothing listens on 127.0.0.1:${port}`));
    expect(link.state).toBe('Connecting');
    expect(seen.states[0]).toEqual(['Connecting', null]);
    expect(link.counters.connects).toBe(0);
  });

  it('close() stops reconnecting for good', async () => {
    const port = await freePort();
    const link = new TcpClientLink({ host: '127.0.0.1', port }, FAST);
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.lastError).toMatch(/connection refused/));
    await link.close();
    expect(link.state).toBe('Disconnected');
    expect(seen.states.at(-1)).toEqual(['Disconnected', 'link closed']);

    const device = await deviceServer(port);
    await sleep(200);
    expect(device.peers).toHaveLength(0);
    link.open();
    await sleep(50);
    expect(device.peers).toHaveLength(0);
    expect(link.state).toBe('Disconnected');
  });

  it('close() while connected releases the socket: the device sees the end', async () => {
    const device = await deviceServer();
    const link = client(device.port);
    link.open();
    await vi.waitFor(() => expect(device.peers).toHaveLength(1));
    const ended = new Promise<void>((resolve) => device.peers[0].on('close', () => resolve()));
    await link.close();
    await ended;
    expect(link.write(Buffer.from('late'))).toBe(false);
  });
});
