// Watching memory variables: the read plan (neighbouring ranges merged into one
// block, blocks packed into requests that fit the device's buffers) and decoding the
// responses straight into the telemetry store, with no object per sample.
import { requests } from './messages';
import { decodeValue, typeSize } from './value-types';

export interface WatchedVariable {
  path: string;
  signalId: number;
  address: number;
  type: number;
  little: boolean;
  bitOffset: number | null;
  bitSize: number | null;
  gain: number;
  offset: number;
  /** The latest decoded (scaled) value, NaN before the first read: the watch table shows it. */
  last: number;
  /** A pointed-to variable: its pointer (a watched variable too) and the offset added to it. */
  pointer?: { path: string; offset: number } | undefined;
}

export interface ReadRequestPlan {
  frame: Uint8Array;
  blocks: { address: number; length: number }[];
  /** Expected response payload length. */
  responseLength: number;
  /** Per variable decoded from this request: its index in the watch list and its offset in the response payload. */
  vars: Int32Array;
  offsets: Int32Array;
}

export interface PlanLimits {
  addressSize: number;
  /** Device rx buffer: the largest request payload. */
  maxRequest: number;
  /** Device tx buffer: the largest response payload. */
  maxResponse: number;
  /** Ranges at most this far apart are read as one block (default 16 bytes). */
  mergeGap?: number;
  /** Ranges never to read across (forbidden regions). */
  avoid?: readonly { start: number; end: number }[];
}

/** Builds the requests reading every watched variable; throws RangeError when one cannot fit a response at all. */
export function planReads(vars: readonly WatchedVariable[], limits: PlanLimits): ReadRequestPlan[] {
  const as = limits.addressSize;
  const gap = limits.mergeGap ?? 16;
  const perBlock = as + 2;
  const maxData = limits.maxResponse - perBlock;
  const order = vars.map((_, i) => i).sort((a, b) => vars[a]!.address - vars[b]!.address);
  // 1. Merge into blocks.
  const blocks: { address: number; end: number; members: number[] }[] = [];
  for (const i of order) {
    const v = vars[i]!;
    const size = typeSize(v.type);
    if (size > maxData) throw new RangeError(`${v.path}: ${size} bytes cannot fit the device's ${limits.maxResponse}-byte response buffer`);
    const last = blocks[blocks.length - 1];
    const end = v.address + size;
    const crossesAvoided = last && (limits.avoid ?? []).some((r) => r.start < end && r.end >= last.end);
    if (last && v.address <= last.end + gap && Math.max(last.end, end) - last.address <= maxData && !crossesAvoided) {
      last.end = Math.max(last.end, end);
      last.members.push(i);
    } else {
      blocks.push({ address: v.address, end, members: [i] });
    }
  }
  // 2. Pack blocks into requests.
  const plans: ReadRequestPlan[] = [];
  let cur: typeof blocks = [];
  let reqSize = 0;
  let respSize = 0;
  const flush = () => {
    if (cur.length === 0) return;
    const b = cur.map((x) => ({ address: x.address, length: x.end - x.address }));
    const varIdx: number[] = [];
    const offs: number[] = [];
    let at = 0;
    for (const x of cur) {
      at += perBlock;
      for (const m of x.members) {
        varIdx.push(m);
        offs.push(at + vars[m]!.address - x.address);
      }
      at += x.end - x.address;
    }
    plans.push({ frame: requests.readMemory(b, as), blocks: b, responseLength: at, vars: Int32Array.from(varIdx), offsets: Int32Array.from(offs) });
    cur = [];
    reqSize = 0;
    respSize = 0;
  };
  for (const x of blocks) {
    const len = x.end - x.address;
    if (reqSize + perBlock > limits.maxRequest || respSize + perBlock + len > limits.maxResponse) flush();
    cur.push(x);
    reqSize += perBlock;
    respSize += perBlock + len;
  }
  flush();
  return plans;
}

/**
 * Decodes one read response into samples. Returns null, or what was wrong (the
 * response does not have the announced block headers or length).
 */
export function decodeReadResponse(
  plan: ReadRequestPlan, payload: Uint8Array, vars: readonly WatchedVariable[], t: number,
  sample: (id: number, t: number, v: number) => void,
): string | null {
  if (payload.length !== plan.responseLength) {
    return `MemoryControl.Read response of ${payload.length} bytes (${plan.responseLength} expected for ${plan.blocks.length} block(s))`;
  }
  // The block headers echo the request's: compare them byte for byte.
  const req = plan.frame;
  let at = 0;
  let rq = 4;
  const hdr = req.length - 8 === 0 ? 0 : (req.length - 8) / plan.blocks.length;
  for (const b of plan.blocks) {
    for (let i = 0; i < hdr; i++) {
      if (payload[at + i] !== req[rq + i]) return `MemoryControl.Read response block header differing from the request at byte ${at + i}`;
    }
    at += hdr + b.length;
    rq += hdr;
  }
  for (let k = 0; k < plan.vars.length; k++) {
    const v = vars[plan.vars[k]!]!;
    let value = decodeValue(payload, plan.offsets[k]!, v.type, v.little);
    if (v.bitSize !== null) value = Math.floor(value / 2 ** (v.bitOffset ?? 0)) % 2 ** v.bitSize;
    value = value * v.gain + v.offset;
    v.last = value;
    sample(v.signalId, t, value);
  }
  return null;
}
