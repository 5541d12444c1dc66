// SLCAN backend: a USB-CAN adapter speaking the Lawicel ASCII protocol over a serial
// port (CANable, USBtin, Lawicel CANUSB, candleLight with SLCAN firmware). Start
// closes any channel left open, sets the bitrate (S0..S8, and Y for the FD data
// phase), timestamps (Z1/Z0), then opens the channel (O); every command waits for
// the adapter's CR (OK) or BEL (refused).
import { SerialPort } from 'serialport';
import { describeLinkError } from '../errors';
import { nowSeconds } from '../link';
import { CanStats, type CanBackend, type CanBackendEvents } from './backend';
import type { CanFrame } from './frame';
import { bitrateCommand, encodeSlcanFrame, SLCAN_DATA_BITRATES, slcanCommand, SlcanDecoder } from './slcan-codec';

export interface SlcanOptions {
  portname: string;
  /** The serial port's own rate (ignored by USB CDC adapters, used by UART ones). */
  baudrate: number;
  /** Nominal CAN bitrate, one of SLCAN_BITRATES. */
  bitrate: number;
  /** CAN FD data-phase bitrate (Y command); omitted for classic CAN. */
  data_bitrate?: number;
  /** Ask the adapter to stamp frames (Z1); times then follow the adapter's clock. */
  timestamps: boolean;
  /** How long to wait for each command's reply. */
  replyTimeoutMs?: number;
  /** How often to ask for the error status flags (F); adapters send no error frames by themselves. */
  statusPollMs?: number;
}

const ADAPTER_WRAP_MS = 60_000;

export class SlcanBackend implements CanBackend {
  readonly label: string;
  readonly stats: CanStats;
  private port: SerialPort | null = null;
  private readonly decoder: SlcanDecoder;
  private events: CanBackendEvents | null = null;
  private waiting: ((ok: boolean) => void) | null = null;
  private onBus = false;
  private pending: Uint8Array[] = [];
  private statusTimer: ReturnType<typeof setInterval> | null = null;
  private anchor: number | null = null;
  private lastMs = -1;
  private wraps = 0;

  constructor(private readonly opts: SlcanOptions) {
    this.label = `slcan ${opts.portname}`;
    this.stats = new CanStats(opts.bitrate, opts.data_bitrate ? opts.bitrate / opts.data_bitrate : 1);
    this.decoder = new SlcanDecoder(this.label, {
      frame: (f, ms) => this.frame(f, ms),
      reply: (ok) => {
        const w = this.waiting;
        this.waiting = null;
        w?.(ok);
      },
    });
  }

  async start(events: CanBackendEvents): Promise<void> {
    this.events = events;
    const port = new SerialPort({ path: this.opts.portname, baudRate: this.opts.baudrate, autoOpen: false });
    this.port = port;
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(new Error(describeLinkError(err, `serial ${this.opts.portname}`))) : resolve())));
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    let failure: string | null = null;
    port.on('error', (err) => { failure = describeLinkError(err, `serial ${this.opts.portname}`); });
    port.on('close', (err: Error | null) => {
      if (this.port !== port) return;
      this.port = null;
      const was = this.onBus;
      this.onBus = false;
      if (this.statusTimer) clearInterval(this.statusTimer);
      this.statusTimer = null;
      const w = this.waiting;
      this.waiting = null;
      w?.(false);
      if (was) this.events?.down(err ? describeLinkError(err, `serial ${this.opts.portname}`) : failure ?? `${this.opts.portname} was closed`);
    });
    try {
      await this.command('C', true);
      const s = bitrateCommand(this.opts.bitrate);
      if (!s) throw new Error(`${this.label}: SLCAN has no ${this.opts.bitrate} bit/s bitrate`);
      await this.command(s);
      if (this.opts.data_bitrate) {
        const y = SLCAN_DATA_BITRATES[this.opts.data_bitrate];
        if (!y) throw new Error(`${this.label}: SLCAN has no ${this.opts.data_bitrate} bit/s FD data bitrate (1, 2, 4 or 5 Mbit/s)`);
        await this.command(`Y${y}`);
      }
      await this.command(this.opts.timestamps ? 'Z1' : 'Z0', !this.opts.timestamps);
      await this.command('O');
    } catch (e) {
      await this.closePort();
      throw e;
    }
    this.onBus = true;
    // An adapter without F answers BEL, which is counted and otherwise harmless.
    this.statusTimer = setInterval(() => {
      if (this.port?.isOpen && this.onBus) this.port.write(slcanCommand('F'));
    }, this.opts.statusPollMs ?? 1000);
  }

  send(frame: CanFrame): boolean {
    if (!this.port || !this.onBus) return false;
    // The frames of one write (a protocol request cut into many) leave in one port write.
    this.pending.push(encodeSlcanFrame(frame));
    if (this.pending.length === 1) queueMicrotask(() => this.flush());
    this.stats.tx(frame);
    return true;
  }

  private flush(): void {
    const lines = this.pending;
    this.pending = [];
    if (this.port?.isOpen && lines.length) this.port.write(lines.length === 1 ? lines[0] : Buffer.concat(lines));
  }

  async stop(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.onBus = false;
    if (port.isOpen) {
      port.write(slcanCommand('C'));
      await new Promise<void>((resolve) => port.drain(() => resolve()));
    }
    await this.closePort();
  }

  private async closePort(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Sends one command and waits for CR or BEL; `lenient` commands may be refused. */
  private command(text: string, lenient = false): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error(`${this.label}: the port closed while setting up the adapter`));
    const timeoutMs = this.opts.replyTimeoutMs ?? 1000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`${this.label}: no reply to "${text}" within ${timeoutMs} ms (is it an SLCAN adapter? is the serial baud rate right?)`));
      }, timeoutMs);
      this.waiting = (ok) => {
        clearTimeout(timer);
        if (ok || lenient) resolve();
        else reject(new Error(`${this.label}: the adapter refused "${text}" (BEL)`));
      };
      port.write(slcanCommand(text));
    });
  }

  private receive(chunk: Buffer): void {
    const before = this.decoder.counters.malformed;
    const errorsBefore = this.decoder.counters.errorStatus;
    this.decoder.push(chunk, nowSeconds());
    if (this.decoder.counters.malformed !== before) {
      this.stats.malformed = this.decoder.counters.malformed;
      this.stats.lastProblem = this.decoder.lastProblem;
    }
    this.stats.errorFrames += this.decoder.counters.errorStatus - errorsBefore;
  }

  private frame(f: CanFrame, adapterMs: number | null): void {
    if (!this.onBus) return;
    if (adapterMs !== null) f.t = this.adapterTime(adapterMs, f.t);
    this.stats.rx(f);
    this.events?.frame(f);
  }

  /** Adapter milliseconds (wrapping at 60 s) on the host's time axis. */
  private adapterTime(ms: number, hostT: number): number {
    if (this.lastMs >= 0 && ms < this.lastMs) this.wraps++;
    this.lastMs = ms;
    const unwrapped = (this.wraps * ADAPTER_WRAP_MS + ms) / 1000;
    // Re-anchored when the two clocks disagree by more than half a second (a silence longer than a wrap).
    if (this.anchor === null || Math.abs(this.anchor + unwrapped - hostT) > 0.5) this.anchor = hostT - unwrapped;
    return this.anchor + unwrapped;
  }
}
