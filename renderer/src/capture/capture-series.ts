// What a frozen capture draws: one series per signal it holds (the trigger signal,
// then its channels), times relative to the trigger instant, and the y axes their
// units share. Each channel keeps its own times (signals of other rates), so the
// chart's x is the union of all times and a series is null where it has no sample.
import type { Acquisition } from '../../../shared/api/capture';
import { alignUnion, type AlignedColumns } from '../plot/frame-data';

/** More units than this share the last axis (labelled with all of them): a chart stays readable. */
export const MAX_Y_AXES = 3;

export interface CaptureSeries {
  label: string;
  unit: string | null;
  signalId: number | null;
  /** Index into the y axes. */
  axis: number;
  lostSamples: number;
  samples: number;
}

export interface CaptureAxis {
  /** The units drawn on it ('' for signals without a unit). */
  units: string[];
  label: string;
}

export interface CaptureLayout {
  series: CaptureSeries[];
  axes: CaptureAxis[];
  /** uPlot data: x in seconds from the trigger instant, then one column per series. */
  data: AlignedColumns;
  /** The trigger signal's trigger sample, in the same coordinates (null for a forced capture). */
  triggerPoint: { x: number; y: number } | null;
}

/** Lays out a capture for its chart. */
export function captureLayout(a: Acquisition): CaptureLayout {
  const severalSessions = new Set([a.signal.session, ...(a.channels ?? []).map((c) => c.session ?? a.signal.session)]).size > 1;
  const entries = [
    { session: a.signal.session, name: a.signal.name, unit: a.signal.unit, signalId: a.signal.signalId >= 0 ? a.signal.signalId : null, times: a.times, values: a.values, lost: 0 },
    ...(a.channels ?? []).map((c, k) => ({
      session: c.session ?? a.signal.session, name: c.name, unit: c.unit, signalId: c.signalId ?? null,
      times: (a.ownTimes ? a.channelTimes?.[k] : undefined) ?? a.times, values: a.channelValues?.[k] ?? [], lost: c.lostSamples ?? 0,
    })),
  ];
  const units: string[] = [];
  for (const e of entries) if (!units.includes(e.unit ?? '')) units.push(e.unit ?? '');
  const axes: CaptureAxis[] = units.slice(0, MAX_Y_AXES - 1).map((u) => ({ units: [u], label: u || '(no unit)' }));
  if (units.length >= MAX_Y_AXES) {
    const rest = units.slice(MAX_Y_AXES - 1);
    axes.push({ units: rest, label: rest.map((u) => u || '(no unit)').join(' · ') });
  }
  const axisOf = (unit: string | null) => axes.findIndex((ax) => ax.units.includes(unit ?? ''));
  const t0 = a.triggerTime;
  const columns = entries.map((e) => {
    const n = Math.min(e.times.length, e.values.length);
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) { times[i] = e.times[i]! - t0; values[i] = e.values[i]!; }
    return { times, values };
  });
  const trigger = a.triggerIndex >= 0 && a.triggerIndex < Math.min(a.times.length, a.values.length)
    ? { x: a.times[a.triggerIndex]! - t0, y: a.values[a.triggerIndex]! } : null;
  return {
    series: entries.map((e, k) => ({
      label: `${severalSessions ? `${e.session}: ` : ''}${e.name || 'signal'}${e.unit ? ` [${e.unit}]` : ''}`,
      unit: e.unit, signalId: e.signalId, axis: axisOf(e.unit), lostSamples: e.lost, samples: columns[k]!.times.length,
    })),
    axes,
    data: alignUnion(columns),
    triggerPoint: trigger,
  };
}
