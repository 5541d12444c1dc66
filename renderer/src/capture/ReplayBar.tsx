// A replay's timeline above the plots: play and pause, speed, a position slider
// (drag or arrow keys to seek; the plots load the window before the new position),
// where the playhead is, and close. The plots of a replay follow its playhead.
import { useEffect, useRef, useState } from 'react';
import { REPLAY_PLOT_BUDGET, REPLAY_SPEEDS, type ReplayConsoleLine, type ReplayStatus } from '../../../shared/api/capture';
import { formatClock } from '../format';
import { client } from '../hub';
import { useStore } from '../store';
import { replayClock } from './replay-clock';
import { formatDuration } from './format';

const SLIDER_STEPS = 1000;

export function ReplayBar({ replay }: { replay: ReplayStatus }) {
  const plots = useStore((s) => s.plots);
  const removePlot = useStore((s) => s.removePlot);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [consoleOpen, setConsoleOpen] = useState(false);
  const [, redraw] = useState(0);
  const seekTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const duration = Math.max(replay.end - replay.start, 1e-6);
  const mine = plots.filter((p) => p.signals.length > 0 && p.signals.every((s) => s.session === replay.name));
  // The longest window of the plots showing this replay: what a seek loads before the playhead.
  const historyS = Math.max(10, ...plots.filter((p) => p.signals.some((s) => s.session === replay.name)).map((p) => p.windowSeconds));

  // The playhead runs on between status broadcasts.
  useEffect(() => {
    if (!replay.playing) return;
    const t = setInterval(() => redraw((n) => n + 1), 100);
    return () => clearInterval(t);
  }, [replay.playing]);
  useEffect(() => () => { if (seekTimer.current) clearTimeout(seekTimer.current); }, []);

  const run = async (what: () => Promise<unknown>) => {
    try {
      await what();
      setError(null);
      await client.requestServerStatusUpdate({ wait: false });
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const control = (what: { play?: boolean; speed?: number; seek?: number; historyS?: number }) => run(() => client.controlReplay(replay.replayId, what));
  const position = dragging ?? (Number.isFinite(replayClock(replay.replayId)) ? replayClock(replay.replayId) : replay.position);
  const step = Math.round(((position - replay.start) / duration) * SLIDER_STEPS);

  /** A drag sends one seek when the thumb rests (150 ms); a key press, at once. */
  const seekTo = (k: number, now: boolean) => {
    const t = replay.start + (k / SLIDER_STEPS) * duration;
    setDragging(t);
    if (seekTimer.current) clearTimeout(seekTimer.current);
    const send = () => {
      seekTimer.current = null;
      void control({ seek: t, historyS }).finally(() => setDragging(null));
    };
    if (now) send();
    else seekTimer.current = setTimeout(send, 150);
  };
  /** Set by a key press on the slider: its change event seeks at once. */
  const byKey = useRef(false);

  return (
    <div className="replay-bar" role="group" aria-label={`Timeline of ${replay.name}`} data-testid="replay-bar" data-replay-id={replay.replayId}
      data-playing={replay.playing ? 'true' : 'false'}>
      <strong className="replay-name" title={replay.path}>{replay.name}{replay.complete ? '' : ' (cut short)'}</strong>
      <button type="button" className="btn" aria-label={replay.playing ? 'Pause replay' : 'Play replay'}
        onClick={() => void control({ play: !replay.playing })}>{replay.playing ? '❚❚ Pause' : '▶ Play'}</button>
      <label className="inline-field">
        <span>Speed</span>
        <select aria-label="Replay speed" value={replay.speed} onChange={(e) => void control({ speed: Number(e.target.value) })}>
          {(REPLAY_SPEEDS as readonly number[]).includes(replay.speed) ? null : <option value={replay.speed}>{replay.speed}×</option>}
          {REPLAY_SPEEDS.map((s) => {
            // Faster than the plots can take every sample of this recording: offered, but disabled.
            const tooFast = s > 1 && s * replay.samplesPerSecond > REPLAY_PLOT_BUDGET;
            return <option key={s} value={s} disabled={tooFast} title={tooFast ? `${Math.round(s * replay.samplesPerSecond).toLocaleString()} samples/s: more than the plots take without dropping` : undefined}>{s}×</option>;
          })}
        </select>
      </label>
      <input type="range" className="replay-slider" aria-label="Replay position" min={0} max={SLIDER_STEPS} step={1}
        value={Math.min(SLIDER_STEPS, Math.max(0, step))}
        aria-valuetext={`${formatOffset(position - replay.start)} of ${formatOffset(duration)}`}
        onKeyDown={() => { byKey.current = true; }}
        onPointerDown={() => { byKey.current = false; }}
        onChange={(e) => { seekTo(Number(e.target.value), byKey.current); byKey.current = false; }} />
      <span className="mono replay-time" data-testid="replay-time">
        {formatOffset(position - replay.start)} / {formatOffset(duration)}
        <span className="muted"> · {new Date(position * 1000).toLocaleTimeString(undefined, { hour12: false })}.{String(Math.floor((position % 1) * 1000)).padStart(3, '0')}</span>
      </span>
      <button type="button" className="btn" aria-expanded={consoleOpen} title="The recorded console traffic up to the playhead"
        onClick={() => setConsoleOpen(!consoleOpen)}>Console</button>
      <button type="button" className="btn btn-quiet" aria-label={`Close ${replay.name}`} title="Close the replay (and its plots)"
        onClick={() => void run(async () => {
          await client.closeReplay(replay.replayId);
          for (const p of mine) removePlot(p.id);
        })}>✕</button>
      {error ? <span className="warn" role="alert">{error}</span> : null}
      {replay.error ? <span className="warn" role="alert">{replay.error}</span> : null}
      {consoleOpen ? <ReplayConsole replay={replay} /> : null}
    </div>
  );
}

/** Seconds into the recording as m:ss.s (h:mm:ss past an hour). */
function formatOffset(s: number): string {
  const v = Math.max(0, s);
  if (v >= 3600) return formatDuration(v);
  const m = Math.floor(v / 60);
  return `${m}:${(v - m * 60).toFixed(1).padStart(4, '0')}`;
}

const CONSOLE_LINES = 200;

/** The recorded console up to the playhead, newest at the bottom; follows it twice a second while playing. */
function ReplayConsole({ replay }: { replay: ReplayStatus }) {
  const [lines, setLines] = useState<ReplayConsoleLine[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  // While playing the timer follows the playhead; paused, each new position (a seek) loads once.
  const seekKey = replay.playing ? 0 : replay.position;
  useEffect(() => {
    let stopped = false;
    const load = () => client.request('replayConsole', { replayId: replay.replayId, limit: CONSOLE_LINES }).then(
      (l) => { if (!stopped) { setLines(l); setError(null); } },
      (e: Error) => { if (!stopped) setError(e.message); },
    );
    void load();
    const timer = replay.playing ? setInterval(() => void load(), 500) : null;
    return () => { stopped = true; if (timer) clearInterval(timer); };
  }, [replay.replayId, replay.playing, seekKey]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  return (
    <div className="replay-console" role="log" aria-label={`Console of ${replay.name}`} data-testid="replay-console" ref={box} tabIndex={0}>
      {error ? <p role="alert" className="field-error">{error}</p> : null}
      {lines?.length === 0 ? <p className="muted">No console traffic recorded before this point.</p> : null}
      {lines?.map((l, i) => (
        <div key={i} className={`console-line dir-${l.dir}`} data-testid="replay-console-line">
          <span className="console-time">{formatClock(l.t)}</span>
          <span className="console-dir">{l.dir}</span>
          <span className="muted">{l.session}</span>
          <span className="console-text">{l.text}</span>
        </div>
      ))}
    </div>
  );
}
