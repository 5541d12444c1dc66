// Run as its own process by links-factory.test.ts: opens one link of each kind,
// lets them retry or connect, closes them, and must then exit by itself (no
// timer, socket or port left behind). Prints each link's final state.
import net from 'node:net';
import { createLink } from '../../main/links/factory';
import type { TcpServerLink } from '../../main/links/tcp-server';
import { FAST as options, sleep } from './links-support';

const probe = net.createServer();
await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
const refusedPort = (probe.address() as net.AddressInfo).port;
await new Promise<void>((resolve) => probe.close(() => resolve()));

const server = createLink({ type: 'tcp-server', config: { host: '127.0.0.1', port: 0 } }, options) as TcpServerLink;
const links = [
  createLink({ type: 'tcp', config: { host: '127.0.0.1', port: refusedPort } }, options),
  server,
  createLink({ type: 'udp', config: { host: '127.0.0.1', port: refusedPort } }, options),
  createLink({
    type: 'serial',
    config: { portname: '/tmp/benchscope-no-such-port', baudrate: 115200, databits: 8, parity: 'none', stopbits: '1', start_delay: 0 },
  }, options),
  createLink({ type: 'none', config: {} }),
];
for (const link of links) link.open();
while (server.boundPort === null) await sleep(5);
const peer = net.createConnection({ host: '127.0.0.1', port: server.boundPort });
peer.on('error', () => {});
while (server.state !== 'Connected') await sleep(5);
links[2].write(Buffer.from('ping'));
await sleep(200);
await Promise.all(links.map((link) => link.close()));
console.log(JSON.stringify(links.map((link) => [link.label, link.state])));
