// The CAN monitor's part of the contract: a live frame table per CAN session,
// id/mask filters, sending one frame or a periodic one, and signals cut from a
// frame's bytes for the plots. Checked at the hub like every other request; the
// SDK and the forms use the same schemas, so a bad id or length gets the same words.
import { z } from 'zod';
import { CAN_INTERFACES } from './link-config';

const MAX_STD = 0x7ff;
const MAX_EXT = 0x1fffffff;
const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

const sessionId = z.string().min(1).max(64);
const canId = z.number({ error: 'CAN id must be a number' }).int('CAN id must be a whole number').min(0, 'CAN id cannot be negative')
  .max(MAX_EXT, 'CAN id is at most 0x1FFFFFFF');

/** Hex bytes as typed: "01 02 ff", "0102FF" or "" (separators: spaces, commas, colons). */
export function parseHexBytes(text: string): number[] | null {
  const t = text.replace(/[\s,:]+/g, '');
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return null;
  const out: number[] = [];
  for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
  return out;
}

export const CanFrameInput = z.object({
  id: canId,
  extended: z.boolean().default(false),
  fd: z.boolean().default(false),
  brs: z.boolean().default(false),
  rtr: z.boolean().default(false),
  /** Remote frames: the length asked for, 0 to 8 (default: the number of data bytes given, usually 0). */
  dlc: z.number({ error: 'DLC must be a number' }).int('DLC must be a whole number').min(0, 'DLC is 0 to 8').max(8, 'A remote frame asks for at most 8 bytes').optional(),
  /** Hex bytes, e.g. "11 22 33". */
  data: z.string().max(400, 'At most 64 bytes').default(''),
}).strict().superRefine((f, ctx) => {
  if (f.dlc !== undefined && !f.rtr) ctx.addIssue({ code: 'custom', path: ['dlc'], message: 'A DLC is given only for remote frames (the data says the length of the others)' });
  if (!f.extended && f.id > MAX_STD) ctx.addIssue({ code: 'custom', path: ['id'], message: 'Standard (11-bit) ids go up to 0x7FF; tick Extended for 29-bit ids' });
  if (f.brs && !f.fd) ctx.addIssue({ code: 'custom', path: ['brs'], message: 'Bitrate switch needs CAN FD' });
  if (f.rtr && f.fd) ctx.addIssue({ code: 'custom', path: ['rtr'], message: 'CAN FD has no remote frames' });
  const bytes = parseHexBytes(f.data);
  if (!bytes) ctx.addIssue({ code: 'custom', path: ['data'], message: 'Data must be hex bytes, e.g. 01 A2 FF' });
  else if (!f.fd && bytes.length > 8) ctx.addIssue({ code: 'custom', path: ['data'], message: `${bytes.length} bytes: a classic CAN frame carries at most 8` });
  else if (f.fd && !FD_LENGTHS.includes(bytes.length)) ctx.addIssue({ code: 'custom', path: ['data'], message: `${bytes.length} bytes is not a CAN FD length (0-8, 12, 16, 20, 24, 32, 48, 64)` });
});
export type CanFrameInput = z.input<typeof CanFrameInput>;

export const CanFilter = z.object({
  id: canId,
  /** Bits that must match `id`; 0 passes everything. */
  mask: z.number({ error: 'Mask must be a number' }).int().min(0, 'Mask cannot be negative').max(MAX_EXT, 'Mask is at most 0x1FFFFFFF'),
  extended: z.boolean(),
}).strict().superRefine((f, ctx) => {
  if (!f.extended && f.id > MAX_STD) ctx.addIssue({ code: 'custom', path: ['id'], message: 'Standard (11-bit) ids go up to 0x7FF; tick Extended for 29-bit ids' });
});
export type CanFilter = z.infer<typeof CanFilter>;

export const CanSignalInput = z.object({
  id: canId,
  extended: z.boolean().default(false),
  /** Bit 0 is the least significant bit of byte 0 (little endian) or the most significant (big endian). */
  startBit: z.number().int().min(0).max(511, 'Start bit is at most 511 (64 bytes)'),
  bitLength: z.number().int().min(1, 'At least one bit').max(32, 'At most 32 bits'),
  byteOrder: z.enum(['little', 'big']).default('little'),
  signed: z.boolean().default(false),
  scale: z.number().finite().default(1),
  offset: z.number().finite().default(0),
  name: z.string().trim().min(1).max(100).optional(),
}).strict().superRefine((s, ctx) => {
  if (!s.extended && s.id > MAX_STD) ctx.addIssue({ code: 'custom', path: ['id'], message: 'Standard (11-bit) ids go up to 0x7FF' });
  if (s.byteOrder === 'little' && s.startBit + s.bitLength > 512) ctx.addIssue({ code: 'custom', path: ['bitLength'], message: 'The bits run past byte 63' });
});
export type CanSignalInput = z.input<typeof CanSignalInput>;

export const CanRequestSchemas = {
  /** The frame table, filters, periodic frames and statistics of a CAN session. */
  canMonitor: z.object({ sessionId }).strict(),
  canSetFilters: z.object({ sessionId, filters: z.array(CanFilter).max(32) }).strict(),
  /** One frame now, or every periodMs until canStopPeriodic. */
  canSend: z.object({ sessionId, frame: CanFrameInput, periodMs: z.number().int().min(1, 'Period is at least 1 ms').max(600_000).optional() }).strict(),
  canStopPeriodic: z.object({ sessionId, periodicId: z.string().min(1).max(32) }).strict(),
  canAddSignal: z.object({ sessionId, signal: CanSignalInput }).strict(),
  canClear: z.object({ sessionId }).strict(),
  /** Whether an interface can be used on the hub's machine, and why not (the form shows it). */
  canInterfaceStatus: z.object({ interface: z.enum(CAN_INTERFACES), channel: z.string().max(64).optional() }).strict(),
} as const;
export type CanMethod = keyof typeof CanRequestSchemas;

export interface CanChannelStats {
  rxFrames: number;
  txFrames: number;
  rxFramesPerSec: number;
  txFramesPerSec: number;
  /** Estimated fraction of the bus's bit time used (0..1); null when the bitrate is unknown. */
  busLoad: number | null;
  /** Error frames or error states the adapter reported. */
  errorFrames: number;
  /** Adapter lines that were not SLCAN. */
  malformed: number;
  lastProblem: string | null;
}

export interface CanFrameRow {
  id: number;
  extended: boolean;
  fd: boolean;
  brs: boolean;
  rtr: boolean;
  dir: 'rx' | 'tx';
  length: number;
  /** Last data, hex bytes separated by spaces. */
  data: string;
  count: number;
  /** Mean time between the last frames of this id, ms; null until two were seen. */
  periodMs: number | null;
  lastT: number;
}

export interface CanPeriodicInfo { periodicId: string; frame: CanFrameInput; periodMs: number; sent: number }

export interface CanMonitorSnapshot {
  label: string;
  operational: boolean;
  stats: CanChannelStats;
  rows: CanFrameRow[];
  /** Frames the filters kept out of the table. */
  filteredOut: number;
  filters: CanFilter[];
  periodic: CanPeriodicInfo[];
  signals: { signalId: number; name: string }[];
}

export interface CanResultTypes {
  canMonitor: CanMonitorSnapshot;
  canSetFilters: null;
  canSend: { periodicId: string | null };
  canStopPeriodic: null;
  canAddSignal: { signalId: number; name: string };
  canClear: null;
  canInterfaceStatus: { available: boolean; reason: string | null };
}
