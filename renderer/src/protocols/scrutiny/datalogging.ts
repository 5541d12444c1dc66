// The datalogging form's draft and its check against the device's capabilities:
// the engine's dlConfigure arguments come out only when every field is right.
import type { DeviceInfo } from '../../../../shared/api/contract';
import type { VariableEntry } from './variables';

export const DL_CONDITIONS = [
  { name: 'alwaysTrue', label: 'always (no condition)', operands: 0 },
  { name: 'eq', label: 'A = B', operands: 2 },
  { name: 'neq', label: 'A ≠ B', operands: 2 },
  { name: 'lt', label: 'A < B', operands: 2 },
  { name: 'lte', label: 'A ≤ B', operands: 2 },
  { name: 'gt', label: 'A > B', operands: 2 },
  { name: 'gte', label: 'A ≥ B', operands: 2 },
  { name: 'changeMoreThan', label: 'A changes by more than B (signed)', operands: 2 },
  { name: 'isWithin', label: '|A − B| ≤ C', operands: 3 },
] as const;
export type DlConditionName = (typeof DL_CONDITIONS)[number]['name'];

export interface DlDraft {
  loopId: string;
  decimation: string;
  /** Part of the acquisition before the trigger, percent. */
  triggerPositionPct: string;
  timeoutS: string;
  condition: DlConditionName;
  /** Each a number (literal), a variable or bit-range variable path, or an RPV path (/rpv/x1000). */
  operands: string[];
  holdTimeS: string;
  /** Variable or RPV paths, or "time". */
  signals: string[];
}

export function dlDraft(): DlDraft {
  return { loopId: '', decimation: '1', triggerPositionPct: '50', timeoutS: '0', condition: 'alwaysTrue', operands: ['', '', ''], holdTimeS: '0', signals: ['time'] };
}

type Operand =
  | { kind: 'literal'; value: number }
  | { kind: 'var'; address: number; type: string }
  | { kind: 'varbit'; address: number; type: string; bitOffset: number; bitSize: number }
  | { kind: 'rpv'; id: number };
type Signal = { kind: 'memory'; address: number; type: string; name: string } | { kind: 'rpv'; id: number; name: string } | { kind: 'time'; name: string };

export interface DlConfigureArgs {
  loopId: number; decimation: number; probeLocation: number; timeoutS: number; condition: DlConditionName;
  holdTimeS: number; operands: Operand[]; signals: Signal[];
}

export type DlCheck = { ok: true; args: DlConfigureArgs } | { ok: false; errors: Record<string, string> };

const MAX_S = 429; // 32-bit count of 100 ns

function seconds(text: string): number | null {
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) && v >= 0 && v <= MAX_S ? v : null;
}

function rpvId(path: string): number | null {
  const m = /^\/rpv\/x([0-9a-f]{4})$/i.exec(path.trim());
  return m ? parseInt(m[1]!, 16) : null;
}

export function checkDlDraft(d: DlDraft, info: DeviceInfo, lookup: (path: string) => VariableEntry | undefined): DlCheck {
  const caps = info.dataloggingCapabilities;
  const errors: Record<string, string> = {};
  if (!caps || !info.supportedFeatures.datalogging) return { ok: false, errors: { form: 'The device does not support datalogging' } };
  const loop = caps.samplingRates.find((r) => String(r.identifier) === d.loopId);
  if (!loop) errors.loopId = `Pick a sampling rate (the device's loops: ${caps.samplingRates.map((r) => r.name).join(', ')})`;
  const decimation = Number(d.decimation);
  if (!Number.isInteger(decimation) || decimation < 1 || decimation > 0xffff) errors.decimation = 'Decimation is a whole number from 1 to 65535';
  const pct = Number(d.triggerPositionPct);
  if (d.triggerPositionPct.trim() === '' || !Number.isFinite(pct) || pct < 0 || pct > 100) errors.triggerPositionPct = 'Trigger position is 0 to 100 % of the acquisition before the trigger';
  const timeoutS = seconds(d.timeoutS);
  if (timeoutS === null) errors.timeoutS = `Timeout is 0 (none) to ${MAX_S} s`;
  const holdTimeS = seconds(d.holdTimeS);
  if (holdTimeS === null) errors.holdTimeS = `Hold time is 0 to ${MAX_S} s`;
  const cond = DL_CONDITIONS.find((c) => c.name === d.condition)!;
  const operands: Operand[] = [];
  for (let i = 0; i < cond.operands; i++) {
    const text = (d.operands[i] ?? '').trim();
    const key = `operand${i}`;
    const id = rpvId(text);
    const entry = lookup(text);
    if (text === '') errors[key] = `Operand ${'ABC'[i]} is needed: a number, a variable path or an RPV (/rpv/x1000)`;
    else if (text !== '' && Number.isFinite(Number(text))) operands.push({ kind: 'literal', value: Number(text) });
    else if (id !== null) {
      if (!lookup(text)) errors[key] = `The device has no RPV ${text}`;
      else operands.push({ kind: 'rpv', id });
    } else if (entry?.kind === 'var' && typeof entry.address === 'number' && entry.type) {
      operands.push(entry.bitSize !== undefined
        ? { kind: 'varbit', address: entry.address, type: entry.type, bitOffset: entry.bitOffset ?? 0, bitSize: entry.bitSize }
        : { kind: 'var', address: entry.address, type: entry.type });
    } else errors[key] = entry ? `${text} cannot be an operand (a pointed-to variable or an alias): use the variable itself` : `${text} is not a number, a variable of the description or an RPV`;
  }
  const signals: Signal[] = [];
  const names = d.signals.map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) errors.signals = 'Log at least one signal';
  if (names.length > caps.maxNbSignal) errors.signals = `${names.length} signals: the device logs at most ${caps.maxNbSignal}`;
  let entryBytes = 0;
  for (const n of names) {
    if (n === 'time') {
      signals.push({ kind: 'time', name: 'time' });
      entryBytes += 4;
      continue;
    }
    const id = rpvId(n);
    const entry = lookup(n);
    if (id !== null && entry) {
      signals.push({ kind: 'rpv', id, name: n });
      entryBytes += typeBytes(entry.type);
    } else if (entry?.kind === 'var' && typeof entry.address === 'number' && entry.type && entry.bitSize === undefined) {
      signals.push({ kind: 'memory', address: entry.address, type: entry.type, name: n });
      entryBytes += typeBytes(entry.type);
    } else {
      errors.signals = entry ? `${n} cannot be logged as it is (a bit range, pointed-to variable or alias): log the variable holding it` : `${n} is not a variable, an RPV or "time"`;
    }
  }
  if (!errors.signals && entryBytes > caps.bufferSize) errors.signals = `One entry takes ${entryBytes} bytes: more than the ${caps.bufferSize}-byte buffer`;
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    args: {
      loopId: loop!.identifier, decimation, probeLocation: Math.round((pct / 100) * 255), timeoutS: timeoutS!, condition: d.condition,
      holdTimeS: holdTimeS!, operands, signals,
    },
  };
}

function typeBytes(type: string | undefined): number {
  const bits = Number(/(\d+)$/.exec(type ?? '')?.[1] ?? 32);
  return Math.max(1, bits / 8);
}
