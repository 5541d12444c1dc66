import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UdpLink } from '../../main/links/udp';
import { FAST, record, sleep } from './links-support';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

/** A real UDP endpoint on 127.0.0.1 that keeps the datagrams it gets and who sent them. */
async function endpoint() {
  const socket = dgram.createSocket('udp4');
  const received: { text: string; port: number }[] = [];
  socket.on('message', (msg, from) => received.push({ text: msg.toString(), port: from.port }));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise<void>((resolve) => socket.close(() => resolve())) });
  const port = socket.address().port;
  const send = (text: string, to: number) =>
    new Promise<void>((resolve, reject) => socket.send(text, to, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  return { socket, port, received, send };
}

function udp(port: number, host = '127.0.0.1') {
  const link = new UdpLink({ host, port }, FAST);
  open.push(link);
  return link;
}

describe('UdpLink', () => {
  it('is Connected once bound and exchanges datagrams with the device', async () => {
    const device = await endpoint();
    const link = udp(device.port);
    const seen = record(link);
    expect(link.kind).toBe('datagram');
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.lastError).toBeNull();

    expect(link.write(Buffer.from('hello device'))).toBe(true);
    await vi.waitFor(() => expect(device.received).toHaveLength(1));
    expect(device.received[0].text).toBe('hello device');
    const linkPort = device.received[0].port;

    await device.send('first', linkPort);
    await sleep(5);
    await device.send('second', linkPort);
    await vi.waitFor(() => expect(seen.chunks).toHaveLength(2));
    expect(seen.chunks.map((c) => c.bytes.toString())).toEqual(['first', 'second']);
    expect(seen.chunks[1].t).toBeGreaterThan(seen.chunks[0].t);
    expect(link.counters).toMatchObject({ rxBytes: 11, rxChunks: 2, txBytes: 12, txChunks: 1, connects: 1 });
  });

  it('is connected to the device: only its datagrams arrive, and sends name no address', async () => {
    const device = await endpoint();
    const stranger = await endpoint();
    const link = udp(device.port, 'localhost');
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    link.write(Buffer.from('hi'));
    await vi.waitFor(() => expect(device.received).toHaveLength(1));
    const linkPort = device.received[0].port;
    // The address is resolved once, at connect: the socket's peer is the device.
    const socket = (link as unknown as { socket: dgram.Socket }).socket;
    expect(socket.remoteAddress()).toEqual({ address: '127.0.0.1', family: 'IPv4', port: device.port });

    await stranger.send('spoof 1', linkPort);
    await stranger.send('spoof 2', linkPort);
    await device.send('genuine', linkPort);
    await vi.waitFor(() => expect(seen.chunks).toHaveLength(1));
    await sleep(20);
    expect(seen.text()).toBe('genuine');
    expect(link.counters.rxChunks).toBe(1);
  });

  it('reports an unknown host and keeps trying', async () => {
    const link = udp(9, 'no-such-device.invalid');
    link.open();
    // Resolution failure can take a resolver timeout on some machines.
    await vi.waitFor(() => expect(link.lastError).toBe('unknown host: cannot resolve "no-such-device.invalid"'), { timeout: 15_000 });
    expect(link.state).toBe('Connecting');
    expect(link.write(Buffer.from('x'))).toBe(false);
  });
});
