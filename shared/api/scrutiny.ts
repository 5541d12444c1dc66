// The Scrutiny session's actions and what they return, shared by the engine (which
// checks its handlers against this table), the SDK and the panels: memory, RPVs,
// watched variables, the user command, datalogging and firmware descriptions.
import { z } from 'zod';
import { action } from './actions';

/** Numeric type names a request may give (the codec's typeFromName + isNumericType; a unit test keeps the two in step). */
export const SCRUTINY_NUMERIC_TYPE = /^(?:(?:sint|int|uint|bool)(?:8|16|32|64)|float(?:32|64))$/;
export const DL_CONDITION_NAMES = ['alwaysTrue', 'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'changeMoreThan', 'isWithin'] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const address = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const typeName = z.string().regex(SCRUTINY_NUMERIC_TYPE, 'type must be one of sint8..64, uint8..64, float32, float64, bool8..64');
/** Hex digits, spaces and colons ignored (as the codec's fromHex reads them). */
export function isHexBytes(s: string): boolean {
  const clean = s.replace(/[\s:]/g, '');
  return clean.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(clean);
}
const hex = z.string().max(1 << 17).refine(isHexBytes, { message: 'hexData must be an even number of hex digits' });
const value = z.union([z.number().finite(), z.boolean()]);

export const WatchVariableArgs = z.object({
  path: z.string().min(1).max(256),
  address,
  type: typeName,
  bitOffset: int(0, 63).optional(),
  bitSize: int(1, 64).optional(),
  endianness: z.enum(['little', 'big']).optional(),
  /** Alias scaling: value = raw x gain + offset. */
  gain: z.number().finite().optional(),
  offset: z.number().finite().optional(),
}).strict();

const Operand = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('literal'), value: z.number().finite() }).strict(),
  z.object({ kind: z.literal('var'), address, type: typeName }).strict(),
  z.object({ kind: z.literal('varbit'), address, type: typeName, bitOffset: int(0, 63), bitSize: int(1, 64) }).strict(),
  z.object({ kind: z.literal('rpv'), id: int(0, 0xffff) }).strict(),
]);
const Signal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory'), address, type: typeName, name: z.string().max(256).optional() }).strict(),
  z.object({ kind: z.literal('rpv'), id: int(0, 0xffff), name: z.string().max(256).optional() }).strict(),
  z.object({ kind: z.literal('time'), name: z.string().max(256).optional() }).strict(),
]);

// ---------------------------------------------------------------- results

export interface ScrutinyRpv { id: number; name: string; type: string; signalId: number }
export interface ScrutinyRpvValue { id: number; name: string; type: string; value: number }
export interface WatchedSignal { path: string; signalId: number | null; address?: number; type?: string; enum?: Record<string, number> }
export interface WatchValue { path: string; signalId: number; address?: number; type?: string; rpvId?: number; value: number | null }
export interface DlStatus { state: string; completionRatio: number | null; bytesToAcquireAfterTrigger: number; writeCounterSinceTrigger: number }

export interface ScrutinyAcquisition {
  acquisitionId: number;
  configId: number;
  nPoints: number;
  pointsAfterTrigger: number;
  triggerIndex: number;
  timeUnit: string;
  crcOk: boolean;
  time: number[];
  signals: { name: string; kind: string; values: number[] }[];
  /** The one entry of the acquisitions store holding every signal of it (null when it could not be stored). */
  stored: { id: string; signals: string[] } | null;
}

/** A leaf of the firmware description as listVariables gives it. */
export interface VariableEntry {
  path: string;
  kind: 'var' | 'alias' | 'rpv';
  type?: string;
  address?: number | null;
  bitOffset?: number;
  bitSize?: number;
  enum?: { name: string; values: Record<string, number> };
  pointer?: { path: string; offset: number };
  id?: number;
  target?: string;
  targetType?: 'var' | 'rpv';
  gain?: number;
  offset?: number;
  min?: number | null;
  max?: number | null;
}

export interface InstalledSfd { firmwareId: string; fileName: string; bytes: number; installedAt: number; variables: number; aliases: number; metadata: Record<string, unknown> }
export interface SfdSummary { firmwareId: string; variables: number; aliases: number; metadata: Record<string, unknown>; warning: string | null }
export interface SfdInfo { fileName: string; firmwareId: string; endianness: string; metadata: Record<string, unknown>; variables: number; aliases: number }

// ---------------------------------------------------------------- the table

export const ScrutinyActionTable = {
  readMemory: action<{ address: number; length: number; hexData: string }>()(z.object({ address, length: int(1, 1 << 16) }).strict(), 'Reads device memory (forbidden regions refused before anything is sent)'),
  writeMemory: action<{ address: number; length: number }>()(z.object({ address, hexData: hex, maskHex: hex.optional() }).strict(), 'Writes device memory, optionally through a mask (read-only regions refused)'),
  writeVariable: action<{ address: number; hexData: string; written: number | boolean }>()(z.object({
    address, type: typeName, value,
    bitOffset: int(0, 63).optional(), bitSize: int(1, 64).optional(), endianness: z.enum(['little', 'big']).optional(),
    /** Hold an out-of-range value at the type's bound (and truncate a fraction) instead of refusing it. */
    saturate: z.boolean().optional(),
  }).strict(), 'Writes a typed value at an address (out-of-range values refused unless saturate)'),
  listRpvs: action<ScrutinyRpv[]>()(z.object({}).strict(), 'The device\'s runtime published values'),
  readRpv: action<{ values: ScrutinyRpvValue[] }>()(z.object({ ids: z.array(int(0, 0xffff)).min(1).max(4096).optional() }).strict(), 'Reads RPVs (all when no ids)'),
  writeRpv: action<{ id: number; type: string; written: number | boolean }>()(z.object({ id: int(0, 0xffff), value, saturate: z.boolean().optional() }).strict(), 'Writes an RPV (out-of-range values refused unless saturate)'),
  watch: action<{ watched: number; signals: WatchedSignal[] }>()(z.object({ variables: z.array(WatchVariableArgs).max(4096), replace: z.boolean().optional() }).strict(), 'Polls variables by address as signals'),
  unwatch: action<{ removed: number; watched: number }>()(z.object({ paths: z.array(z.string()).max(4096).optional() }).strict(), 'Stops polling variables (all when no paths)'),
  watchStatus: action<{ variables: { path: string; signalId: number; address: number; type: string }[]; refreshRateHz: number; pollCycles: number }>()(z.object({}).strict(), 'The watched variables and the achieved refresh rate'),
  userCommand: action<{ subfunction: number; hexData: string }>()(z.object({ subfunction: int(0, 255), hexData: hex.default('') }).strict(), 'Sends the firmware\'s user command and returns its reply'),
  dlConfigure: action<{ configId: number; entrySize: number; maxPoints: number }>()(z.object({
    loopId: int(0, 255),
    decimation: int(1, 0xffff).default(1),
    /** 0: everything after the trigger ... 255: everything before it. */
    probeLocation: int(0, 255).default(128),
    timeoutS: z.number().min(0).max(429).default(0),
    condition: z.enum(DL_CONDITION_NAMES),
    holdTimeS: z.number().min(0).max(429).default(0),
    operands: z.array(Operand).max(3).default([]),
    signals: z.array(Signal).min(1).max(255),
  }).strict(), 'Configures an acquisition on the device\'s datalogger'),
  dlArm: action<DlStatus>()(z.object({}).strict(), 'Arms the configured acquisition'),
  dlDisarm: action<DlStatus>()(z.object({}).strict(), 'Disarms the datalogger'),
  dlReset: action<DlStatus>()(z.object({}).strict(), 'Resets the datalogger'),
  dlStatus: action<DlStatus>()(z.object({}).strict(), 'The datalogger\'s state'),
  dlWait: action<DlStatus>()(z.object({ timeoutS: z.number().min(0).max(600).default(10) }).strict(), 'Waits until the acquisition completes or fails'),
  dlRead: action<ScrutinyAcquisition>()(z.object({}).strict(), 'Downloads the completed acquisition (one stored acquisition with all its signals)'),
  loadSfd: action<SfdSummary>()(z.object({
    /** A .sfd file on the machine running the engine (inside the user data folder). */
    path: z.string().min(1).max(4096).optional(),
    /** Or its bytes, base64 (from a renderer's file picker). */
    base64: z.string().max(64 << 20).optional(),
    fileName: z.string().max(256).optional(),
  }).strict().refine((a) => (a.path === undefined) !== (a.base64 === undefined), { message: 'give either path or base64' }), 'Loads a firmware description for this session'),
  sfdInfo: action<SfdInfo | null>()(z.object({}).strict(), 'The firmware description in use'),
  /** Keeps a .sfd in the user data folder under its firmware id (and loads it when it is this device's). */
  installSfd: action<InstalledSfd & { loaded: boolean }>()(z.object({ base64: z.string().min(1).max(64 << 20), fileName: z.string().max(256).optional() }).strict(), 'Installs a firmware description in the user data folder'),
  listInstalledSfd: action<{ installed: InstalledSfd[]; current: string | null }>()(z.object({}).strict(), 'The installed firmware descriptions'),
  uninstallSfd: action<{ firmwareId: string }>()(z.object({ firmwareId: z.string().min(1).max(128) }).strict(), 'Removes an installed firmware description'),
  watchValues: action<{ refreshRateHz: number; pollCycles: number; values: WatchValue[] }>()(z.object({}).strict(), 'The latest value of every watched variable and alias, and the achieved refresh rate'),
  dlProgress: action<{ download: { received: number; total: number } | null }>()(z.object({}).strict(), 'How far the acquisition download is'),
  listVariables: action<{ total: number; entries: VariableEntry[] }>()(z.object({ filter: z.string().max(256).optional(), limit: int(1, 100_000).default(1000) }).strict(), 'Variables, aliases and RPVs of the firmware description'),
  watchPaths: action<{ watched: number; signals: WatchedSignal[] }>()(z.object({ paths: z.array(z.string().min(1).max(512)).min(1).max(4096) }).strict(), 'Watches variables, aliases and RPVs by path'),
  writePath: action<{ path: string; written: number | boolean }>()(z.object({
    path: z.string().min(1).max(512), value: z.union([z.number().finite(), z.boolean(), z.string().max(64)]), saturate: z.boolean().optional(),
  }).strict(), 'Writes a variable, alias or RPV by path (an enum value by its name)'),
};
