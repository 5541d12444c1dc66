// The one CAN frame model every backend, the byte-stream link and the monitor share.
// Lengths follow ISO 11898-1: classic frames carry 0..8 bytes, CAN FD frames one of
// 0..8, 12, 16, 20, 24, 32, 48, 64 (the 16 DLC codes).

export interface CanFrame {
  /** 11-bit (standard) or 29-bit (extended) identifier. */
  id: number;
  extended: boolean;
  /** Remote transmission request (classic frames only): no data, `dlc` says how much is asked for. */
  rtr: boolean;
  fd: boolean;
  /** Bitrate switch for the data phase (FD only). */
  brs: boolean;
  data: Uint8Array;
  /** Remote frames: the length asked for (0..8; the DLC on the wire). Absent: 0 for a remote frame. */
  dlc?: number;
  /** Receive (or send) time, seconds since the Unix epoch; the adapter's clock when it stamps frames. */
  t: number;
}

export const MAX_STANDARD_ID = 0x7ff;
export const MAX_EXTENDED_ID = 0x1fffffff;
export const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] as const;

/** The data length of DLC code 0..15 (classic frames stop at 8). */
export function lengthOfDlc(dlc: number, fd: boolean): number {
  if (dlc < 0 || dlc > 15) return -1;
  return fd ? FD_LENGTHS[dlc] : Math.min(dlc, 8);
}

/** The DLC code for a data length, or -1 when the frame cannot have that length. */
export function dlcOfLength(length: number, fd: boolean): number {
  if (!fd) return length >= 0 && length <= 8 ? length : -1;
  return (FD_LENGTHS as readonly number[]).indexOf(length);
}

/** The largest valid length not above `n` (so a byte stream is never padded). */
export function fdLengthAtMost(n: number): number {
  let best = 0;
  for (const l of FD_LENGTHS) if (l <= n) best = l;
  return best;
}

/** Why a frame cannot go on the wire, or null when it can. */
export function frameProblem(f: Pick<CanFrame, 'id' | 'extended' | 'rtr' | 'fd' | 'brs' | 'data' | 'dlc'>): string | null {
  const max = f.extended ? MAX_EXTENDED_ID : MAX_STANDARD_ID;
  if (!Number.isInteger(f.id) || f.id < 0 || f.id > max) {
    return `CAN id ${fmtId(f.id, f.extended)} out of range: ${f.extended ? 'extended (29-bit) ids go up to 0x1FFFFFFF' : 'standard (11-bit) ids go up to 0x7FF'}`;
  }
  if (f.brs && !f.fd) return 'bitrate switch needs a CAN FD frame';
  if (f.rtr && f.fd) return 'CAN FD has no remote frames';
  if (f.rtr && f.data.length) return 'a remote frame carries no data (give the length asked for as its DLC)';
  if (f.rtr && f.dlc !== undefined && !(Number.isInteger(f.dlc) && f.dlc >= 0 && f.dlc <= 8)) return `remote frame DLC ${f.dlc} out of range 0..8`;
  if (dlcOfLength(f.data.length, f.fd) < 0) {
    return f.fd
      ? `${f.data.length} bytes is not a CAN FD length (0-8, 12, 16, 20, 24, 32, 48, 64)`
      : `${f.data.length} bytes is too long for a classic CAN frame (at most 8)`;
  }
  return null;
}

export function fmtId(id: number, extended: boolean): string {
  return Number.isFinite(id) ? `0x${id.toString(16).toUpperCase().padStart(extended ? 8 : 3, '0')}` : String(id);
}

/**
 * Bits a frame takes on the bus, in nominal bit times, for the bus load estimate:
 * frame overhead plus data, with worst-case-ish bit stuffing of one bit in five on the
 * stuffable part. The FD data phase is scaled by nominal / data bitrate when switched.
 */
export function frameBits(f: Pick<CanFrame, 'extended' | 'fd' | 'brs' | 'data'>, dataPhaseRatio = 1): number {
  const header = f.extended ? 54 : 34; // SOF, id, control bits, up to the DLC
  if (!f.fd) {
    const stuffable = header + 8 * f.data.length + 15; // + CRC-15
    return stuffable * 1.2 + 13; // CRC delimiter, ACK, EOF, intermission
  }
  const crc = f.data.length > 16 ? 21 : 17;
  const arbitration = header * 1.2 + 13;
  const dataPhase = (8 * f.data.length + crc + 5) * 1.2;
  return arbitration + (f.brs ? dataPhase * dataPhaseRatio : dataPhase);
}
