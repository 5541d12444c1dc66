// A device's own timestamps (the timestamp column or field of the options) to seconds since
// the epoch: epoch times as they are, times since device start anchored to the receive clock.

import type { LinesOptions } from '../../../shared/api/lines-options';

/** Device times below this many seconds (1973) count from device start, not from the epoch. */
const RELATIVE_TIME_LIMIT = 1e8;
const TIME_SCALE = { s: 1, ms: 1e-3, us: 1e-6 } as const;

export class DeviceTime {
  /** The timestamp field's name as bytes, null when the device's lines carry no time. */
  readonly name: Uint8Array | null;
  /** The timestamp column when the options give it by number (1-based there), else -1. */
  readonly columnIndex: number;
  private readonly scale: number;
  private anchor = NaN;
  private lastDeviceTime = -Infinity;

  constructor(opts: LinesOptions) {
    const ts = opts.timestampColumn;
    this.name = ts === null ? null : new TextEncoder().encode(ts);
    this.columnIndex = ts !== null && /^\d{1,6}$/.test(ts) && Number(ts) >= 1 ? Number(ts) - 1 : -1;
    this.scale = TIME_SCALE[opts.timestampUnit];
  }

  /** Whether b[s..e) is the timestamp field's name. */
  isName(b: Uint8Array, s: number, e: number): boolean {
    const ts = this.name;
    if (ts === null || e - s !== ts.length) return false;
    for (let j = 0; j < ts.length; j++) if (b[s + j] !== ts[j]) return false;
    return true;
  }

  /** Seconds since the epoch from a device timestamp received at `t`; NaN when it is not finite. */
  toEpoch(v: number, t: number): number {
    if (!Number.isFinite(v)) return NaN;
    const sec = v * this.scale;
    if (sec >= RELATIVE_TIME_LIMIT) return sec;
    // Anchored to the receive time of the first one, again whenever the device clock goes back (a reboot).
    if (Number.isNaN(this.anchor) || sec < this.lastDeviceTime) this.anchor = t - sec;
    this.lastDeviceTime = sec;
    return this.anchor + sec;
  }
}
