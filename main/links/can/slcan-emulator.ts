// An SLCAN adapter on a serial port (the device end of a pty pair in tests, the
// bench and the demo), speaking the Lawicel ASCII protocol byte for byte as a
// CANable 2 / candleLight SLCAN firmware does: S0..S8 and Y (FD data bitrate) only
// while closed, Z0/Z1 timestamps, O/C, t/T/r/R/d/D/b/B frames while open, V/N/F
// queries; CR for OK, BEL for anything refused; "z"/"Z" CR acknowledges a sent
// standard/extended frame. Optionally bridged to a virtual bus: frames the host sends
// go onto the bus, frames on the bus come to the host.
import { SerialPort } from 'serialport';
import type { CanFrame } from './frame';
import { frameProblem } from './frame';
import { encodeSlcanFrame, SlcanDecoder } from './slcan-codec';
import { attachVirtualNode } from './virtual-bus';

export interface SlcanEmulatorOptions {
  path: string;
  /** Bridge to this virtual bus. */
  bus?: string;
  /** Acknowledge sent frames with z/Z (Lawicel); CANable firmware answers nothing. */
  txAcks?: boolean;
}

const BEL = Uint8Array.of(0x07);
const OK = Uint8Array.of(0x0d);

export class SlcanEmulator {
  open = false;
  bitrateCode: number | null = null;
  dataBitrateCode: number | null = null;
  timestamps = false;
  /** Frames the host sent, in order. */
  readonly sent: CanFrame[] = [];
  /** Every command line received (for tests), frames excluded. */
  readonly commands: string[] = [];
  refused = 0;
  /** The SJA1000-style error flags answered to F (bit 2: error warning, bit 5: bus error...). */
  errorFlags = 0;
  private openedAt = 0;
  private line: number[] = [];
  private node: ReturnType<typeof attachVirtualNode> | null = null;
  private readonly check = new SlcanDecoder('slcan emulator', { frame: (f) => this.hostFrame(f) });
  onFrame: ((f: CanFrame) => void) | null = null;

  private constructor(private readonly port: SerialPort, private readonly opts: SlcanEmulatorOptions) {}

  static async start(opts: SlcanEmulatorOptions): Promise<SlcanEmulator> {
    const port = new SerialPort({ path: opts.path, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const emu = new SlcanEmulator(port, opts);
    port.on('data', (chunk: Buffer) => emu.receive(chunk));
    port.on('error', () => {});
    if (opts.bus) emu.node = attachVirtualNode(opts.bus, (f) => emu.inject(f));
    return emu;
  }

  /** A frame from the bus to the host (dropped while the channel is closed, as an adapter does). */
  inject(f: Pick<CanFrame, 'id' | 'extended' | 'rtr' | 'fd' | 'brs' | 'data'>): boolean {
    if (!this.open || frameProblem(f)) return false;
    const ms = this.timestamps ? Math.floor(performance.now() - this.openedAt) % 60000 : undefined;
    this.port.write(encodeSlcanFrame(f, ms));
    return true;
  }

  /** Raw bytes to the host, for malformed-input tests. */
  injectRaw(text: string | Uint8Array): void {
    this.port.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }

  async close(): Promise<void> {
    this.node?.detach();
    this.node = null;
    if (this.port.isOpen) await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }

  private receive(chunk: Buffer): void {
    for (const c of chunk) {
      if (c === 0x0d) {
        this.command(String.fromCharCode(...this.line));
        this.line = [];
      } else if (c !== 0x0a && this.line.length < 200) {
        this.line.push(c);
      }
    }
  }

  private reply(ok: boolean, text = ''): void {
    if (!ok) this.refused++;
    this.port.write(ok ? Buffer.concat([Buffer.from(text, 'latin1'), OK]) : BEL);
  }

  private command(line: string): void {
    const k = line[0];
    if (k && 'tTrRdDbB'.includes(k)) {
      if (!this.open) return this.reply(false);
      const before = this.check.counters.frames;
      this.check.push(Buffer.from(`${line}\r`, 'latin1'), Date.now() / 1000);
      if (this.check.counters.frames === before) return this.reply(false);
      if (this.opts.txAcks ?? true) this.reply(true, k === k.toUpperCase() ? 'Z' : 'z');
      return;
    }
    this.commands.push(line);
    if (/^S[0-8]$/.test(line)) {
      if (this.open) return this.reply(false);
      this.bitrateCode = Number(line[1]);
      return this.reply(true);
    }
    if (/^Y[1245]$/.test(line)) {
      if (this.open) return this.reply(false);
      this.dataBitrateCode = Number(line[1]);
      return this.reply(true);
    }
    if (/^Z[01]$/.test(line)) {
      if (this.open) return this.reply(false);
      this.timestamps = line[1] === '1';
      return this.reply(true);
    }
    switch (line) {
      case 'O':
        if (this.open || this.bitrateCode === null) return this.reply(false);
        this.open = true;
        this.openedAt = performance.now();
        return this.reply(true);
      case 'C':
        if (!this.open) return this.reply(false);
        this.open = false;
        return this.reply(true);
      case 'V': return this.reply(true, 'V1013');
      case 'N': return this.reply(true, 'NBS01');
      case 'F': return this.reply(true, `F${this.errorFlags.toString(16).toUpperCase().padStart(2, '0')}`);
      default: return this.reply(false);
    }
  }

  private hostFrame(f: CanFrame): void {
    this.sent.push(f);
    if (this.sent.length > 100_000) this.sent.splice(0, 50_000);
    this.node?.send(f);
    this.onFrame?.(f);
  }
}
