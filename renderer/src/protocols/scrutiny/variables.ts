// What the engine's listVariables gives for each leaf of the firmware description,
// and how a watched value reads in the table: enum names, bit ranges, booleans.
import type { VariableEntry } from '../../../../shared/api/scrutiny';

export type { VariableEntry };

/** MIME type of a variable path dragged from the list. */
export const PATH_DRAG_TYPE = 'application/x-scrutiny-path';

export function describeType(v: VariableEntry): string {
  if (v.kind === 'alias') return `alias of ${v.target}${v.gain !== undefined && v.gain !== 1 ? ` x${v.gain}` : ''}${v.offset ? ` ${v.offset > 0 ? '+' : ''}${v.offset}` : ''}`;
  const bits = v.bitSize !== undefined ? ` bits ${v.bitOffset ?? 0}..${(v.bitOffset ?? 0) + v.bitSize - 1}` : '';
  return `${v.type ?? ''}${bits}${v.enum ? ` (${v.enum.name})` : ''}${v.pointer ? ' via pointer' : ''}`;
}

export function formatValue(v: VariableEntry | undefined, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '…';
  if (v?.enum) {
    const name = Object.entries(v.enum.values).find(([, n]) => n === value)?.[0];
    return name ? `${name} (${value})` : `${value} (not in ${v.enum.name})`;
  }
  if (v?.type?.startsWith('bool')) return value ? 'true' : 'false';
  if (v?.bitSize !== undefined) return `${value} (0b${value.toString(2).padStart(v.bitSize, '0')})`;
  if (Number.isInteger(value)) return String(value);
  return value.toPrecision(6);
}
