// Dropping things onto a plot. The plot layer knows one kind of payload (a
// signal by session and name); panels register handlers for their own kinds
// (a Scrutiny variable path must be watched before it has a signal to plot).
import type { PlotConfig } from '../../../shared/api/contract';

/** A signal dragged onto a plot: JSON {session, signal} (session and signal names, as plots keep them). */
export const SIGNAL_DRAG_TYPE = 'application/x-benchscope-signal';

/** Handles a drop of its type onto `plot`; may act asynchronously (watch, then plot). */
export type PlotDropHandler = (data: DataTransfer, plot: PlotConfig) => void;

const handlers = new Map<string, PlotDropHandler>();

/** Registers the handler for a drag type; returns the unregister function. The last registered wins. */
export function registerPlotDrop(type: string, handler: PlotDropHandler): () => void {
  handlers.set(type, handler);
  return () => { if (handlers.get(type) === handler) handlers.delete(type); };
}

/** The registered type among a drag's types, if any (SIGNAL_DRAG_TYPE is handled by the plot itself). */
export function plotDropType(types: readonly string[]): string | null {
  if (types.includes(SIGNAL_DRAG_TYPE)) return SIGNAL_DRAG_TYPE;
  for (const t of types) if (handlers.has(t)) return t;
  return null;
}

export function plotDropHandler(type: string): PlotDropHandler | undefined {
  return handlers.get(type);
}

/** Reads a SIGNAL_DRAG_TYPE payload; null for anything malformed. */
export function parseSignalDrag(text: string): { session: string; signal: string } | null {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && typeof (v as { session?: unknown }).session === 'string' && typeof (v as { signal?: unknown }).signal === 'string') {
      const { session, signal } = v as { session: string; signal: string };
      if (session.length <= 200 && signal.length <= 200) return { session, signal };
    }
  } catch {
    // not JSON: not ours
  }
  return null;
}
