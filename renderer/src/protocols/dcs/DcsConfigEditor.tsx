// The DCS configuration in forms: the hardware servers allowed to connect (name,
// allowed address, protocol version) and, for each, its devices in tables with
// every field DCSS keeps. Errors come from the engine's own schema, keyed by path,
// and show beside their field. "Edit as JSON" takes a configuration pasted whole, and
// DCSS's database.dat is imported into the form and exported from it.
import { useEffect, useState } from 'react';
import type { FieldErrors } from '../../forms/link-draft';
import { DatabaseFileButtons } from './DatabaseFileButtons';
import {
  blankServer, DEVICE_COLUMNS, DEVICE_KINDS, numberFromInput,
  type Column, type DcsConfigDraft, type DeviceKind, type DraftRecord,
} from './options';

export interface DcsConfigEditorProps {
  idPrefix: string;
  value: DcsConfigDraft;
  errors: FieldErrors;
  onChange(value: DcsConfigDraft): void;
}

export function DcsConfigEditor({ idPrefix, value, errors, onChange }: DcsConfigEditorProps) {
  const servers = value.hardwareServers;
  const setServer = (i: number, next: DraftRecord) => onChange({ ...value, hardwareServers: servers.map((s, k) => (k === i ? next : s)) });
  const generalError = errors.hardwareServers;
  return (
    <div className="dcs-config" data-testid="dcs-config">
      <DatabaseFileButtons value={value} onChange={onChange} />
      {servers.map((server, i) => (
        <ServerForm key={i} idPrefix={`${idPrefix}-hs${i}`} index={i} server={server} errors={errors}
          onChange={(next) => setServer(i, next)}
          onRemove={servers.length > 1 ? () => onChange({ ...value, hardwareServers: servers.filter((_, k) => k !== i) }) : undefined} />
      ))}
      {generalError ? <p role="alert" className="field-error">{generalError}</p> : null}
      <div className="button-row">
        <button type="button" className="btn" onClick={() => onChange({ ...value, hardwareServers: [...servers, blankServer(servers.length + 1)] })}>Add hardware server</button>
      </div>
      <JsonEditor idPrefix={idPrefix} value={value} onChange={onChange} />
    </div>
  );
}

function ServerForm({ idPrefix, index, server, errors, onChange, onRemove }: {
  idPrefix: string; index: number; server: DraftRecord; errors: FieldErrors; onChange(s: DraftRecord): void; onRemove?: () => void;
}) {
  const at = `hardwareServers.${index}`;
  const field = (key: string, label: string, input: React.ReactNode) => {
    const error = errors[`${at}.${key}`];
    return (
      <div className="field">
        <label htmlFor={`${idPrefix}-${key}`}>{label}</label>
        {input}
        {error ? <span role="alert" className="field-error">{error}</span> : null}
      </div>
    );
  };
  const text = (key: string) => ({
    id: `${idPrefix}-${key}`,
    value: String(server[key] ?? ''),
    'aria-invalid': errors[`${at}.${key}`] ? true : undefined,
    onChange: (e: { target: { value: string } }) => onChange({ ...server, [key]: e.target.value }),
  });
  const name = String(server.name ?? '') || `hardware server ${index + 1}`;
  return (
    <fieldset className="dcs-server" aria-label={`Hardware server ${name}`}>
      <legend>Hardware server {name}</legend>
      <div className="field-row">
        {field('name', 'DHS name', <input {...text('name')} />)}
        {field('address', 'Allowed address (* for any)', <input {...text('address')} />)}
        {field('protocol', 'Protocol', (
          <select id={`${idPrefix}-protocol`} value={String(server.protocol ?? 2)} onChange={(e) => onChange({ ...server, protocol: Number(e.target.value) })}>
            <option value="1">1 (200-byte messages)</option>
            <option value="2">2 (header + text)</option>
          </select>
        ))}
        {onRemove ? <button type="button" className="btn btn-quiet" aria-label={`Remove hardware server ${name}`} onClick={onRemove}>Remove</button> : null}
      </div>
      {DEVICE_KINDS.map((kind) => (
        <DeviceTable key={kind} idPrefix={`${idPrefix}-${kind}`} at={`${at}.${kind}`} kind={kind} server={name}
          rows={Array.isArray(server[kind]) ? (server[kind] as DraftRecord[]) : []} errors={errors}
          onChange={(rows) => onChange({ ...server, [kind]: rows })} />
      ))}
    </fieldset>
  );
}

function DeviceTable({ idPrefix, at, kind, server, rows, errors, onChange }: {
  idPrefix: string; at: string; kind: DeviceKind; server: string; rows: DraftRecord[]; errors: FieldErrors; onChange(rows: DraftRecord[]): void;
}) {
  const spec = DEVICE_COLUMNS[kind];
  const setCell = (j: number, c: Column, raw: string | boolean) => {
    const row = { ...rows[j]! };
    if (c.type === 'bool') row[c.key] = raw;
    else if (c.type === 'number') row[c.key] = numberFromInput(String(raw));
    else if (c.type === 'list') row[c.key] = String(raw).split(/[\s,]+/).filter(Boolean);
    else if (c.optional && String(raw).trim() === '') delete row[c.key];
    else row[c.key] = raw;
    onChange(rows.map((r, k) => (k === j ? row : r)));
  };
  const tableErrors = Object.entries(errors).filter(([k]) => k === at || k.startsWith(`${at}.`));
  const [open, setOpen] = useState(rows.length > 0);
  const one = spec.title.toLowerCase().replace(/s$/, '');
  return (
    <details className="dcs-devices" open={open || tableErrors.length > 0} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        {spec.title} ({rows.length}){' '}
        {/* In the summary, so a kind with no device yet gets its first one without opening it first. */}
        <button type="button" className="btn btn-quiet" id={`${idPrefix}-add`}
          onClick={(e) => { e.preventDefault(); setOpen(true); onChange([...rows, spec.blank()]); }}>Add {one}</button>
      </summary>
      {rows.length ? (
        <div className="dcs-device-scroll">
          <table className="dcs-device-table" aria-label={`${spec.title} of ${server}`}>
            <thead><tr>{spec.columns.map((c) => <th key={c.key} scope="col">{c.label}</th>)}<th /></tr></thead>
            <tbody>
              {rows.map((row, j) => (
                <tr key={j}>
                  {spec.columns.map((c) => {
                    const key = `${at}.${j}.${c.key}`;
                    const label = `${c.label} of ${spec.title.toLowerCase().replace(/s$/, '')} ${j + 1}`;
                    const invalid = errors[key] ? true : undefined;
                    const v = row[c.key];
                    return (
                      <td key={c.key}>
                        {c.type === 'bool' ? (
                          <input type="checkbox" aria-label={label} checked={v === true} onChange={(e) => setCell(j, c, e.target.checked)} />
                        ) : c.type === 'state' ? (
                          <select aria-label={label} value={String(v ?? 'closed')} onChange={(e) => setCell(j, c, e.target.value)}>
                            <option value="closed">closed</option><option value="open">open</option>
                          </select>
                        ) : (
                          <input aria-label={label} aria-invalid={invalid} title={errors[key]}
                            className={c.type === 'number' ? 'narrow' : undefined} inputMode={c.type === 'number' ? 'decimal' : undefined}
                            value={Array.isArray(v) ? v.join(' ') : v === undefined ? '' : String(v)}
                            onChange={(e) => setCell(j, c, e.target.value)} />
                        )}
                      </td>
                    );
                  })}
                  <td><button type="button" className="btn btn-quiet" aria-label={`Remove ${spec.title.toLowerCase().replace(/s$/, '')} ${j + 1}`} onClick={() => onChange(rows.filter((_, k) => k !== j))}>✕</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {tableErrors.length ? (
        <ul className="field-error" role="alert">
          {tableErrors.map(([k, m]) => <li key={k}>{describePath(k.slice(at.length + 1), spec.title)}: {m}</li>)}
        </ul>
      ) : null}
    </details>
  );
}

/** "1.name" under Real motors -> "real motor 2, name". */
function describePath(rest: string, title: string): string {
  const [row, ...field] = rest.split('.');
  if (row === undefined || row === '') return title;
  return `${title.toLowerCase().replace(/s$/, '')} ${Number(row) + 1}${field.length ? `, ${field.join('.')}` : ''}`;
}

/** The whole configuration as JSON, for pasting one from elsewhere. */
function JsonEditor({ idPrefix, value, onChange }: { idPrefix: string; value: DcsConfigDraft; onChange(v: DcsConfigDraft): void }) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => { if (!open) setText(JSON.stringify(value, null, 2)); }, [value, open]);
  const apply = () => {
    try {
      const v = JSON.parse(text) as unknown;
      if (!v || typeof v !== 'object' || !Array.isArray((v as DcsConfigDraft).hardwareServers)) throw new Error('expected {"hardwareServers": [...]}');
      setError(null);
      onChange(v as DcsConfigDraft);
    } catch (e) {
      setError(`Not a DCS configuration: ${(e as Error).message}`);
    }
  };
  return (
    <details onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Edit as JSON</summary>
      <textarea id={`${idPrefix}-json`} aria-label="DCS configuration as JSON" className="mono" rows={10} spellCheck={false}
        value={text} onChange={(e) => setText(e.target.value)} />
      <div className="button-row">
        <button type="button" className="btn" onClick={apply}>Use this JSON</button>
        {error ? <span role="alert" className="field-error">{error}</span> : null}
      </div>
    </details>
  );
}
