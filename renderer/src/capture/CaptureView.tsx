// A frozen capture in its own uPlot view: every signal it holds in its own colour and
// legend entry, one y axis per unit (at most MAX_Y_AXES), the trigger instant marked
// (a dashed line, and a ring on the trigger signal's trigger sample), the axes ticked
// on round values (ticks.ts); save it as an acquisition, export it as CSV, PNG or an MCAP recording.
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import type { Acquisition } from '../../../shared/api/capture';
import { formatSample } from '../format';
import { nearestValue } from '../plot/frame-data';
import { chartPng } from '../plot/chart-png';
import { axisStyle, SERIES_COLOURS } from '../plot/live-chart';
import { client } from '../hub';
import { captureLayout } from './capture-series';
import { download } from './format';
import { roundTicks, timeTickLabels, valueTickLabels } from './ticks';

const TRIGGER_COLOUR = '#ffb74d';
const CHART_HEIGHT = 220;
/** Pixels between ticks, at least: time labels are wider than value labels. */
const X_TICK_PX = 70;
const Y_TICK_PX = 36;

/** Round ticks for the plotting area's size in CSS pixels. */
function splitsEvery(px: number, along: 'width' | 'height') {
  return (u: uPlot, _axis: number, min: number, max: number) => roundTicks(min, max, Math.max(2, Math.floor(u.bbox[along] / devicePixelRatio / px) + 1)).ticks;
}

/** The step the ticks were chosen with (their spacing, back to its round value). */
function stepOf(splits: number[]): number {
  return splits.length > 1 ? roundTicks(splits[0]!, splits[splits.length - 1]!, splits.length).step : 0;
}

export function CaptureView({ capture, colourOf, onClose }: { capture: Acquisition; colourOf?: (signalId: number | null, index: number) => string; onClose(): void }) {
  const host = useRef<HTMLDivElement>(null);
  const [saved, setSaved] = useState(capture.saved);
  const [message, setMessage] = useState<string | null>(null);
  // Once per capture: aligning the channels' times walks every sample.
  const layout = useMemo(() => captureLayout(capture), [capture]);
  const lost = layout.series.filter((s) => s.lostSamples > 0);

  useEffect(() => {
    setSaved(capture.saved);
    const el = host.current!;
    const { series, axes, data, triggerPoint } = layout;
    const colours = series.map((s, i) => colourOf?.(s.signalId, i) ?? SERIES_COLOURS[i % SERIES_COLOURS.length]!);
    const scaleOf = (axis: number) => `y${axis}`;
    const marker = (u: uPlot) => {
      if (!triggerPoint) return;
      const ctx = u.ctx;
      const width = Math.max(1, Math.round(devicePixelRatio));
      // On a pixel boundary (odd widths on a pixel's centre): a crisp line, not two half-tone ones.
      const x = Math.round(u.valToPos(0, 'x', true)) + (width % 2) / 2;
      ctx.save();
      ctx.strokeStyle = TRIGGER_COLOUR;
      ctx.lineWidth = width;
      ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      const px = u.valToPos(triggerPoint.x, 'x', true);
      const py = u.valToPos(triggerPoint.y, scaleOf(series[0]!.axis), true);
      ctx.setLineDash([]);
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.beginPath();
      ctx.arc(px, py, 5 * devicePixelRatio, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.restore();
      // Where the marks are, in CSS pixels of the canvas: what a test (or a curious user) can check.
      el.dataset.triggerX = String(Math.floor(x / devicePixelRatio));
      el.dataset.markerX = String(Math.round(px / devicePixelRatio));
      el.dataset.markerY = String(Math.round(py / devicePixelRatio));
    };
    const AXIS = axisStyle();
    const u = new uPlot({
      width: Math.max(300, el.clientWidth || 600),
      height: CHART_HEIGHT,
      scales: { x: { time: false }, ...Object.fromEntries(axes.map((_a, i) => [scaleOf(i), { auto: true }])) },
      axes: [
        {
          ...AXIS, space: X_TICK_PX, splits: splitsEvery(X_TICK_PX, 'width'),
          label: capture.forced ? 'time from the last sample' : 'time from trigger', labelSize: 16, labelGap: 0,
          values: (_u, splits) => {
            const labels = timeTickLabels(splits, stepOf(splits));
            el.dataset.xTicks = labels.join('|');
            return labels;
          },
        },
        ...axes.map((ax, i): uPlot.Axis => ({
          ...AXIS,
          scale: scaleOf(i),
          side: i % 2 ? 1 : 3,
          size: 64,
          label: ax.label, labelSize: 16, labelGap: 0,
          space: Y_TICK_PX,
          splits: splitsEvery(Y_TICK_PX, 'height'),
          values: (_u, splits) => {
            const labels = valueTickLabels(splits, stepOf(splits));
            el.dataset[`y${i}Ticks`] = labels.join('|');
            return labels;
          },
          ...(i > 0 ? { grid: { show: false } } : {}),
        })),
      ],
      series: [
        { label: 'from trigger', value: (_u, v) => (v == null ? '—' : timeTickLabels([v], 0)[0]!) },
        ...series.map((s, i): uPlot.Series => ({
          label: s.label, stroke: colours[i], width: 1, scale: scaleOf(s.axis), spanGaps: true,
          points: { show: false },
          value: (uu, v, si, idx) => {
            const shown = v ?? (idx == null ? null : nearestValue(uu.data[si] as (number | null)[], idx));
            return shown == null ? '—' : formatSample(shown);
          },
        })),
      ],
      hooks: { draw: [marker] },
    }, data as uPlot.AlignedData, el);
    el.dataset.series = String(series.length);
    // The view follows its panel's width (a panel resized, split or the window maximised).
    const resize = new ResizeObserver(() => {
      const width = Math.max(300, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: CHART_HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [capture, layout, colourOf]);

  const save = async () => {
    try {
      await client.request('saveAcquisition', { id: capture.id });
      setSaved(true);
      setMessage('Saved under acquisitions/');
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const csv = async () => {
    try {
      const out = await client.request('exportAcquisitionCsv', { id: capture.id });
      download(`${capture.id}.csv`, out.csv);
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  /** As an MCAP recording in the recordings list (replay it; other MCAP tools open it). */
  const mcap = async () => {
    try {
      const out = await client.request('exportAcquisitionMcap', { id: capture.id });
      setMessage(`Written to ${out.path}`);
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const png = () => {
    const image = host.current ? chartPng(host.current, `Capture ${capture.id}`, 'time from the trigger') : null;
    if (image) download(`${capture.id}.png`, image);
  };

  return (
    <section className="capture-view" data-testid="capture-view" data-samples={capture.samples} data-trigger-index={capture.triggerIndex} data-signals={layout.series.length} aria-label="Frozen capture">
      <header>
        <strong>{capture.forced ? 'Auto capture (no trigger)' : 'Triggered capture'}</strong>
        <span className="muted">
          {capture.name} · {layout.series.length > 1 ? `${layout.series.length} signals, each at its own rate (not resampled) · ` : ''}
          {capture.samples} samples of the trigger signal · {new Date(capture.triggerTime * 1000).toLocaleTimeString()}
        </span>
        <button type="button" className="btn" disabled={saved} onClick={() => void save()}>{saved ? 'Saved' : 'Save'}</button>
        <button type="button" className="btn" onClick={() => void csv()}>CSV</button>
        <button type="button" className="btn" onClick={png}>PNG</button>
        <button type="button" className="btn" title="As an MCAP recording (in the recordings list)" onClick={() => void mcap()}>MCAP</button>
        <button type="button" className="btn btn-quiet" aria-label="Close capture" onClick={onClose}>✕</button>
        {message ? <span className="muted" role="status">{message}</span> : null}
        {lost.length ? (
          <span className="warn" data-testid="capture-lost" title="Samples in the capture window that the engine's ring had dropped (a ring shorter than the window at that signal's rate)">
            Lost: {lost.map((s) => `${s.label} ${s.lostSamples} samples`).join(', ')}
          </span>
        ) : null}
      </header>
      <div className="capture-chart" ref={host} />
    </section>
  );
}
