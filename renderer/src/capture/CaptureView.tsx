// A frozen capture in its own uPlot view, the trigger instant marked; save it as an
// acquisition, export it as CSV, PNG or an MCAP recording.
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import type { Acquisition } from '../../../shared/api/capture';
import { client } from '../hub';
import { download } from './format';

export function CaptureView({ capture, onClose }: { capture: Acquisition; onClose(): void }) {
  const host = useRef<HTMLDivElement>(null);
  const [saved, setSaved] = useState(capture.saved);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    setSaved(capture.saved);
    const el = host.current!;
    const marker = (u: uPlot) => {
      if (capture.triggerIndex < 0) return;
      const x = u.valToPos(capture.triggerTime, 'x', true);
      const ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#ffb74d';
      ctx.setLineDash([4, 4]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    };
    const u = new uPlot({
      width: Math.max(300, el.clientWidth || 600),
      height: 200,
      scales: { x: { time: false } },
      axes: [
        { stroke: '#9aa4b2', values: (_u, splits) => splits.map((t) => `${((t - capture.triggerTime) * 1000).toFixed(1)} ms`) },
        { stroke: '#9aa4b2' },
      ],
      series: [{}, { label: `${capture.signal.name}${capture.signal.unit ? ` [${capture.signal.unit}]` : ''}`, stroke: '#4fc3f7', width: 1 }],
      hooks: { draw: [marker] },
    }, [capture.times, capture.values], el);
    return () => u.destroy();
  }, [capture]);

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
    const canvas = host.current?.querySelector('canvas');
    if (canvas) download(`${capture.id}.png`, canvas.toDataURL('image/png'));
  };

  return (
    <section className="capture-view" data-testid="capture-view" data-samples={capture.samples} data-trigger-index={capture.triggerIndex} aria-label="Frozen capture">
      <header>
        <strong>{capture.forced ? 'Auto capture (no trigger)' : 'Triggered capture'}</strong>
        <span className="muted">{capture.name} · {capture.samples} samples · {new Date(capture.triggerTime * 1000).toLocaleTimeString()}</span>
        <button type="button" className="btn" disabled={saved} onClick={() => void save()}>{saved ? 'Saved' : 'Save'}</button>
        <button type="button" className="btn" onClick={() => void csv()}>CSV</button>
        <button type="button" className="btn" onClick={png}>PNG</button>
        <button type="button" className="btn" title="As an MCAP recording (in the recordings list)" onClick={() => void mcap()}>MCAP</button>
        <button type="button" className="btn btn-quiet" aria-label="Close capture" onClick={onClose}>✕</button>
        {message ? <span className="muted" role="status">{message}</span> : null}
      </header>
      <div className="capture-chart" ref={host} />
    </section>
  );
}
