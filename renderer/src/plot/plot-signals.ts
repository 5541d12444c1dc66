// A plot names its signals by session name and signal name (so it survives a
// restart); the telemetry path knows them by id. This maps one to the other.
import type { PlotConfig, SignalInfo } from '../../../shared/api/contract';

/** What signals belong to: a session, or a replay (its replayId is its signals' session id). */
export interface SignalSource {
  sessionId: string;
  name: string;
  /** True for a recording opened for replay. */
  replay?: boolean;
}

export interface ResolvedSignal {
  session: string;
  signal: string;
  /** Null while the session or the signal does not exist (yet). */
  info: SignalInfo | null;
}

export function resolvePlotSignals(plot: PlotConfig, sessions: readonly SignalSource[], signals: readonly SignalInfo[]): ResolvedSignal[] {
  return plot.signals.map(({ session, signal }) => {
    const s = sessions.find((x) => x.name === session);
    const info = s ? signals.find((x) => x.sessionId === s.sessionId && x.name === signal) ?? null : null;
    return { session, signal, info };
  });
}

/** Every signal id any plot shows: what this renderer subscribes to. */
export function plottedSignalIds(plots: readonly PlotConfig[], sessions: readonly SignalSource[], signals: readonly SignalInfo[]): number[] {
  const ids = new Set<number>();
  for (const p of plots) for (const r of resolvePlotSignals(p, sessions, signals)) if (r.info) ids.add(r.info.id);
  return [...ids].sort((a, b) => a - b);
}
