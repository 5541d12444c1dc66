// The signal picker: every signal of every session and replay, grouped by session,
// searched by substring or regular expression, drawn virtualised (only the rows in
// view exist in the DOM, so 10,000 signals cost what 30 do). A row can be dragged
// onto any plot; from the keyboard, arrows move, Space or Enter picks.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SignalInfo } from '../../../shared/api/contract';
import { SIGNAL_DRAG_TYPE } from './plot-drop';
import type { SignalSource } from './plot-signals';
import { filterSignals, nextSignalRow, type SearchMode } from './signal-filter';

const ROW_PX = 24;

export interface SignalPickerProps {
  sessions: readonly SignalSource[];
  signals: readonly SignalInfo[];
  /** What the picker is for, for screen readers ("Signals to plot", "Signals"). */
  label: string;
  isPicked(session: string, signal: string): boolean;
  onPick(session: string, signal: string, on: boolean): void;
  /** The colour a picked signal is drawn in, for its swatch. */
  colourOf?(session: string, signal: string): string | undefined;
}

export function SignalPicker({ sessions, signals, label, isPicked, onPick, colourOf }: SignalPickerProps) {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState<SearchMode>('substring');
  // Typing stays responsive with 10,000 signals: the list follows a moment later.
  const deferredQuery = useDeferredValue(query);
  const filter = useMemo(() => filterSignals(sessions, signals, deferredQuery, mode), [sessions, signals, deferredQuery, mode]);
  // The active row is kept by signal id, so that a signal appearing elsewhere does not move it.
  const [activeId, setActiveId] = useState<number | null>(null);
  const found = activeId === null ? -1 : filter.rows.findIndex((r) => r.kind === 'signal' && r.signal.id === activeId);
  const active = found >= 0 ? found : nextSignalRow(filter.rows, -1, 1);
  const setActive = (i: number) => {
    const row = filter.rows[i];
    if (row?.kind === 'signal') setActiveId(row.signal.id);
  };
  const scroller = useRef<HTMLDivElement>(null);
  const baseId = useId();
  const rowId = (i: number) => `${baseId}-row-${i}`;

  const virtual = useVirtualizer({ count: filter.rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 8 });
  // A new search starts at its first match.
  useEffect(() => setActiveId(null), [deferredQuery, mode]);
  useEffect(() => { if (active >= 0) virtual.scrollToIndex(active, { align: 'auto' }); }, [active, virtual]);

  const pickRow = (i: number) => {
    const row = filter.rows[i];
    if (row?.kind === 'signal') onPick(row.session, row.signal.name, !isPicked(row.session, row.signal.name));
  };
  const onKeyDown = (e: KeyboardEvent) => {
    // In the search box, Home, End and Space edit the text; in the list they move and pick.
    const inList = (e.target as HTMLElement).getAttribute('role') === 'listbox';
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_PX * 10) / ROW_PX) - 1);
    let next: number;
    if (e.key === 'ArrowDown') next = nextSignalRow(filter.rows, active, 1);
    else if (e.key === 'ArrowUp') next = nextSignalRow(filter.rows, active, -1);
    else if (e.key === 'PageDown') next = nextSignalRow(filter.rows, Math.min(filter.rows.length - 1, active + page) - 1, 1);
    else if (e.key === 'PageUp') next = nextSignalRow(filter.rows, Math.max(0, active - page) + 1, -1);
    else if (e.key === 'Home' && inList) next = nextSignalRow(filter.rows, -1, 1);
    else if (e.key === 'End' && inList) next = nextSignalRow(filter.rows, filter.rows.length, -1);
    else if ((e.key === 'Enter' || (e.key === ' ' && inList)) && active >= 0) {
      e.preventDefault();
      pickRow(active);
      return;
    } else return;
    e.preventDefault();
    if (next >= 0) setActive(next);
  };

  const status = filter.error
    ? `not a regular expression: ${filter.error}`
    : deferredQuery.trim() === '' ? `${filter.total} signal${filter.total === 1 ? '' : 's'}` : `${filter.matches} of ${filter.total} signals`;
  return (
    <div className="signal-picker" role="group" aria-label={label} onKeyDown={onKeyDown}>
      <div className="signal-picker-search">
        <input type="search" aria-label="Search signals" placeholder={mode === 'regex' ? 'regular expression' : 'search signals'}
          value={query} onChange={(e) => setQuery(e.target.value)} aria-controls={`${baseId}-list`}
          aria-activedescendant={active >= 0 ? rowId(active) : undefined} aria-invalid={filter.error ? true : undefined} spellCheck={false} />
        <button type="button" className="btn btn-quiet" aria-pressed={mode === 'regex'} title="Search with a regular expression"
          onClick={() => setMode(mode === 'regex' ? 'substring' : 'regex')}>.*</button>
        <span className={filter.error ? 'warn' : 'muted'} role="status" data-testid="signal-picker-count">{status}</span>
      </div>
      <div className="signal-picker-list" ref={scroller} id={`${baseId}-list`} role="listbox" aria-label={label} aria-multiselectable tabIndex={0}
        aria-activedescendant={active >= 0 ? rowId(active) : undefined} data-testid="signal-picker-list">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((v) => {
            const row = filter.rows[v.index]!;
            const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: ROW_PX, transform: `translateY(${v.start}px)` };
            if (row.kind === 'session') {
              return (
                <div key={`s-${row.sessionId}`} role="presentation" className="signal-picker-session" style={style}>
                  {row.session} <span className="muted">{row.matches === row.total ? row.total : `${row.matches} of ${row.total}`}</span>
                  {row.total === 0 ? <span className="muted"> · no signals yet</span> : null}
                </div>
              );
            }
            const picked = isPicked(row.session, row.signal.name);
            const colour = picked ? colourOf?.(row.session, row.signal.name) : undefined;
            return (
              <div key={`g-${row.signal.id}`} id={rowId(v.index)} role="option" aria-selected={picked}
                className={`signal-picker-row${v.index === active ? ' active' : ''}`} style={style} draggable data-testid="signal-picker-row"
                data-session={row.session} data-signal={row.signal.name} title={`${row.session}: ${row.signal.name} (drag onto a plot)`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(SIGNAL_DRAG_TYPE, JSON.stringify({ session: row.session, signal: row.signal.name }));
                  e.dataTransfer.setData('text/plain', `${row.session}: ${row.signal.name}`);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onMouseDown={() => setActive(v.index)}
                onClick={() => pickRow(v.index)}>
                <span className="signal-picker-tick" aria-hidden>{picked ? '☑' : '☐'}</span>
                {colour ? <i className="swatch" style={{ background: colour }} /> : null}
                <span className="signal-picker-name">{row.signal.name}</span>
                {row.signal.unit ? <span className="muted"> [{row.signal.unit}]</span> : null}
                {row.signal.states ? <span className="muted"> · states</span> : null}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
