// The DCS configuration as the forms hold it: the configuration object itself
// (hardware servers and their devices), checked against the same zod schema the
// engine plays DCSS with, so every field's error shows beside the field.
import { DcsOptionsSchema, DEFAULT_HARDWARE_SERVER } from '../../../../shared/api/dcs-config';
import { issuesOf } from '../../../../shared/api/contract';
import type { FieldErrors } from '../../forms/link-draft';

/** A device row or a hardware server while edited: numbers may hold the text typed until it is one. */
export type DraftRecord = Record<string, unknown>;

export interface DcsConfigDraft {
  hardwareServers: (DraftRecord & { [kind: string]: unknown })[];
  maxTextLength?: unknown;
}

export interface DcsOptionsDraft {
  config: DcsConfigDraft;
}

export const DEVICE_KINDS = ['realMotors', 'pseudoMotors', 'shutters', 'ionChambers', 'encoders', 'strings', 'operations', 'objects'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface Column {
  key: string;
  label: string;
  type: 'text' | 'number' | 'bool' | 'state' | 'list';
  /** Text fields that may be left empty (then absent from the configuration). */
  optional?: boolean;
}

const NAME: Column = { key: 'name', label: 'Name', type: 'text' };
const HW: Column = { key: 'hwName', label: 'Hardware name', type: 'text', optional: true };
const LIMITS: Column[] = [
  { key: 'position', label: 'Position', type: 'number' },
  { key: 'lowerLimit', label: 'Lower limit', type: 'number' },
  { key: 'upperLimit', label: 'Upper limit', type: 'number' },
];

/** Every field of every device kind, as DCSS's database has them. */
export const DEVICE_COLUMNS: Record<DeviceKind, { title: string; columns: Column[]; blank: () => DraftRecord }> = {
  realMotors: {
    title: 'Real motors',
    columns: [NAME, HW, { key: 'units', label: 'Units', type: 'text', optional: true }, ...LIMITS,
      { key: 'scaleFactor', label: 'Scale factor', type: 'number' }, { key: 'speed', label: 'Speed', type: 'number' },
      { key: 'acceleration', label: 'Acceleration', type: 'number' }, { key: 'backlash', label: 'Backlash', type: 'number' },
      { key: 'lowerLimitOn', label: 'Lower limit on', type: 'bool' }, { key: 'upperLimitOn', label: 'Upper limit on', type: 'bool' },
      { key: 'motorLockOn', label: 'Locked', type: 'bool' }, { key: 'backlashOn', label: 'Backlash on', type: 'bool' },
      { key: 'reverseOn', label: 'Reverse', type: 'bool' }, { key: 'circle', label: 'Circle', type: 'bool' },
      { key: 'dependency', label: 'Depends on', type: 'list' }, { key: 'children', label: 'Children', type: 'list' }],
    blank: () => ({ name: '', position: 0, lowerLimit: -100, upperLimit: 100, scaleFactor: 1000, speed: 2000, acceleration: 100, backlash: 0, lowerLimitOn: true, upperLimitOn: true, motorLockOn: false, backlashOn: false, reverseOn: false }),
  },
  pseudoMotors: {
    title: 'Pseudo motors',
    columns: [NAME, HW, { key: 'units', label: 'Units', type: 'text', optional: true }, ...LIMITS,
      { key: 'lowerLimitOn', label: 'Lower limit on', type: 'bool' }, { key: 'upperLimitOn', label: 'Upper limit on', type: 'bool' },
      { key: 'motorLockOn', label: 'Locked', type: 'bool' },
      { key: 'dependency', label: 'Depends on', type: 'list' }, { key: 'children', label: 'Children', type: 'list' }],
    blank: () => ({ name: '', position: 0, lowerLimit: -100, upperLimit: 100, lowerLimitOn: true, upperLimitOn: true, motorLockOn: false }),
  },
  shutters: { title: 'Shutters', columns: [NAME, HW, { key: 'state', label: 'State', type: 'state' }], blank: () => ({ name: '', state: 'closed' }) },
  ionChambers: {
    title: 'Ion chambers',
    columns: [NAME, { key: 'hwName', label: 'Counter', type: 'text' }, { key: 'counterChannel', label: 'Channel', type: 'number' },
      { key: 'timer', label: 'Timer', type: 'text' }, { key: 'timerType', label: 'Timer type', type: 'text' }],
    blank: () => ({ name: '', hwName: 'counter1', counterChannel: 0, timer: 'timer1', timerType: 'clock' }),
  },
  encoders: { title: 'Encoders', columns: [NAME, HW], blank: () => ({ name: '' }) },
  strings: { title: 'Strings', columns: [NAME, HW], blank: () => ({ name: '' }) },
  operations: { title: 'Operations', columns: [NAME, HW], blank: () => ({ name: '' }) },
  objects: { title: 'Objects', columns: [NAME, HW], blank: () => ({ name: '' }) },
};

export function blankServer(n: number): DraftRecord {
  return { name: `dhs${n}`, address: '*', protocol: 2, realMotors: [], pseudoMotors: [], shutters: [], ionChambers: [], encoders: [], strings: [], operations: [], objects: [] };
}

/** The default configuration: hardware server "simdhs" with the emulator's devices. */
export function defaultDcsConfig(): DcsConfigDraft {
  return { hardwareServers: [structuredClone(DEFAULT_HARDWARE_SERVER) as unknown as DraftRecord] };
}

export function dcsOptionsDraft(): DcsOptionsDraft {
  return { config: defaultDcsConfig() };
}

/** A configuration from the engine (a session's options) as a draft; {} is the default one. */
export function draftFromOptions(options: Record<string, unknown>): DcsConfigDraft {
  const servers = (options as { hardwareServers?: unknown }).hardwareServers;
  if (!Array.isArray(servers) || servers.length === 0) return { ...defaultDcsConfig(), ...(options.maxTextLength !== undefined ? { maxTextLength: options.maxTextLength } : {}) };
  return structuredClone(options) as unknown as DcsConfigDraft;
}

/** What a number field holds: the number, or the text typed while it is not one (the schema then says so). */
export function numberFromInput(text: string): unknown {
  const t = text.trim();
  if (t === '') return text;
  const n = Number(t);
  return Number.isFinite(n) ? n : text;
}

export function validateDcsConfig(config: DcsConfigDraft): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const r = DcsOptionsSchema.safeParse(config);
  if (r.success) return { ok: true, options: config as unknown as Record<string, unknown> };
  const errors: FieldErrors = {};
  for (const issue of issuesOf(r.error)) errors[issue.path || 'hardwareServers'] ??= issue.message;
  return { ok: false, errors };
}

export function validateDcsOptions(d: DcsOptionsDraft): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  return validateDcsConfig(d.config);
}
