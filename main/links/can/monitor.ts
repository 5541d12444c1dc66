// The CAN monitor of one session: a live table of the frames seen and sent (by id and
// direction: length, last data, count, period), id/mask filters on what the table
// keeps, single and periodic frames sent through the session's CAN link, and signals
// cut from a frame's bits into the telemetry store (so the plots show them).
import type {
  CanFilter, CanFrameInput, CanFrameRow, CanMonitorSnapshot, CanPeriodicInfo, CanSignalInput,
} from '../../../shared/api/can';
import { CanSignalInput as CanSignalSchema, parseHexBytes } from '../../../shared/api/can';
import { nowSeconds } from '../link';
import type { CanLink } from './can-link';
import { fmtId, type CanFrame } from './frame';

/** Rows kept at most: beyond that new ids are counted as filtered out. */
const MAX_ROWS = 2048;

interface Row extends Omit<CanFrameRow, 'data' | 'periodMs'> { bytes: Uint8Array; periodMs: number | null }

export interface SignalSink {
  declare(name: string): number;
  append(id: number, t: number, v: number): void;
}

interface Decoder { signalId: number; name: string; id: number; extended: boolean; read(data: Uint8Array): number | null }

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i ? ' ' : '') + bytes[i].toString(16).toUpperCase().padStart(2, '0');
  return s;
}

/** Reads `length` bits at `start` (see CanSignalInput for the bit numbering); null when the frame is too short. */
export function bitReader(s: { startBit: number; bitLength: number; byteOrder: 'little' | 'big'; signed: boolean; scale: number; offset: number }): (data: Uint8Array) => number | null {
  const { startBit, bitLength, byteOrder, signed, scale, offset } = s;
  const lastBit = startBit + bitLength - 1;
  const full = 2 ** bitLength;
  return (data) => {
    if ((lastBit >> 3) >= data.length) return null;
    let v = 0;
    if (byteOrder === 'little') {
      for (let k = bitLength - 1; k >= 0; k--) {
        const b = startBit + k;
        v = v * 2 + ((data[b >> 3] >> (b & 7)) & 1);
      }
    } else {
      for (let k = 0; k < bitLength; k++) {
        const b = startBit + k;
        v = v * 2 + ((data[b >> 3] >> (7 - (b & 7))) & 1);
      }
    }
    if (signed && v >= full / 2) v -= full;
    return v * scale + offset;
  };
}

export class CanMonitor {
  private readonly rows = new Map<string, Row>();
  private filters: CanFilter[] = [];
  private filteredOut = 0;
  private readonly periodic = new Map<string, { info: CanPeriodicInfo; frame: CanFrame; timer: ReturnType<typeof setInterval> }>();
  private readonly decoders: Decoder[] = [];
  private nextPeriodic = 1;
  private link: CanLink | null = null;
  private untap: (() => void) | null = null;

  constructor(private readonly sink: SignalSink) {}

  /** Follows the session's current CAN link (a reconnect makes a new one). */
  attach(link: CanLink | null): void {
    if (link === this.link) return;
    this.untap?.();
    this.untap = null;
    this.link = link;
    if (link) this.untap = link.addTap((f, dir) => this.onFrame(f, dir));
  }

  setFilters(filters: CanFilter[]): void {
    this.filters = filters;
    for (const [key, row] of this.rows) if (!this.passes(row.id, row.extended)) this.rows.delete(key);
  }

  clear(): void {
    this.rows.clear();
    this.filteredOut = 0;
  }

  /** Sends now, or every periodMs; returns the periodic id, or throws Error(reason). */
  send(input: CanFrameInput, periodMs?: number): string | null {
    const frame = frameOf(input);
    const link = this.link;
    if (!link) throw new Error('the session has no CAN link connected');
    const problem = link.sendFrame(frame);
    if (problem) throw new Error(problem);
    if (periodMs === undefined) return null;
    const periodicId = `p${this.nextPeriodic++}`;
    const info: CanPeriodicInfo = { periodicId, frame: input, periodMs, sent: 1 };
    const timer = setInterval(() => {
      if (this.link?.sendFrame({ ...frame, t: nowSeconds() }) === null) info.sent++;
    }, periodMs);
    this.periodic.set(periodicId, { info, frame, timer });
    return periodicId;
  }

  stopPeriodic(periodicId: string): boolean {
    const p = this.periodic.get(periodicId);
    if (!p) return false;
    clearInterval(p.timer);
    this.periodic.delete(periodicId);
    return true;
  }

  addSignal(input: CanSignalInput): { signalId: number; name: string } {
    const s = CanSignalSchema.parse(input);
    const name = s.name ?? `can ${fmtId(s.id, s.extended)} bits ${s.startBit}+${s.bitLength}${s.byteOrder === 'big' ? ' BE' : ''}`;
    const signalId = this.sink.declare(name);
    if (!this.decoders.some((d) => d.signalId === signalId)) {
      this.decoders.push({ signalId, name, id: s.id, extended: s.extended, read: bitReader(s) });
    }
    return { signalId, name };
  }

  snapshot(): CanMonitorSnapshot {
    const link = this.link;
    const rows: CanFrameRow[] = [...this.rows.values()]
      .sort((a, b) => a.id - b.id || Number(a.extended) - Number(b.extended) || a.dir.localeCompare(b.dir))
      .map(({ bytes, ...r }) => ({ ...r, data: r.rtr ? '' : hex(bytes) }));
    return {
      label: link?.label ?? 'no CAN link connected',
      operational: link?.state === 'Connected',
      stats: link?.backend.stats.snapshot() ?? { rxFrames: 0, txFrames: 0, rxFramesPerSec: 0, txFramesPerSec: 0, busLoad: null, errorFrames: 0, malformed: 0, lastProblem: null },
      rows,
      filteredOut: this.filteredOut,
      filters: this.filters,
      periodic: [...this.periodic.values()].map((p) => ({ ...p.info })),
      signals: this.decoders.map((d) => ({ signalId: d.signalId, name: d.name })),
    };
  }

  dispose(): void {
    for (const p of this.periodic.values()) clearInterval(p.timer);
    this.periodic.clear();
    this.attach(null);
  }

  private passes(id: number, extended: boolean): boolean {
    if (this.filters.length === 0) return true;
    return this.filters.some((f) => f.extended === extended && (id & f.mask) === (f.id & f.mask));
  }

  private onFrame(f: CanFrame, dir: 'rx' | 'tx'): void {
    for (const d of this.decoders) {
      if (d.id !== f.id || d.extended !== f.extended || f.rtr) continue;
      const v = d.read(f.data);
      if (v !== null) this.sink.append(d.signalId, f.t, v);
    }
    if (!this.passes(f.id, f.extended)) { this.filteredOut++; return; }
    const key = `${f.extended ? 'x' : 's'}${f.id}${dir}`;
    const row = this.rows.get(key);
    if (!row) {
      if (this.rows.size >= MAX_ROWS) { this.filteredOut++; return; }
      this.rows.set(key, { id: f.id, extended: f.extended, fd: f.fd, brs: f.brs, rtr: f.rtr, dir, length: lengthOf(f), bytes: f.data, count: 1, periodMs: null, lastT: f.t });
      return;
    }
    const dtMs = (f.t - row.lastT) * 1000;
    // Smoothed so that jitter does not make the column flicker.
    if (dtMs >= 0) row.periodMs = row.periodMs === null ? dtMs : row.periodMs * 0.8 + dtMs * 0.2;
    row.count++;
    row.lastT = f.t;
    row.bytes = f.data;
    row.length = lengthOf(f);
    row.fd = f.fd;
    row.brs = f.brs;
    row.rtr = f.rtr;
  }
}

/** A frame's length as the table shows it: the data, or the length a remote frame asks for. */
function lengthOf(f: CanFrame): number {
  return f.rtr ? (f.dlc ?? 0) : f.data.length;
}

function frameOf(input: CanFrameInput): CanFrame {
  const bytes = parseHexBytes(input.data ?? '');
  if (!bytes) throw new Error('data must be hex bytes');
  const rtr = input.rtr ?? false;
  // A remote frame carries no data: the bytes given (if any) only say how many are asked for.
  return {
    id: input.id, extended: input.extended ?? false, fd: input.fd ?? false, brs: input.brs ?? false, rtr,
    data: rtr ? new Uint8Array(0) : Uint8Array.from(bytes), ...(rtr ? { dlc: input.dlc ?? bytes.length } : {}), t: nowSeconds(),
  };
}
