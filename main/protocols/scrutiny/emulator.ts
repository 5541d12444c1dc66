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
  /**
   * Answer one request per loop of this many ms, as a firmware that serves its
   * protocol from a slow main loop (the scrutiny-embedded test application: 10 ms).
   * 0 answers at once (default).
   */
  requestPeriodMs?: number;
}

export interface ScrutinyEmulator {
  readonly device: EmulatedScrutinyDevice;
  port?: number;
  describe: string;
  close(): Promise<void>;
}

const LOOP_MS = 5;

export async function startScrutinyEmulator(opts: ScrutinyEmulatorOptions): Promise<ScrutinyEmulator> {
  const { transport, host = '127.0.0.1', port = 0, path, baudRate = 115200, requestPeriodMs = 0, ...params } = opts;
  const device = new EmulatedScrutinyDevice(params);
  const started = nowSeconds();
  const timer = setInterval(() => device.run(nowSeconds(), started), LOOP_MS);
  const answer = (peer: string, cmd: number, subfn: number, payload: Uint8Array, t: number) => {
    device.run(t, started);
    return device.handle(peer, cmd, subfn, payload, t);
  };
  // Requests received and not answered yet (paced device): a host sending while one waits is counted.
  const waiting: { peer: string; cmd: number; subfn: number; payload: Uint8Array; reply(bytes: Uint8Array): void }[] = [];
  const pace = requestPeriodMs > 0 ? setInterval(() => {
    const r = waiting.shift();
    if (!r) return;
    const bytes = answer(r.peer, r.cmd, r.subfn, r.payload, nowSeconds());
    if (bytes) r.reply(bytes);
  }, requestPeriodMs) : null;
  const handle: Handle = (peer, cmd, subfn, payload, t, reply) => {
    if (!pace) {
      const bytes = answer(peer, cmd, subfn, payload, t);
      if (bytes) reply(bytes);
      return;
    }
    if (waiting.some((w) => w.peer === peer)) device.counters.overlapping++;
    waiting.push({ peer, cmd, subfn, payload: payload.slice(), reply });
  };
  const stopTimers = () => {
    clearInterval(timer);
    if (pace) clearInterval(pace);
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
    stopTimers();
    throw e;
  }
  const p = device.params;
  return {
    device,
    port: opened.port,
    describe: `scrutiny emulator "${EMU_DISPLAY_NAME}" (firmware ${EMU_FIRMWARE_ID}, buffers rx ${p.rxBufferSize} / tx ${p.txBufferSize} bytes${p.maxBitrate ? `, ${p.maxBitrate} bit/s` : ''}${pace ? `, one request per ${requestPeriodMs} ms` : ''}) on ${opened.where}`,
    close: async () => {
      stopTimers();
      await opened.close();
    },
  };
}

/** One request of a peer; its answer, if any, goes to `reply` (at once, or at the paced device's next loop). */
type Handle = (peer: string, cmd: number, subfn: number, payload: Uint8Array, t: number, reply: (bytes: Uint8Array) => void) => void;

async function openUdp(device: EmulatedScrutinyDevice, host: string, port: number, handle: Handle) {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const decoders = new Map<string, ReturnType<EmulatedScrutinyDevice['decoder']>>();
  socket.on('message', (msg, rinfo) => {
    const peer = `${rinfo.address}:${rinfo.port}`;
    let decoder = decoders.get(peer);
    if (!decoder) {
      if (decoders.size > 64) decoders.clear();
      const send = (bytes: Uint8Array) => socket.send(bytes, rinfo.port, rinfo.address);
      decoder = device.decoder(`udp ${peer}`, (cmd, subfn, payload, t) => handle(peer, cmd, subfn, payload, t, send));
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
    const send = (bytes: Uint8Array) => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const decoder = device.decoder(`tcp ${socket.remoteAddress}:${socket.remotePort}`, (cmd, subfn, payload, t) => handle(peer, cmd, subfn, payload, t, send));
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
  const send = (bytes: Uint8Array) => port.write(bytes);
  const decoder = device.decoder(`serial ${path}`, (cmd, subfn, payload, t) => handle('serial', cmd, subfn, payload, t, send));
  port.on('data', (data: Buffer) => decoder.push(new Uint8Array(data.buffer, data.byteOffset, data.length), nowSeconds()));
  return {
    where: `serial ${path} @ ${baudRate}`,
    close: () => new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    }),
  };
}
