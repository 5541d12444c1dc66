// The top bar's layout controls: save the layout on screen under a name, switch
// to or delete a saved one, export a layout to a file and import one (checked,
// with what is wrong said), go back to the default; add a plot; pick the theme.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { layoutFileText, MAX_SAVED_LAYOUTS, parseLayoutFile, type NamedLayout } from '../../../shared/api/layout';
import { useStore } from '../store';
import { useDockControls } from './dock-api';
import { setThemeChoice, useThemeChoice, type ThemeChoice } from './theme';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name.replace(/[^A-Za-z0-9 _.-]/g, '_')}.benchscope-layout.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const NO_LAYOUTS: NamedLayout[] = [];

export function LayoutMenu() {
  const dock = useDockControls();
  const saved = useStore((s) => s.layoutState?.saved ?? NO_LAYOUTS);
  const update = useStore((s) => s.updateLayouts);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!box.current?.contains(e.target as Node)) setOpen(false); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => { window.removeEventListener('mousedown', onDown); window.removeEventListener('keydown', onKey); };
  }, [open]);

  const store = (layout: NamedLayout) => {
    const rest = saved.filter((l) => l.name !== layout.name);
    if (rest.length >= MAX_SAVED_LAYOUTS) throw new Error(`at most ${MAX_SAVED_LAYOUTS} layouts can be saved: delete one first`);
    update({ saved: [...rest, layout].sort((a, b) => a.name.localeCompare(b.name)) });
  };

  const saveCurrent = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!dock || !trimmed) { setMessage({ text: 'A layout needs a name', error: true }); return; }
    try {
      store({ name: trimmed, ...dock.snapshot() });
      setMessage({ text: `Saved "${trimmed}"`, error: false });
      setName('');
    } catch (err) {
      setMessage({ text: `Not saved: ${(err as Error).message}`, error: true });
    }
  };

  const importFile = async (file: File) => {
    const parsed = parseLayoutFile(await file.text());
    if (!parsed.ok) { setMessage({ text: `Cannot import ${file.name}: ${parsed.error}`, error: true }); return; }
    try {
      store(parsed.layout);
      dock?.apply(parsed.layout);
      setMessage({ text: `Imported "${parsed.layout.name}" and switched to it`, error: false });
    } catch (err) {
      setMessage({ text: `Cannot import ${file.name}: ${(err as Error).message}`, error: true });
    }
  };

  const apply = (layout: NamedLayout) => {
    try {
      dock?.apply(layout);
      setMessage({ text: `Switched to "${layout.name}"`, error: false });
    } catch (err) {
      setMessage({ text: `Cannot show "${layout.name}": ${(err as Error).message}`, error: true });
    }
  };

  return (
    <div className="layout-menu" ref={box}>
      <button type="button" className="btn" onClick={() => dock?.addPlot()} disabled={!dock}>Add plot</button>
      <button type="button" className="btn" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="layout-menu">Layout ▾</button>
      {open ? (
        <div className="layout-popover" role="dialog" aria-label="Layouts">
          <form className="layout-save" onSubmit={saveCurrent}>
            <input aria-label="Layout name" placeholder="Name of this layout" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} autoFocus />
            <button type="submit" className="btn btn-primary">Save</button>
          </form>
          {saved.length ? (
            <ul className="layout-list" aria-label="Saved layouts">
              {saved.map((l) => (
                <li key={l.name} data-testid="saved-layout">
                  <span className="layout-name">{l.name}</span>
                  <button type="button" className="btn" onClick={() => apply(l)} aria-label={`Switch to ${l.name}`}>Switch</button>
                  <button type="button" className="btn" onClick={() => download(l.name, layoutFileText(l))} aria-label={`Export ${l.name}`}>Export</button>
                  <button type="button" className="btn btn-quiet" onClick={() => update({ saved: saved.filter((x) => x !== l) })} aria-label={`Delete ${l.name}`}>✕</button>
                </li>
              ))}
            </ul>
          ) : <p className="muted">No saved layouts.</p>}
          <div className="layout-row">
            <button type="button" className="btn" disabled={!dock}
              onClick={() => dock && download(name.trim() || 'layout', layoutFileText({ name: name.trim() || 'layout', ...dock.snapshot() }))}>Export current…</button>
            <button type="button" className="btn" onClick={() => fileInput.current?.click()}>Import…</button>
            <input ref={fileInput} type="file" accept=".json,application/json" hidden data-testid="layout-import"
              onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importFile(f); }} />
            <button type="button" className="btn" disabled={!dock} onClick={() => { dock?.resetToDefault(); setMessage({ text: 'Default layout', error: false }); }}>Default layout</button>
          </div>
          <ClosedPanels />
          <ThemePicker />
          {message ? <p className={message.error ? 'fault-text' : 'muted'} role={message.error ? 'alert' : 'status'} data-testid="layout-message">{message.text}</p> : null}
          <p className="muted hint-keys">F6 / Shift+F6: next / previous group · Alt+Shift+PageDown / PageUp: next / previous tab · Alt+Shift+M: maximise or restore · Alt+Shift+W: close · drag a tab to move, split or float it</p>
        </div>
      ) : null}
    </div>
  );
}

function ThemePicker() {
  const choice = useThemeChoice();
  return (
    <label className="inline-field">
      <span>Theme</span>
      <select aria-label="Theme" value={choice} onChange={(e) => setThemeChoice(e.target.value as ThemeChoice)}>
        <option value="system">as the system</option>
        <option value="dark">dark</option>
        <option value="light">light</option>
      </select>
    </label>
  );
}

/** The panels closed (or never opened) that the bench can show, to open again. */
function ClosedPanels() {
  const dock = useDockControls();
  const [, redraw] = useState(0);
  const closed = dock?.closedPanels() ?? [];
  if (!dock || !closed.length) return null;
  return (
    <div className="layout-closed">
      <span className="muted">Closed panels</span>
      <ul className="layout-list" aria-label="Closed panels">
        {closed.map((p) => (
          <li key={p.id}>
            <span className="layout-name">{p.title}</span>
            <button type="button" className="btn" aria-label={`Open ${p.title}`} onClick={() => { dock.openPanel(p); redraw((n) => n + 1); }}>Open</button>
          </li>
        ))}
      </ul>
    </div>
  );
}
