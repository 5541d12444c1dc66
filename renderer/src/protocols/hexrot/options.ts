// The hexrot options as the New session form holds them. The engine parses a
// custom layout and refuses a bad one with its line, column and reason.
import { SIMPLE_LAYOUT_TEXT } from '../../../../shared/api/hexrot';
import type { FieldErrors } from '../../forms/link-draft';

export interface HexrotOptionsDraft {
  generation: string;
  /** 'simple' (built in) or 'custom' (the layout text below). */
  layoutChoice: string;
  layoutText: string;
  /** The user's name for a custom layout (empty: "custom layout"). */
  layoutName: string;
  legacyHeader: string;
  commandTimeoutS: string;
}

export const HEXROT_GENERATIONS = [
  { value: 'current', label: 'Current (one socket, Benchscope connects)' },
  { value: 'legacy', label: 'Legacy (two ports, the controller connects)' },
] as const;
export const HEXROT_LAYOUT_CHOICES = [
  { value: 'simple', label: 'Built in: reference simple controller' },
  { value: 'custom', label: 'Custom: C structure declarations (starts from the built-in one)' },
] as const;
export const HEXROT_LEGACY_HEADERS = [
  { value: 'mjd', label: '36 bytes (with mjd)' },
  { value: 'tai', label: '24 bytes (later versions)' },
] as const;

export function hexrotOptionsDraft(): HexrotOptionsDraft {
  // A custom layout starts from the built-in one: the user edits a working layout rather than an empty page.
  return { generation: 'current', layoutChoice: 'simple', layoutText: SIMPLE_LAYOUT_TEXT, layoutName: '', legacyHeader: 'mjd', commandTimeoutS: '5' };
}

export function validateHexrotOptions(d: HexrotOptionsDraft): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const timeout = Number(d.commandTimeoutS);
  if (d.commandTimeoutS.trim() === '' || !Number.isFinite(timeout) || timeout < 0.05 || timeout > 60) errors.commandTimeoutS = 'Command timeout is 0.05 to 60 s';
  if (d.layoutChoice === 'custom' && d.layoutText.trim() === '') errors.layoutText = 'Paste the layout (C structure declarations and #pragma lines)';
  if (d.layoutChoice === 'custom' && d.layoutName.trim().length > 100) errors.layoutName = 'A layout name is at most 100 characters';
  if (d.generation !== 'current' && d.generation !== 'legacy') errors.generation = 'Choose a generation';
  if (Object.keys(errors).length) return { ok: false, errors };
  const options: Record<string, unknown> = {
    generation: d.generation,
    layout: d.layoutChoice === 'custom' ? d.layoutText : 'simple',
    commandTimeoutS: timeout,
  };
  if (d.layoutChoice === 'custom' && d.layoutName.trim()) options.layoutName = d.layoutName.trim();
  if (d.generation === 'legacy') options.legacyHeader = d.legacyHeader;
  return { ok: true, options };
}
