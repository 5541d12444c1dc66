// An emulated scrutiny-embedded firmware on a real transport: UDP (one datagram per
// frame, answering the sender), TCP (listening; a connection closing ends its
// session) or a serial port. Used by the demo bench, the tests and
// `npm run emulate -- scrutiny`.
import dgram from 'node:dgram';
import net from 'node:net';
import { nowSeconds } from '../../links/link';
import { EmulatedScrutinyDevice, type DeviceParams } from './emulator-device';
import { EMU_DISPLAY_NAME, EMU_FIRMWARE_ID } from './emulator-memory';

export interface ScrutinyEmulatorOptions extends Partial<DeviceParams> {
  transport: 'udp' | 'tcp' | 'serial';
  host?: string;
  /** 0 picks a free port (default). */
  port?: number;
  path?: string;
  baudRate?: number;
}

export interface ScrutinyEmulator {
  readonly device: EmulatedScrutinyDevice;
  port?: number;
  describe: string;
  close(): Promise<void>;
}

const LOOP_MS = 5;

export async function startScrutinyEmulator(opts: ScrutinyEmulatorOptions): Promise<ScrutinyEmulator> {
  const { transport, host = '127.0.0.1', port = 0, path, baudRate = 115200, ...params } = opts;
  const device = new EmulatedScrutinyDevice(params);
  const started = nowSeconds();
  const timer = setInterval(() => device.run(nowSeconds(), started), LOOP_MS);
  const handle = (peer: string, cmd: number, subfn: number, payload: Uint8Array, t: number) => {
    device.run(t, started);
    return device.handle(peer, cmd, subfn, payload, t);
  };
  let opened: { where: string; port?: number; close(): Promise<void> };
  try {
    if (transport === 'udp') opened = await openUdp(device, host, port, handle);
    else if (transport === 'tcp') opened = await openTcp(device, host, port, handle);
    else {
      if (!path) throw new Error('scrutiny emulator: a serial transport needs a device path');
      opened = await openSerial(device, path, baudRate, handle);
    }
  } catch (e) {
    clearInterval(timer);
    throw e;
  }
  const p = device.params;
  return {
    device,
    port: opened.port,
    describe: `scrutiny emulator "${EMU_DISPLAY_NAME}" (firmware ${EMU_FIRMWARE_ID}, buffers rx ${p.rxBufferSize} / tx ${p.txBufferSize} bytes${p.maxBitrate ? `, ${p.maxBitrate} bit/s` : ''}) on ${opened.where}`,
    close: async () => {
      clearInterval(timer);
      await opened.close();
    },
  };
}

type Handle = (peer: string, cmd: number, subfn: number, payload: Uint8Array, t: number) => Uint8Array | null;

async function openUdp(device: EmulatedScrutinyDevice, host: string, port: number, handle: Handle) {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const decoders = new Map<string, ReturnType<EmulatedScrutinyDevice['decoder']>>();
  socket.on('message', (msg, rinfo) => {
    const peer = `${rinfo.address}:${rinfo.port}`;
    let decoder = decoders.get(peer);
    if (!decoder) {
      if (decoders.size > 64) decoders.clear();
      decoder = device.decoder(`udp ${peer}`, (cmd, subfn, payload, t) => {
        const reply = handle(peer, cmd, subfn, payload, t);
        if (reply) socket.send(reply, rinfo.port, rinfo.address);
      });
      decoders.set(peer, decoder);
    }
    // One datagram is one frame: nothing carries over from the previous one.
    decoder.reset();
    decoder.push(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), nowSeconds());
  });
  socket.on('error', () => {}); // a host that went away: ICMP errors are not the device's problem
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(new Error(`scrutiny emulator: cannot bind udp ${host}:${port}: ${err.message}`)));
    socket.bind(port, host, () => resolve());
  });
  const bound = socket.address().port;
  return {
    where: `udp ${host}:${bound}`,
    port: bound,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function openTcp(device: EmulatedScrutinyDevice, host: string, port: number, handle: Handle) {
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((socket) => {
    const peer = `tcp#${++next}`;
    socket.setNoDelay(true);
    sockets.add(socket);
    const decoder = device.decoder(`tcp ${socket.remoteAddress}:${socket.remotePort}`, (cmd, subfn, payload, t) => {
      const reply = handle(peer, cmd, subfn, payload, t);
      if (reply && !socket.destroyed) socket.write(reply);
    });
    socket.on('data', (data) => decoder.push(new Uint8Array(data.buffer, data.byteOffset, data.length), nowSeconds()));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      device.peerGone(peer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`scrutiny emulator: cannot listen on tcp ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    where: `tcp ${host}:${bound}`,
    port: bound,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function openSerial(device: EmulatedScrutinyDevice, path: string, baudRate: number, handle: Handle) {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new Error(`scrutiny emulator: cannot open serial port ${path}: ${err.message}`)) : resolve()));
  });
  port.on('error', () => {});
  const decoder = device.decoder(`serial ${path}`, (cmd, subfn, payload, t) => {
    const reply = handle('serial', cmd, subfn, payload, t);
    if (reply) port.write(reply);
  });
  port.on('data', (data: Buffer) => decoder.push(new Uint8Array(data.buffer, data.byteOffset, data.length), nowSeconds()));
  return {
    where: `serial ${path} @ ${baudRate}`,
    close: () => new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    }),
  };
}
