// SocketCAN backend (Linux) through the `socketcan` npm addon, loaded lazily: the
// app runs without it, and socketcanUnavailable() says in words why SocketCAN cannot
// be used here (not Linux, addon missing, no such interface, interface down).
// The addon is not a dependency of Benchscope: it is a non-N-API module built with
// node-gyp, which a packaged Electron app must rebuild for its own ABI.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { CanStats, type CanBackend, type CanBackendEvents } from './backend';
import type { CanFrame } from './frame';

const require = createRequire(import.meta.url);
const ARPHRD_CAN = '280';

interface RawMessage { id: number; ext?: boolean; rtr?: boolean; data: Buffer; ts_sec?: number; ts_usec?: number }
interface RawChannel {
  addListener(event: 'onMessage', cb: (msg: RawMessage) => void): void;
  addListener(event: 'onStopped', cb: () => void): void;
  start(): void;
  stop(): void;
  send(msg: { id: number; ext: boolean; rtr: boolean; data: Buffer }): void;
}
interface SocketcanAddon { createRawChannel(iface: string, timestamps?: boolean): RawChannel }

function loadAddon(): SocketcanAddon | null {
  try {
    return require('socketcan') as SocketcanAddon;
  } catch {
    return null;
  }
}

function readSys(channel: string, file: string): string | null {
  try {
    return fs.readFileSync(`/sys/class/net/${channel}/${file}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** What decides whether SocketCAN can be used: read from the system by socketcanUnavailable(). */
export interface SocketcanFacts {
  platform: NodeJS.Platform;
  channel: string;
  /** The socketcan addon loads. */
  addon: boolean;
  /** The kernel has CAN sockets (the can and can_raw modules: /proc/net/can exists). */
  kernelCan: boolean;
  /** /sys/class/net/<channel>/type, null when there is no such interface. */
  type: string | null;
  /** /sys/class/net/<channel>/flags as a number (bit 0: up). */
  flags: number;
  fd: boolean;
}

/** The words for each reason SocketCAN cannot be used, from the facts; null when it can. */
export function socketcanReason(f: SocketcanFacts): string | null {
  if (f.platform !== 'linux') return `SocketCAN exists on Linux only (this computer runs ${f.platform}): use an SLCAN adapter (CANable, USBtin) instead`;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(f.channel)) return `"${f.channel}" is not a network interface name (e.g. can0, vcan0)`;
  if (!f.addon) return 'SocketCAN needs the "socketcan" native addon, which is not installed (npm install socketcan, then rebuild it for Electron)';
  if (!f.kernelCan) return 'this Linux kernel has no CAN sockets loaded (sudo modprobe can can_raw; in a container the host kernel must provide them): use an SLCAN adapter instead';
  if (f.type === null) return `no network interface ${f.channel} (load the driver or plug the adapter; for a virtual one: ip link add dev ${f.channel} type vcan)`;
  if (f.type !== ARPHRD_CAN) return `${f.channel} is not a CAN interface`;
  if ((f.flags & 1) === 0) return `${f.channel} is down (ip link set ${f.channel} up type can bitrate 500000)`;
  if (f.fd) return 'CAN FD over SocketCAN is not supported by the socketcan addon backend: use classic frames or an SLCAN FD adapter';
  return null;
}

/** Why a SocketCAN channel cannot be used on this machine, or null when it can. */
export function socketcanUnavailable(channel: string, opts: { fd?: boolean; platform?: NodeJS.Platform } = {}): string | null {
  const platform = opts.platform ?? process.platform;
  const onLinux = platform === 'linux' && process.platform === 'linux';
  return socketcanReason({
    platform,
    channel,
    addon: onLinux && loadAddon() !== null,
    kernelCan: onLinux && fs.existsSync('/proc/net/can'),
    type: onLinux ? readSys(channel, 'type') : null,
    flags: Number.parseInt((onLinux ? readSys(channel, 'flags') : null) ?? '0', 16),
    fd: opts.fd ?? false,
  });
}

export class SocketcanBackend implements CanBackend {
  readonly label: string;
  readonly stats = new CanStats(0);
  private channel: RawChannel | null = null;

  constructor(private readonly iface: string) {
    this.label = `socketcan ${iface}`;
  }

  async start(events: CanBackendEvents): Promise<void> {
    const why = socketcanUnavailable(this.iface);
    if (why) throw new Error(why);
    const addon = loadAddon()!;
    const channel = addon.createRawChannel(this.iface, true);
    channel.addListener('onMessage', (msg) => {
      const t = msg.ts_sec !== undefined ? msg.ts_sec + (msg.ts_usec ?? 0) / 1e6 : Date.now() / 1000;
      const f: CanFrame = { id: msg.id, extended: !!msg.ext, rtr: !!msg.rtr, fd: false, brs: false, data: new Uint8Array(msg.data), t };
      this.stats.rx(f);
      events.frame(f);
    });
    channel.addListener('onStopped', () => {
      if (this.channel === channel) events.down(`${this.iface} stopped (interface down or removed)`);
    });
    channel.start();
    this.channel = channel;
  }

  send(frame: CanFrame): boolean {
    if (!this.channel) return false;
    this.channel.send({ id: frame.id, ext: frame.extended, rtr: frame.rtr, data: Buffer.from(frame.data) });
    this.stats.tx(frame);
    return true;
  }

  async stop(): Promise<void> {
    const c = this.channel;
    this.channel = null;
    c?.stop();
  }
}
