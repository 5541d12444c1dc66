// A lines session's signals as its options see them: each signal shown under a name,
// coming from a field the device names (the same unless renamed), and the fields the
// user removed. Renames and removals live in the options (rename, remove), so they
// survive a reconnect and a restart.
import type { PlotConfig } from '../../../../shared/api/contract';

export interface SignalRow {
  /** The device's field name (key of options.rename). */
  field: string;
  /** The name shown now. */
  shown: string;
}

/** The rows for the signals shown now, each traced back to its device field. */
export function signalRows(shownNames: readonly string[], rename: Record<string, string>): SignalRow[] {
  const fieldOf = new Map(Object.entries(rename).map(([field, shown]) => [shown, field]));
  return shownNames.map((shown) => ({ field: fieldOf.get(shown) ?? shown, shown }));
}

/** The rename option after giving `field` the name `name` (an entry only while it differs from the field). */
export function withName(rename: Record<string, string>, field: string, name: string): Record<string, string> {
  const next = { ...rename };
  if (name === field) delete next[field];
  else next[field] = name;
  return next;
}

/** The error of each field whose name is empty or taken by another signal of the session (on the renamed one). */
export function nameErrors(rows: readonly SignalRow[], rename: Record<string, string>, removed: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const kept = rows.filter((r) => !removed.includes(r.field));
  const nameOf = (r: SignalRow) => (rename[r.field] ?? r.field).trim();
  // Signals keeping their device name hold it first; a renamed one cannot take it.
  const taken = new Set(kept.filter((r) => nameOf(r) === r.field).map((r) => r.field));
  for (const row of kept) {
    const name = nameOf(row);
    if (name === row.field) continue;
    if (name === '') errors[row.field] = 'A signal needs a name';
    else if (taken.has(name)) errors[row.field] = `"${name}" is already the name of another signal`;
    else taken.add(name);
  }
  return errors;
}

/** Plots showing a renamed signal of this session follow it to its new name. */
export function plotsAfterRenames(plots: readonly PlotConfig[], session: string, renames: ReadonlyMap<string, string>): PlotConfig[] {
  return plots.map((p) => ({
    ...p,
    signals: p.signals.map((s) => (s.session === session && renames.has(s.signal) ? { ...s, signal: renames.get(s.signal)! } : s)),
  }));
}
