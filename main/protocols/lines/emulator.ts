// A device printing text lines: a waveform generator with one column per channel,
// served over TCP (listening), UDP (to every peer heard from in the last 5 s) or a
// serial port. Used by the demo bench, the tests and `npm run emulate -- lines`.
//
// Columns are named after their waveform and position: sine1, ramp2, noise3,
// square4, sine5, ... With `timestamp`, a first column `t` holds the device clock
// (seconds since the generator started, as a board's uptime would be). CSV starts
// with a header line (`t,sine1,ramp2,...`); after a `channels` command the emulator
// sends every listener the new header.
//
// Commands, one per line from the client: `rate <lines/s>`, `channels <n>`, `pause`,
// `resume`, `header` (prints the header again). Replies are comment lines, `# ok`
// or `# error: ...`, which the decoder counts as comments.

import net from 'node:net';
import dgram from 'node:dgram';
import { nowSeconds } from '../../links/link';

export const LINES_WAVEFORMS = ['sine', 'ramp', 'noise', 'square'] as const;
export type LinesWaveform = (typeof LINES_WAVEFORMS)[number];
export const LINES_EMULATOR_FORMATS = ['csv', 'kv', 'json'] as const;
export type LinesEmulatorFormat = (typeof LINES_EMULATOR_FORMATS)[number];

export const MAX_LINE_RATE = 1_000_000;
export const MAX_CHANNELS = 64;
const TICK_MS = 10;
const UDP_PEER_TIMEOUT_S = 5;
const UDP_MAX_DATAGRAM = 1400;
/** A client this far behind is not written to: like a device whose transmit buffer is full. */
const MAX_CLIENT_BACKLOG = 1 << 20;
const MAX_COMMAND_LENGTH = 256;

export interface LinesWaveOptions {
  /** Lines per second (default 100). */
  rate?: number;
  /** Channels, i.e. value columns (default 4). */
  channels?: number;
  /** Cycled through the channels (default sine, ramp, noise, square). */
  waveforms?: readonly LinesWaveform[];
  /** Waveform frequency in Hz (default 1). */
  frequency?: number;
  /** Peak amplitude (default 1). */
  amplitude?: number;
  format?: LinesEmulatorFormat;
  /** Adds the device clock as a first column `t` (default false). */
  timestamp?: boolean;
  /** Seed of the noise channels, for reproducible output. */
  seed?: number;
}

export class LinesWaveGenerator {
  readonly format: LinesEmulatorFormat;
  readonly frequency: number;
  readonly amplitude: number;
  readonly timestamp: boolean;
  private readonly waveforms: readonly LinesWaveform[];
  private lineRate: number;
  private channelCount: number;
  private names: string[] = [];
  private isPaused = false;
  private noiseState: number;
  // Line k (counting from `anchorIndex`) is due at anchor + k / rate: the rate stays exact over time.
  private anchor: number;
  private anchorIndex = 0;
  private next = 0;

  constructor(opts: LinesWaveOptions = {}, private readonly start: number = nowSeconds()) {
    this.format = opts.format ?? 'csv';
    this.frequency = opts.frequency ?? 1;
    this.amplitude = opts.amplitude ?? 1;
    this.timestamp = opts.timestamp ?? false;
    this.waveforms = opts.waveforms && opts.waveforms.length > 0 ? opts.waveforms : LINES_WAVEFORMS;
    this.lineRate = checkRate(opts.rate ?? 100);
    this.channelCount = checkChannels(opts.channels ?? 4);
    this.noiseState = (opts.seed ?? 0x9e3779b9) >>> 0 || 1;
    this.anchor = start;
    this.nameChannels();
  }

  get rate(): number {
    return this.lineRate;
  }

  get channels(): number {
    return this.channelCount;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** Column names in line order, the device clock `t` first when there is one. */
  columns(): string[] {
    return this.timestamp ? ['t', ...this.names] : [...this.names];
  }

  /** The CSV header line (with its newline), or null for kv and JSON. */
  header(): string | null {
    return this.format === 'csv' ? `${this.columns().join(',')}\n` : null;
  }

  /** The text of every line due up to `now` (seconds since the epoch) not yet taken. */
  take(now: number): string {
    if (this.isPaused) return '';
    let due = this.anchorIndex + Math.floor((now - this.anchor) * this.lineRate) + 1;
    // After a long stall (a suspended laptop), skip ahead rather than flood: a real device would not catch up either.
    if (due - this.next > Math.max(this.lineRate, 1000)) {
      this.rebase(now);
      due = this.next + 1;
    }
    let text = '';
    for (; this.next < due; this.next++) {
      text += this.line(this.anchor + (this.next - this.anchorIndex) / this.lineRate - this.start);
    }
    return text;
  }

  setRate(rate: number, now: number): void {
    this.lineRate = checkRate(rate);
    this.rebase(now);
  }

  setChannels(channels: number): void {
    this.channelCount = checkChannels(channels);
    this.nameChannels();
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(now: number): void {
    if (!this.isPaused) return;
    this.isPaused = false;
    this.rebase(now);
  }

  /** Runs one command line; returns the reply line(s) to send back, with newlines. */
  command(text: string, now: number): string {
    const [verb = '', arg, extra] = text.trim().split(/\s+/);
    const value = arg === undefined ? NaN : Number(arg);
    try {
      switch (verb.toLowerCase()) {
        case 'rate':
          if (extra !== undefined || !Number.isFinite(value)) throw new RangeError('usage: rate <lines/s>');
          this.setRate(value, now);
          return '# ok\n';
        case 'channels':
          if (extra !== undefined || !Number.isFinite(value)) throw new RangeError('usage: channels <n>');
          this.setChannels(value);
          return '# ok\n';
        case 'pause':
          this.pause();
          return '# ok\n';
        case 'resume':
          this.resume(now);
          return '# ok\n';
        case 'header':
          return `${this.header() ?? ''}# ok\n`;
        default:
          throw new RangeError(`unknown command "${verb.slice(0, 40)}" (rate <lines/s>, channels <n>, pause, resume, header)`);
      }
    } catch (err) {
      return `# error: ${(err as Error).message}\n`;
    }
  }

  private rebase(now: number): void {
    this.anchor = now;
    this.anchorIndex = this.next;
  }

  private nameChannels(): void {
    this.names = Array.from({ length: this.channelCount }, (_, c) => `${this.waveforms[c % this.waveforms.length]}${c + 1}`);
  }

  /** One line at device time `tau` (seconds since start). */
  private line(tau: number): string {
    const n = this.channelCount;
    const time = this.timestamp ? tau.toFixed(6) : '';
    const values: string[] = [];
    for (let c = 0; c < n; c++) values.push(this.value(this.waveforms[c % this.waveforms.length]!, tau, c / n).toFixed(5));
    switch (this.format) {
      case 'csv':
        return `${this.timestamp ? `${time},` : ''}${values.join(',')}\n`;
      case 'kv':
        return `${this.timestamp ? `t=${time} ` : ''}${values.map((v, c) => `${this.names[c]}=${v}`).join(' ')}\n`;
      case 'json':
        return `{${this.timestamp ? `"t":${time},` : ''}${values.map((v, c) => `"${this.names[c]}":${v}`).join(',')}}\n`;
    }
  }

  private value(waveform: LinesWaveform, tau: number, phase: number): number {
    const cycle = tau * this.frequency + phase;
    const frac = cycle - Math.floor(cycle);
    switch (waveform) {
      case 'sine': return this.amplitude * Math.sin(2 * Math.PI * cycle);
      case 'ramp': return this.amplitude * (2 * frac - 1);
      case 'square': return frac < 0.5 ? this.amplitude : -this.amplitude;
      case 'noise': return this.amplitude * (2 * this.noise() - 1);
    }
  }

  /** xorshift32 in [0, 1): reproducible from the seed. */
  private noise(): number {
    let x = this.noiseState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.noiseState = x >>> 0;
    return this.noiseState / 0x100000000;
  }
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_LINE_RATE) {
    throw new RangeError(`line rate must be above 0 and at most ${MAX_LINE_RATE} lines/s, got ${rate}`);
  }
  return rate;
}

function checkChannels(channels: number): number {
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) {
    throw new RangeError(`channels must be a whole number from 1 to ${MAX_CHANNELS}, got ${channels}`);
  }
  return channels;
}

// ---- transports ----

export interface LinesEmulatorOptions extends LinesWaveOptions {
  transport: 'tcp' | 'udp' | 'serial';
  /** Address to listen on for tcp and udp (default 127.0.0.1). */
  host?: string;
  /** Port to listen on for tcp and udp; 0 picks a free one (default 0). */
  port?: number;
  /** Serial device to write to, e.g. /dev/ttyUSB0 or one end of a socat pty pair. */
  path?: string;
  baudRate?: number;
}

export interface LinesEmulator {
  /** The port listened on (tcp, udp). */
  port?: number;
  /** One line saying what is emulated and where. */
  describe: string;
  close(): Promise<void>;
}

/** Where the generated text goes, and how commands come back. */
interface Transport {
  where: string;
  port?: number;
  /** Sends freshly generated text to every listener. */
  broadcast(text: string): void;
  close(): Promise<void>;
}

type CommandHandler = (line: string, reply: (text: string) => void) => void;

export async function startLinesEmulator(opts: LinesEmulatorOptions): Promise<LinesEmulator> {
  const gen = new LinesWaveGenerator(opts);
  const onCommand: CommandHandler = (line, reply) => {
    if (line.trim() === '') return; // the engine's UDP greeting, or a stray newline
    const before = gen.header();
    const answer = gen.command(line, nowSeconds());
    // After a new channel count every listener needs the new header, not only the one who asked.
    if (gen.header() !== before) transport.broadcast(gen.header() ?? '');
    reply(answer);
  };
  const transport = await openTransport(opts, gen, onCommand);
  const timer = setInterval(() => {
    const text = gen.take(nowSeconds());
    if (text !== '') transport.broadcast(text);
  }, TICK_MS);
  const channels = gen.columns().filter((c) => c !== 't').join(', ');
  return {
    port: transport.port,
    describe: `lines emulator (${gen.format}, ${gen.channels} channels: ${channels}, ${gen.rate} lines/s${gen.timestamp ? ', device time in column t' : ''}) on ${transport.where}`,
    close: async () => {
      clearInterval(timer);
      await transport.close();
    },
  };
}

function openTransport(opts: LinesEmulatorOptions, gen: LinesWaveGenerator, onCommand: CommandHandler): Promise<Transport> {
  switch (opts.transport) {
    case 'tcp': return openTcp(opts.host ?? '127.0.0.1', opts.port ?? 0, gen, onCommand);
    case 'udp': return openUdp(opts.host ?? '127.0.0.1', opts.port ?? 0, gen, onCommand);
    case 'serial':
      if (!opts.path) throw new Error('lines emulator: a serial transport needs a device path');
      return openSerial(opts.path, opts.baudRate ?? 115200, gen, onCommand);
  }
}

/** Splits received bytes into command lines; a runaway line without newline is dropped. */
function commandLines(onLine: (line: string) => void): (data: Uint8Array) => void {
  const decoder = new TextDecoder();
  let pending = '';
  return (data) => {
    pending += decoder.decode(data, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (pending.length > MAX_COMMAND_LENGTH) pending = '';
    for (const line of lines) onLine(line.replace(/\r$/, ''));
  };
}

async function openTcp(host: string, port: number, gen: LinesWaveGenerator, onCommand: CommandHandler): Promise<Transport> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.write(gen.header() ?? '');
    socket.on('data', commandLines((line) => onCommand(line, (text) => socket.write(text))));
    socket.on('error', () => socket.destroy()); // a client going away is not the device's problem
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`lines emulator: cannot listen on tcp ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    where: `tcp ${host}:${bound}`,
    port: bound,
    broadcast(text) {
      for (const socket of sockets) if (socket.writableLength < MAX_CLIENT_BACKLOG) socket.write(text);
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

async function openUdp(host: string, port: number, gen: LinesWaveGenerator, onCommand: CommandHandler): Promise<Transport> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const peers = new Map<string, { address: string; port: number; lastSeen: number }>();
  const sendTo = (address: string, peerPort: number, text: string): void => {
    // Whole lines per datagram, so that a lost datagram costs whole lines only.
    let start = 0;
    while (start < text.length) {
      let end = Math.min(text.length, start + UDP_MAX_DATAGRAM);
      if (end < text.length) {
        const nl = text.lastIndexOf('\n', end - 1);
        if (nl >= start) end = nl + 1;
      }
      socket.send(text.slice(start, end), peerPort, address);
      start = end;
    }
  };
  socket.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    const known = peers.has(key);
    peers.set(key, { address: rinfo.address, port: rinfo.port, lastSeen: nowSeconds() });
    if (!known && gen.header() !== null) sendTo(rinfo.address, rinfo.port, gen.header()!);
    for (const line of msg.toString('utf8').split('\n')) onCommand(line.replace(/\r$/, ''), (text) => sendTo(rinfo.address, rinfo.port, text));
  });
  socket.on('error', () => {}); // e.g. ICMP port unreachable from a peer that went away: it expires by itself
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(new Error(`lines emulator: cannot bind udp ${host}:${port}: ${err.message}`)));
    socket.bind(port, host, () => resolve());
  });
  const bound = socket.address().port;
  return {
    where: `udp ${host}:${bound} (send it any datagram to receive lines for ${UDP_PEER_TIMEOUT_S} s)`,
    port: bound,
    broadcast(text) {
      const now = nowSeconds();
      for (const [key, peer] of peers) {
        if (now - peer.lastSeen > UDP_PEER_TIMEOUT_S) peers.delete(key);
        else sendTo(peer.address, peer.port, text);
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function openSerial(path: string, baudRate: number, gen: LinesWaveGenerator, onCommand: CommandHandler): Promise<Transport> {
  // Loaded here so that tcp and udp emulators never need the native binding.
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(new Error(`lines emulator: cannot open serial port ${path}: ${err.message}`)) : resolve()));
  });
  port.on('error', () => {}); // an unplugged adapter: the emulator keeps running until closed
  port.on('data', commandLines((line) => onCommand(line, (text) => port.write(text))));
  port.write(gen.header() ?? '');
  return {
    where: `serial ${path} @ ${baudRate}`,
    broadcast(text) {
      if (port.writableLength < MAX_CLIENT_BACKLOG) port.write(text);
    },
    close: () => new Promise<void>((resolve) => {
      if (!port.isOpen) return resolve();
      port.close(() => resolve());
    }),
  };
}
