// The selected session's console: what the device printed (rx), what was
// sent (tx) and what the link did (info). Only the rows in view are rendered,
// so a device printing a thousand lines a second never freezes the page.
import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { ConsoleLine } from '../../../shared/api/contract';
import { client } from '../hub';
import { formatClock } from '../format';
import { LINE_ENDINGS, useStore, type LineEnding } from '../store';
import { CONSOLE_KEEP, ConsoleBuffer } from './console-buffer';

const ROW_PX = 18;
const OVERSCAN = 10;
const SENT_HISTORY = 50;

export function Console({ sessionId, sessionName }: { sessionId: string; sessionName: string }) {
  const [buffer] = useState(() => new ConsoleBuffer(CONSOLE_KEEP));
  const version = useSyncExternalStore(buffer.subscribe, buffer.getVersion);
  const connected = useStore((s) => s.connection.phase === 'connected');
  const filter = useStore((s) => s.consoleFilter);
  const follow = useStore((s) => s.consoleFollow);
  const setFilter = useStore((s) => s.setConsoleFilter);
  const setFollow = useStore((s) => s.setConsoleFollow);
  const [subscribeError, setSubscribeError] = useState<string | null>(null);

  useEffect(() => {
    if (!connected) return;
    buffer.clear();
    let history: ConsoleLine[] | null = null;
    const early: ConsoleLine[] = [];
    const off = client.on('console', (batch) => {
      const mine = batch.filter((l) => l.sessionId === sessionId);
      if (history) buffer.push(mine);
      else early.push(...mine);
    });
    let cancelled = false;
    (async () => {
      try {
        await client.request('subscribeConsole', { sessionId });
        const past = await client.request('getConsole', { sessionId, limit: CONSOLE_KEEP });
        if (cancelled) return;
        history = past;
        const lastT = past.length ? past[past.length - 1].t : -Infinity;
        buffer.push(past);
        buffer.push(early.filter((l) => l.t > lastT));
        setSubscribeError(null);
      } catch (e) {
        history = [];
        if (!cancelled) setSubscribeError(`Console of "${sessionName}" unavailable: ${(e as Error).message}`);
      }
    })();
    return () => {
      cancelled = true;
      off();
    };
  }, [sessionId, sessionName, connected, buffer]);

  // eslint-disable-next-line react-hooks/exhaustive-deps -- the buffer fills in place; version counts its appends
  const all = useMemo(() => buffer.snapshot(), [buffer, version]);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? all.filter((l) => l.text.toLowerCase().includes(f)) : all;
  }, [all, filter]);

  return (
    <section className="panel console" aria-labelledby="console-title">
      <header className="panel-header">
        <h2 id="console-title">Console <span className="panel-subject">{sessionName}</span></h2>
        <input
          className="console-filter"
          type="search"
          aria-label="Filter console"
          placeholder="Filter"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        <button type="button" className="btn" aria-pressed={!follow} onClick={() => setFollow(!follow)}
          title="Stop or restart scrolling to the newest line">
          {follow ? 'Pause scroll' : 'Follow'}
        </button>
        <span className="muted console-count" data-testid="console-count">
          {filter ? `${shown.length} of ${all.length}` : all.length} lines
        </span>
      </header>
      {subscribeError ? <div className="banner banner-error" role="alert">{subscribeError}</div> : null}
      <ConsoleRows lines={shown} follow={follow} onFollowChange={setFollow} />
      <SendLine sessionId={sessionId} sessionName={sessionName} />
    </section>
  );
}

function ConsoleRows({ lines, follow, onFollowChange }: { lines: readonly ConsoleLine[]; follow: boolean; onFollowChange(f: boolean): void }) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(200);

  useLayoutEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 200));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current;
    if (follow && el) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  }, [lines, follow, height]);

  const onScroll = () => {
    const el = box.current!;
    setScrollTop(el.scrollTop);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_PX;
    if (atBottom !== follow) onFollowChange(atBottom);
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((scrollTop + height) / ROW_PX) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const l = lines[i];
    rows.push(
      <div key={i} className={`console-line dir-${l.dir}`} data-testid="console-line" data-dir={l.dir} style={{ top: i * ROW_PX }}>
        <span className="console-time">{formatClock(l.t)}</span>
        <span className="console-dir">{l.dir}</span>
        <span className="console-text">{l.text}</span>
      </div>,
    );
  }
  return (
    <div ref={box} className="console-rows" role="log" aria-live="off" aria-label="Console lines" tabIndex={0} onScroll={onScroll}>
      <div className="console-spacer" style={{ height: lines.length * ROW_PX }}>{rows}</div>
    </div>
  );
}

function SendLine({ sessionId, sessionName }: { sessionId: string; sessionName: string }) {
  const lineEnding = useStore((s) => s.lineEnding);
  const setLineEnding = useStore((s) => s.setLineEnding);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sent = useRef<string[]>([]);
  const recall = useRef(-1);

  const send = async () => {
    setBusy(true);
    try {
      await client.request('sendText', { sessionId, text: text + LINE_ENDINGS[lineEnding] });
      if (text && sent.current[sent.current.length - 1] !== text) sent.current = [...sent.current, text].slice(-SENT_HISTORY);
      recall.current = -1;
      setText('');
      setError(null);
    } catch (e) {
      setError(`Not sent to "${sessionName}": ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  // Up and Down walk through what was sent before, like a terminal.
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const h = sent.current;
    if (e.key === 'ArrowUp' && h.length) {
      e.preventDefault();
      recall.current = recall.current < 0 ? h.length - 1 : Math.max(0, recall.current - 1);
      setText(h[recall.current]);
    } else if (e.key === 'ArrowDown' && recall.current >= 0) {
      e.preventDefault();
      recall.current = recall.current + 1 < h.length ? recall.current + 1 : -1;
      setText(recall.current < 0 ? '' : h[recall.current]);
    } else if (e.key === 'Escape') {
      setText('');
      recall.current = -1;
    }
  };

  return (
    <form className="console-send" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      <input
        id="console-send-text"
        aria-label="Text to send"
        placeholder={`Send to ${sessionName} (Enter)`}
        value={text}
        maxLength={4096}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'console-send-error' : undefined}
        autoComplete="off"
        spellCheck={false}
      />
      <select aria-label="Line ending" value={lineEnding} onChange={(e) => setLineEnding(e.target.value as LineEnding)}>
        <option value="lf">LF</option>
        <option value="crlf">CRLF</option>
        <option value="none">none</option>
      </select>
      <button type="submit" className="btn" disabled={busy}>Send</button>
      {error ? <span id="console-send-error" role="alert" className="field-error">{error}</span> : null}
    </form>
  );
}
