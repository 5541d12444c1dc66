// A downloaded Scrutiny acquisition in its own uPlot chart, the trigger point marked
// with a dashed line.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { download } from '../../capture/format';
import { chartPng } from '../../plot/chart-png';
import { axisStyle } from '../../plot/live-chart';

export interface ScrutinyAcquisition {
  acquisitionId: number;
  nPoints: number;
  triggerIndex: number;
  timeUnit: string;
  time: number[];
  signals: { name: string; kind: string; values: number[] }[];
  /** The one entry of the acquisitions store holding every signal of it. */
  stored?: { id: string; signals: string[] } | null;
}

const COLOURS = ['#4fc3f7', '#ffb74d', '#81c784', '#e57373', '#ba68c8', '#fff176', '#4db6ac', '#f06292'];

export function AcquisitionChart({ acquisition }: { acquisition: ScrutinyAcquisition }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current!;
    const a = acquisition;
    const shown = a.signals.filter((s) => s.kind !== 'time');
    const triggerAt = a.time[a.triggerIndex] ?? 0;
    const marker = (u: uPlot) => {
      const x = u.valToPos(triggerAt, 'x', true);
      const ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#ff7043';
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = '#ff7043';
      ctx.font = `${11 * devicePixelRatio}px sans-serif`;
      ctx.fillText('trigger', x + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
      ctx.restore();
    };
    const scale = a.timeUnit === 's' ? 1000 : 1;
    const unit = a.timeUnit === 's' ? ' ms' : '';
    const u = new uPlot({
      width: Math.max(320, el.clientWidth || 640),
      height: 220,
      // Each signal on its own scale (a counter in thousands beside a sine in units):
      // the first two get an axis, left and right, in their colour.
      scales: { x: { time: false }, ...Object.fromEntries(shown.map((_s, i) => [`y${i}`, {}])) },
      axes: [
        { ...axisStyle(), values: (_u, splits) => splits.map((t) => `${((t - triggerAt) * scale).toFixed(scale > 1 ? 1 : 0)}${unit}`) },
        ...shown.slice(0, 2).map((_s, i) => ({ scale: `y${i}`, side: i === 0 ? 3 : 1, stroke: COLOURS[i], grid: { ...axisStyle().grid, show: i === 0 } })),
      ],
      series: [{ label: a.timeUnit === 's' ? 'time' : 'sample' }, ...shown.map((s, i) => ({ label: s.name, scale: `y${i}`, stroke: COLOURS[i % COLOURS.length], width: 1 }))],
      hooks: { draw: [marker] },
    }, [a.time, ...shown.map((s) => s.values)], el);
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(320, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
    };
  }, [acquisition]);
  const name = `scrutiny-acquisition-${acquisition.acquisitionId}`;
  return (
    <div className="scrutiny-acquisition-view">
      <div ref={host} className="scrutiny-acquisition-chart" data-testid="scrutiny-acquisition-chart" data-points={acquisition.nPoints} data-trigger-index={acquisition.triggerIndex} />
      <div className="scrutiny-acquisition-tools">
        <button type="button" className="btn" title="Every logged signal, one row per point (time from the first point)"
          onClick={() => download(`${name}.csv`, acquisitionCsv(acquisition))}>CSV</button>
        <button type="button" className="btn" onClick={() => {
          const image = host.current ? chartPng(host.current, `Scrutiny acquisition ${acquisition.acquisitionId}`, acquisition.timeUnit === 's' ? 'time from the trigger' : 'samples from the trigger') : null;
          if (image) download(`${name}.png`, image);
        }}>PNG</button>
      </div>
    </div>
  );
}

/**
 * The acquisition as CSV: all its signals share the device's sampling, so one row per
 * point; time in seconds from the first point (or the sample number when the loop has
 * no fixed rate and no time was logged).
 */
export function acquisitionCsv(a: ScrutinyAcquisition): string {
  const shown = a.signals.filter((s) => s.kind !== 'time');
  const cell = (h: string) => (/[",\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h);
  const rows = [`${a.timeUnit === 's' ? 'time' : 'sample'},${shown.map((s) => cell(s.name)).join(',')}`];
  for (let i = 0; i < a.time.length; i++) {
    rows.push(`${a.timeUnit === 's' ? a.time[i]!.toFixed(9) : a.time[i]},${shown.map((s) => s.values[i] ?? '').join(',')}`);
  }
  return `${rows.join('\n')}\n`;
}
