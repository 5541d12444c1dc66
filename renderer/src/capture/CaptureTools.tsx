// Capture tools under a plot: PNG export of the plot, and a scope trigger on one of
// its signals (evaluated in the engine at full rate) that captures every signal of
// the plot, as a scope captures every channel; the captures freeze into their own view below.
import { useEffect, useMemo, useState, type RefObject } from 'react';
import type { Acquisition, TriggerSpecInput } from '../../../shared/api/capture';
import { TRIGGER_CONDITIONS, TRIGGER_MAX_SIGNALS, TRIGGER_MODES } from '../../../shared/api/capture';
import { client } from '../hub';
import { chartPng } from '../plot/chart-png';
import { SERIES_COLOURS } from '../plot/live-chart';
import { useStore } from '../store';
import { CaptureView } from './CaptureView';
import { download } from './format';

export interface CaptureSignal { id: number; label: string }

/** The plot's colour of a signal (its place among the plot's signals), else one by position in the capture. */
function plotColours(plotted: number[]) {
  return (signalId: number | null, index: number): string => {
    const k = signalId === null ? -1 : plotted.indexOf(signalId);
    return SERIES_COLOURS[(k >= 0 ? k : index) % SERIES_COLOURS.length]!;
  };
}

/** The plot as a PNG: background, title, chart, time axis named, legend. */
export function exportPlotPng(host: HTMLElement | null, title: string): void {
  const image = host ? chartPng(host, title, 'time (local clock)') : null;
  if (image) download(`${(title || 'plot').replace(/[^A-Za-z0-9 _.-]/g, '_')}.png`, image);
}

export function CaptureTools({ signals, chartHost, title }: { signals: CaptureSignal[]; chartHost: RefObject<HTMLDivElement | null>; title: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="capture-tools">
      <div className="trigger-form">
        <button type="button" className="btn" aria-expanded={open} onClick={() => setOpen(!open)}>Trigger…</button>
        <button type="button" className="btn" onClick={() => exportPlotPng(chartHost.current, title)}>PNG</button>
      </div>
      {open ? <TriggerForm signals={signals} /> : null}
    </div>
  );
}

function TriggerForm({ signals }: { signals: CaptureSignal[] }) {
  const [signalId, setSignalId] = useState<number | null>(signals[0]?.id ?? null);
  const [condition, setCondition] = useState<TriggerSpecInput['condition']>('rising');
  const [level, setLevel] = useState('0');
  const [level2, setLevel2] = useState('1');
  const [pre, setPre] = useState('50');
  const [length, setLength] = useState('1000');
  const [lengthUnit, setLengthUnit] = useState<'samples' | 'seconds'>('samples');
  const [holdoff, setHoldoff] = useState('0');
  const [mode, setMode] = useState<TriggerSpecInput['mode']>('single');
  const [triggerId, setTriggerId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [capture, setCapture] = useState<Acquisition | null>(null);
  const status = useStore((s) => s.status?.triggers?.find((t) => t.triggerId === triggerId) ?? null);
  const window2 = condition === 'inside' || condition === 'outside';
  // From the ids as text: the plot hands a new array each render, the same ids mostly.
  const signalsKey = signals.map((s) => s.id).join(',');
  const colourOf = useMemo(() => plotColours(signalsKey ? signalsKey.split(',').map(Number) : []), [signalsKey]);

  useEffect(() => {
    if (signalId === null || !signals.some((s) => s.id === signalId)) setSignalId(signals[0]?.id ?? null);
  }, [signals, signalId]);
  useEffect(() => {
    if (!triggerId) return undefined;
    return client.on('capture', (c) => {
      if (c.triggerId !== triggerId) return;
      client.request('getAcquisition', { id: c.id }).then(setCapture, (e: Error) => setError(e.message));
    });
  }, [triggerId]);
  useEffect(() => () => { if (triggerId) void client.disarmTrigger(triggerId).catch((e: unknown) => useStore.getState().notify('Cannot disarm the trigger of a closed plot', e)); }, [triggerId]);

  const arm = async () => {
    setError(null);
    if (signalId === null) { setError('No signal on this plot to trigger on'); return; }
    try {
      if (triggerId) await client.disarmTrigger(triggerId);
      const others = signals.map((s) => s.id).filter((id) => id !== signalId).slice(0, TRIGGER_MAX_SIGNALS - 1);
      const spec: TriggerSpecInput = {
        signalId, ...(others.length ? { signalIds: others } : {}), condition, level: Number(level), preTrigger: Number(pre) / 100, holdoffS: Number(holdoff), mode,
        ...(window2 ? { level2: Number(level2) } : {}),
        ...(lengthUnit === 'samples' ? { lengthSamples: Math.round(Number(length)) } : { lengthSeconds: Number(length) }),
      };
      setTriggerId(await client.armTrigger(spec));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const disarm = async () => {
    if (!triggerId) return;
    try {
      await client.disarmTrigger(triggerId);
      setTriggerId(null);
    } catch (e) {
      setError(`Cannot disarm: ${(e as Error).message}`);
    }
  };

  return (
    <>
      <form className="trigger-form" aria-label="Scope trigger" onSubmit={(e) => { e.preventDefault(); void arm(); }}>
        <label>Signal
          <select aria-label="Trigger signal" value={signalId ?? ''} onChange={(e) => setSignalId(Number(e.target.value))}>
            {signals.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
          </select>
        </label>
        <label>Condition
          <select aria-label="Trigger condition" value={condition} onChange={(e) => setCondition(e.target.value as typeof condition)}>
            {TRIGGER_CONDITIONS.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>{window2 ? 'Low' : 'Level'}<input aria-label="Trigger level" type="number" step="any" value={level} onChange={(e) => setLevel(e.target.value)} /></label>
        {window2 ? <label>High<input aria-label="Trigger high level" type="number" step="any" value={level2} onChange={(e) => setLevel2(e.target.value)} /></label> : null}
        <label>Pre-trigger %<input aria-label="Pre-trigger percent" type="number" min={0} max={100} value={pre} onChange={(e) => setPre(e.target.value)} /></label>
        <label>Length<input aria-label="Capture length" type="number" min={0} step="any" value={length} onChange={(e) => setLength(e.target.value)} /></label>
        <label>Unit
          <select aria-label="Capture length unit" value={lengthUnit} onChange={(e) => setLengthUnit(e.target.value as typeof lengthUnit)}>
            <option value="samples">samples</option>
            <option value="seconds">seconds</option>
          </select>
        </label>
        <label>Holdoff s<input aria-label="Holdoff seconds" type="number" min={0} step="any" value={holdoff} onChange={(e) => setHoldoff(e.target.value)} /></label>
        <label>Mode
          <select aria-label="Trigger mode" value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
            {TRIGGER_MODES.map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <button type="submit" className="btn btn-primary">Arm</button>
        {triggerId ? <button type="button" className="btn" onClick={() => void disarm()}>Disarm</button> : null}
        <span className="muted trigger-note" title="Each signal keeps its own samples and times in the capture window: nothing is resampled">
          captures {Math.min(signals.length, TRIGGER_MAX_SIGNALS)} signal{signals.length === 1 ? '' : 's'} of this plot{signals.length > TRIGGER_MAX_SIGNALS ? ` (the first ${TRIGGER_MAX_SIGNALS})` : ''}
        </span>
        <span className="trigger-state" data-testid="trigger-state">{status ? `${status.state} · ${status.captures} captures` : triggerId ? 'armed' : 'not armed'}</span>
        {error ? <span className="rec-error" role="alert">{error}</span> : null}
      </form>
      {capture ? <CaptureView capture={capture} colourOf={colourOf} onClose={() => setCapture(null)} /> : null}
    </>
  );
}
