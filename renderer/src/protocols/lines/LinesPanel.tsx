// A running lines session: its options (format, separator, header, timestamp column)
// and its signals (renamed, removed, restored), applied on the open link.
import { useEffect, useMemo, useState } from 'react';
import type { SessionStatus } from '../../../../shared/api/contract';
import { LinesOptionsFields } from '../../forms/LinesOptionsFields';
import { linesOptionsDraft, validateLinesOptions, type LinesOptionsDraft } from '../../forms/lines-options-draft';
import type { FieldErrors } from '../../forms/link-draft';
import { client } from '../../hub';
import { useStore } from '../../store';
import { nameErrors, plotsAfterRenames, signalRows, withName } from './signal-edits';

export function LinesPanel({ session }: { session: SessionStatus }) {
  const id = session.sessionId;
  const [applied, setApplied] = useState<LinesOptionsDraft | null>(null);
  const [draft, setDraft] = useState<LinesOptionsDraft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [note, setNote] = useState<string | null>(null);
  const allSignals = useStore((s) => s.signals);
  const shownNames = useMemo(() => allSignals.filter((s) => s.sessionId === id).map((s) => s.name), [allSignals, id]);

  useEffect(() => {
    let live = true;
    void client.request('listSessions', {}).then((list) => {
      const mine = list.find((x) => x.sessionId === id);
      if (!live || !mine) return;
      const d = linesOptionsDraft(mine.options);
      setApplied(d);
      setDraft(d);
    }, (e: unknown) => { if (live) useStore.getState().notify('Cannot read the session\'s line options', e); });
    return () => { live = false; };
  }, [id, session.optionsRevision]);

  if (!draft || !applied) return null;
  const rows = signalRows(shownNames, applied.rename);
  const names = nameErrors(rows, draft.rename, draft.remove);
  const change = (next: LinesOptionsDraft) => {
    setDraft(next);
    setNote(null);
  };

  const apply = async () => {
    const v = validateLinesOptions(draft);
    if (!v.ok || Object.keys(names).length) {
      setErrors(v.ok ? {} : v.errors);
      setNote('Not applied: fix the values marked in red.');
      return;
    }
    setErrors({});
    try {
      await client.request('setSessionOptions', { sessionId: id, options: v.options });
      const renames = new Map(rows.filter((r) => !draft.remove.includes(r.field))
        .map((r) => [r.shown, draft.rename[r.field] ?? r.field] as const).filter(([from, to]) => from !== to));
      if (renames.size) {
        const { plots, updatePlot } = useStore.getState();
        plotsAfterRenames(plots, session.name, renames).forEach((p, i) => {
          if (JSON.stringify(p.signals) !== JSON.stringify(plots[i]!.signals)) updatePlot(p.id, { signals: p.signals });
        });
      }
      setNote('Applied on the open link.');
    } catch (e) {
      setNote(`Not applied: ${(e as Error).message}`);
    }
  };

  const removed = draft.remove;
  return (
    <section className="panel lines-panel" aria-labelledby={`lines-${id}-title`} data-testid="lines-panel">
      <header className="panel-header"><h2 id={`lines-${id}-title`}>Text lines</h2></header>
      <form
        noValidate
        aria-label="Lines options"
        onSubmit={(e) => { e.preventDefault(); void apply(); }}
        onKeyDown={(e) => { if (e.key === 'Escape') { e.preventDefault(); setDraft(applied); setErrors({}); setNote(null); } }}
      >
        <LinesOptionsFields idPrefix={`lines-${id}`} draft={draft} errors={errors} onChange={change} />
        <h3>Signals</h3>
        {rows.length === 0 && removed.length === 0 ? <p className="muted">No signals yet: they appear with the first lines.</p> : null}
        <ul className="lines-signals">
          {rows.filter((r) => !removed.includes(r.field)).map((r) => {
            const inputId = `lines-${id}-signal-${r.field}`;
            const error = names[r.field];
            return (
              <li key={r.field} data-testid="lines-signal">
                <label htmlFor={inputId} className="lines-field mono" title="The name the device gives this field">{r.field}</label>
                <input
                  id={inputId}
                  type="text"
                  aria-label={`Name of ${r.field}`}
                  value={draft.rename[r.field] ?? r.field}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${inputId}-error` : undefined}
                  onChange={(e) => change({ ...draft, rename: withName(draft.rename, r.field, e.target.value) })}
                />
                <button type="button" className="btn btn-quiet" onClick={() => change({ ...draft, remove: [...removed, r.field] })}>Remove</button>
                {error ? <span id={`${inputId}-error`} role="alert" className="fault-text">{error}</span> : null}
              </li>
            );
          })}
          {removed.map((field) => (
            <li key={`removed-${field}`} className="muted" data-testid="lines-removed-signal">
              <span className="lines-field mono"><s>{field}</s> removed</span>
              <button type="button" className="btn btn-quiet" onClick={() => change({ ...draft, remove: removed.filter((f) => f !== field) })}>Restore</button>
            </li>
          ))}
        </ul>
        <div className="button-row">
          <button type="submit" className="btn btn-primary">Apply</button>
          <button type="button" className="btn" onClick={() => { setDraft(applied); setErrors({}); setNote(null); }} title="Escape">Revert</button>
          {note ? <span role="status">{note}</span> : null}
        </div>
      </form>
    </section>
  );
}
