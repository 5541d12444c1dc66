// The Scrutiny session options as the New session form holds them (text while typing).
import type { FieldErrors } from '../../forms/link-draft';

export interface ScrutinyOptionsDraft {
  /** Empty: at the device's pace (each read as soon as the previous answer is in). */
  pollHz: string;
  pollRpvs: boolean;
  requestTimeoutMs: string;
  memoryEndianness: string;
  /** Paths to watch at connect, comma or newline separated. */
  watchPaths: string;
}

export const SCRUTINY_ENDIANNESS = [
  { value: 'little', label: 'Little-endian' },
  { value: 'big', label: 'Big-endian' },
] as const;

export function scrutinyOptionsDraft(): ScrutinyOptionsDraft {
  return { pollHz: '', pollRpvs: true, requestTimeoutMs: '500', memoryEndianness: 'little', watchPaths: '' };
}

export function validateScrutinyOptions(d: ScrutinyOptionsDraft): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const devicePace = d.pollHz.trim() === '';
  const hz = devicePace ? null : Number(d.pollHz);
  if (hz !== null && (!Number.isFinite(hz) || hz < 0 || hz > 10_000)) errors.pollHz = 'Poll rate is 0 to 10000 cycles/s (0 stops polling; empty: as fast as the device answers)';
  const timeout = Number(d.requestTimeoutMs);
  if (d.requestTimeoutMs.trim() === '' || !Number.isInteger(timeout) || timeout < 50 || timeout > 10_000) errors.requestTimeoutMs = 'Request timeout is a whole number from 50 to 10000 ms';
  if (d.memoryEndianness !== 'little' && d.memoryEndianness !== 'big') errors.memoryEndianness = 'Choose the byte order of the device memory';
  const watchPaths = d.watchPaths.split(/[,\n]/).map((p) => p.trim()).filter((p) => p !== '');
  const bad = watchPaths.find((p) => !p.startsWith('/'));
  if (bad !== undefined) errors.watchPaths = `"${bad}" is not a path (paths start with /, e.g. /global/demo/sine or /rpv/x1000)`;
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, options: { pollHz: hz, pollRpvs: d.pollRpvs, requestTimeoutMs: timeout, memoryEndianness: d.memoryEndianness, watchPaths } };
}
