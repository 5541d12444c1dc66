// SLCAN (Lawicel ASCII) lines <-> CAN frames, with the CAN FD extensions of the
// CANable 2 / candleLight SLCAN firmware. Never throws on adapter input: a line
// that is not SLCAN is counted and described (with the adapter named), then dropped.
//
//   t iii L dd..   standard data frame      T iiiiiiii L dd..  extended data frame
//   r iii L        standard remote frame    R iiiiiiii L       extended remote frame
//   d / D          FD frame without bitrate switch (standard / extended id)
//   b / B          FD frame with bitrate switch (standard / extended id)
//   L is the DLC as one hex digit (0-8 classic, 0-F FD); an optional 4-hex-digit
//   timestamp (milliseconds, 0..59999) follows when the adapter was told Z1.
//   Replies: CR = OK, BEL (0x07) = error, "z"/"Z" CR = transmit acknowledged.
import { SLCAN_BITRATES } from '../../../shared/api/link-config';
import { dlcOfLength, fmtId, frameProblem, lengthOfDlc, type CanFrame } from './frame';

/** CAN FD data bitrates by the CANable 2 firmware's Y command code. */
export const SLCAN_DATA_BITRATES: Record<number, number> = { 1_000_000: 1, 2_000_000: 2, 4_000_000: 4, 5_000_000: 5 };

const CR = 0x0d;
const BEL = 0x07;
const MAX_LINE = 160;
const HEX = '0123456789ABCDEF';

export interface SlcanCounters {
  frames: number;
  /** Lines that are not SLCAN (bad id, bad length, bad hex...). */
  malformed: number;
  /** BEL replies: the adapter refused a command or a frame. */
  errors: number;
  oks: number;
  txAcks: number;
  /** Status replies (F) with error flags set. */
  errorStatus: number;
}

export interface SlcanDecodeEvents {
  frame(frame: CanFrame, adapterMs: number | null): void;
  /** A CR (OK) or a BEL (error) reply to a command. */
  reply?(ok: boolean): void;
  /** Any other reply line (V, N, F...). */
  line?(text: string): void;
}

/** One SLCAN command line (with its CR). */
export function slcanCommand(text: string): Uint8Array {
  return Buffer.from(`${text}\r`, 'latin1');
}

/** The S command for a nominal bitrate, or null when SLCAN has none. */
export function bitrateCommand(bitrate: number): string | null {
  const i = (SLCAN_BITRATES as readonly number[]).indexOf(bitrate);
  return i < 0 ? null : `S${i}`;
}

/** A frame as one SLCAN line with its CR; throws RangeError for a frame that cannot exist (callers check frameProblem first). */
export function encodeSlcanFrame(f: Pick<CanFrame, 'id' | 'extended' | 'rtr' | 'fd' | 'brs' | 'data' | 'dlc'>, adapterMs?: number): Uint8Array {
  const problem = frameProblem(f);
  if (problem) throw new RangeError(problem);
  const idDigits = f.extended ? 8 : 3;
  const n = f.data.length;
  const out = Buffer.allocUnsafe(1 + idDigits + 1 + (f.rtr ? 0 : 2 * n) + (adapterMs === undefined ? 0 : 4) + 1);
  let letter: string;
  if (f.fd) letter = f.brs ? 'b' : 'd';
  else letter = f.rtr ? 'r' : 't';
  out[0] = (f.extended ? letter.toUpperCase() : letter).charCodeAt(0);
  let p = 1;
  for (let shift = (idDigits - 1) * 4; shift >= 0; shift -= 4) out[p++] = HEX.charCodeAt((f.id >>> shift) & 0xf);
  out[p++] = HEX.charCodeAt(f.rtr ? (f.dlc ?? 0) : dlcOfLength(n, f.fd));
  if (!f.rtr) {
    for (let i = 0; i < n; i++) {
      out[p++] = HEX.charCodeAt(f.data[i] >> 4);
      out[p++] = HEX.charCodeAt(f.data[i] & 0xf);
    }
  }
  if (adapterMs !== undefined) for (let shift = 12; shift >= 0; shift -= 4) out[p++] = HEX.charCodeAt((adapterMs >>> shift) & 0xf);
  out[p] = CR;
  return out;
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function hexNumber(line: Uint8Array, from: number, digits: number): number {
  let v = 0;
  for (let i = from; i < from + digits; i++) {
    const d = hexVal(line[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function printable(line: Uint8Array): string {
  const s = Buffer.from(line).toString('latin1').replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return s.length > 48 ? `${s.slice(0, 48)}…` : s;
}

/** Incremental decoder of what an SLCAN adapter sends. */
export class SlcanDecoder {
  readonly counters: SlcanCounters = { frames: 0, malformed: 0, errors: 0, oks: 0, txAcks: 0, errorStatus: 0 };
  lastProblem: string | null = null;
  private readonly buf = new Uint8Array(MAX_LINE);
  private len = 0;
  private overlong = false;

  /** `label` names the adapter in problems ("slcan /dev/ttyACM0"). */
  constructor(private readonly label: string, private readonly events: SlcanDecodeEvents) {}

  push(chunk: Uint8Array, t: number): void {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === BEL) {
        this.counters.errors++;
        this.len = 0;
        this.overlong = false;
        this.events.reply?.(false);
      } else if (c === CR) {
        if (this.overlong) this.malformed(`a line longer than ${MAX_LINE} characters`);
        else this.line(this.buf.subarray(0, this.len), t);
        this.len = 0;
        this.overlong = false;
      } else if (c === 0x0a) {
        continue; // some adapters end replies with CR LF
      } else if (this.len < MAX_LINE) {
        this.buf[this.len++] = c;
      } else {
        this.overlong = true;
      }
    }
  }

  private malformed(what: string): void {
    this.counters.malformed++;
    this.lastProblem = `${this.label}: malformed SLCAN line: ${what}`;
  }

  private line(line: Uint8Array, t: number): void {
    if (line.length === 0) {
      this.counters.oks++;
      this.events.reply?.(true);
      return;
    }
    const kind = String.fromCharCode(line[0]);
    switch (kind) {
      case 't': case 'T': case 'r': case 'R': case 'd': case 'D': case 'b': case 'B':
        this.frameLine(line, kind, t);
        return;
      case 'z': case 'Z':
        if (line.length === 1) { this.counters.txAcks++; return; }
        break;
      case 'F': {
        const flags = hexNumber(line, 1, 2);
        if (line.length === 3 && flags >= 0) {
          if (flags !== 0) this.counters.errorStatus++;
          this.events.line?.(printable(line));
          return;
        }
        break;
      }
      case 'V': case 'v': case 'N':
        this.events.line?.(printable(line));
        return;
    }
    this.malformed(`"${printable(line)}" is not a frame or a reply`);
  }

  private frameLine(line: Uint8Array, kind: string, t: number): void {
    const extended = kind === 'T' || kind === 'R' || kind === 'D' || kind === 'B';
    const rtr = kind === 'r' || kind === 'R';
    const fd = kind === 'd' || kind === 'D' || kind === 'b' || kind === 'B';
    const brs = kind === 'b' || kind === 'B';
    const idDigits = extended ? 8 : 3;
    if (line.length < 1 + idDigits + 1) return this.malformed(`"${printable(line)}" is too short for a frame`);
    const id = hexNumber(line, 1, idDigits);
    if (id < 0) return this.malformed(`"${printable(line)}": the id is not hex`);
    const dlc = hexVal(line[1 + idDigits]);
    if (dlc < 0 || (!fd && dlc > 8)) return this.malformed(`"${printable(line)}": bad length code ${String.fromCharCode(line[1 + idDigits])}`);
    const n = lengthOfDlc(dlc, fd);
    const dataStart = 2 + idDigits;
    const dataChars = rtr ? 0 : 2 * n;
    const rest = line.length - dataStart - dataChars;
    if (rest !== 0 && rest !== 4) {
      return this.malformed(`"${printable(line)}": ${n} data bytes announced, ${Math.max(0, (line.length - dataStart) >> 1)} found`);
    }
    const data = new Uint8Array(rtr ? 0 : n);
    for (let i = 0; i < data.length; i++) {
      const hi = hexVal(line[dataStart + 2 * i]);
      const lo = hexVal(line[dataStart + 2 * i + 1]);
      if (hi < 0 || lo < 0) return this.malformed(`"${printable(line)}": data byte ${i} is not hex`);
      data[i] = (hi << 4) | lo;
    }
    let adapterMs: number | null = null;
    if (rest === 4) {
      adapterMs = hexNumber(line, line.length - 4, 4);
      if (adapterMs < 0) return this.malformed(`"${printable(line)}": the timestamp is not hex`);
    }
    const frame: CanFrame = { id, extended, rtr, fd, brs, data, t };
    if (rtr) frame.dlc = dlc;
    const problem = frameProblem(frame);
    if (problem && !rtr) return this.malformed(`"${printable(line)}": ${problem}`);
    if (!extended && id > 0x7ff) return this.malformed(`"${printable(line)}": id ${fmtId(id, false)} is above 0x7FF`);
    this.counters.frames++;
    this.events.frame(frame, adapterMs);
  }
}
