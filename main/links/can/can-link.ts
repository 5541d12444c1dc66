// A CAN link as a byte stream: what a protocol writes is cut into frames on one TX id
// (8 bytes per classic frame; with CAN FD the largest valid FD length that the bytes
// left fill, never padded, since padding would put bytes into the stream that the
// device would read), and the data of the frames on the RX id is handed over as
// received. No ISO-TP: this is how Scrutiny runs over CAN, and any byte-stream
// protocol can. Every frame seen or sent also goes to the taps (the CAN monitor).
import type { LinkConfigOf } from '../../../shared/api/link-config';
import { canChannelOf } from '../../../shared/api/link-config';
import { nowSeconds } from '../link';
import { LinkBase, type LinkOptions } from '../link-base';
import type { CanBackend } from './backend';
import { fdLengthAtMost, fmtId, frameProblem, type CanFrame } from './frame';

export type CanTap = (frame: CanFrame, dir: 'rx' | 'tx') => void;

export class CanLink extends LinkBase {
  readonly kind = 'stream' as const;
  private readonly taps = new Set<CanTap>();
  private starting: Promise<void> = Promise.resolve();

  constructor(readonly config: LinkConfigOf<'can'>, readonly backend: CanBackend, options: LinkOptions = {}) {
    super(`can ${canChannelOf(config)} tx ${fmtId(config.txid, config.extended_id)} rx ${fmtId(config.rxid, config.extended_id)}`, options);
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'Connected') return false;
    const c = this.config;
    const t = nowSeconds();
    for (let off = 0; off < bytes.length;) {
      const left = bytes.length - off;
      const n = c.fd ? fdLengthAtMost(Math.min(left, 64)) : Math.min(left, 8);
      const frame: CanFrame = { id: c.txid, extended: c.extended_id, rtr: false, fd: c.fd, brs: c.bitrate_switch, data: bytes.slice(off, off + n), t };
      if (!this.backend.send(frame)) return false;
      this.tap(frame, 'tx');
      off += n;
    }
    this.sent(bytes.length);
    return true;
  }

  /** Sends one frame as is (the monitor); returns the reason it was not sent, or null. */
  sendFrame(frame: CanFrame): string | null {
    const problem = frameProblem(frame);
    if (problem) return problem;
    if (this.state !== 'Connected') return `${this.label} is not connected${this.lastError ? ` (${this.lastError})` : ''}`;
    if (!this.backend.send(frame)) return `${this.label}: the backend refused the frame`;
    this.tap(frame, 'tx');
    return null;
  }

  /** Sees every frame received and sent; returns the function that stops it. */
  addTap(tap: CanTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  protected connect(): void {
    this.starting = this.backend.start({
      frame: (f) => this.onFrame(f),
      down: (reason) => this.retry(reason),
    }).then(
      () => {
        if (this.closed) return this.backend.stop();
        this.connected();
      },
      (e: Error) => this.retry(e.message),
    );
  }

  protected async release(): Promise<void> {
    await this.starting;
    await this.backend.stop();
  }

  private onFrame(f: CanFrame): void {
    this.tap(f, 'rx');
    const c = this.config;
    if (f.id === c.rxid && f.extended === c.extended_id && !f.rtr && this.state === 'Connected') this.received(f.data, f.t);
  }

  private tap(f: CanFrame, dir: 'rx' | 'tx'): void {
    for (const tap of this.taps) {
      try {
        tap(f, dir);
      } catch (err) {
        console.error(`${this.label}: frame tap threw`, err);
      }
    }
  }
}
