// DCSS's database.dat in and out of the configuration form. An import fills the form
// (applying it stays the user's step) and lists what the file held that the
// configuration does not keep; an export downloads the form's configuration in DCSS's
// layout and lists what the file cannot carry.
import { useRef, useState } from 'react';
import { DcsOptionsSchema } from '../../../../shared/api/dcs-config';
import { DATABASE_FILE_MAX_CHARS, describeNote, formatDatabaseFile, parseDatabaseFile } from '../../../../shared/dcs/database-file';
import { download } from '../../capture/format';
import type { DcsConfigDraft, DraftRecord } from './options';

type Outcome =
  | { kind: 'imported'; file: string; servers: number; devices: number; notes: string[] }
  | { kind: 'exported'; notes: string[] }
  | { kind: 'error'; text: string };

const deviceCount = (servers: DraftRecord[]) => servers.reduce((n, h) => n + Object.values(h).filter(Array.isArray).reduce((k, list) => k + list.length, 0), 0);

export function DatabaseFileButtons({ value, onChange }: { value: DcsConfigDraft; onChange(value: DcsConfigDraft): void }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const picker = useRef<HTMLInputElement>(null);

  const importFile = async (file: File) => {
    if (file.size > DATABASE_FILE_MAX_CHARS) {
      setOutcome({ kind: 'error', text: `Not imported: ${file.name} is ${file.size} bytes; a DCS database file is read up to ${DATABASE_FILE_MAX_CHARS / 1024 / 1024} MiB` });
      return;
    }
    const r = parseDatabaseFile(await file.text());
    if (!r.ok) {
      setOutcome({ kind: 'error', text: `Not imported: ${file.name}, ${describeNote(r)}` });
      return;
    }
    const servers = r.config.hardwareServers as unknown as DraftRecord[];
    // The longest DHS text is Benchscope's own setting: the file has none, the form's stays.
    onChange({ ...value, hardwareServers: servers });
    setOutcome({ kind: 'imported', file: file.name, servers: servers.length, devices: deviceCount(servers), notes: r.notes.map(describeNote) });
  };

  const exportFile = () => {
    const parsed = DcsOptionsSchema.safeParse(value);
    if (!parsed.success) {
      setOutcome({ kind: 'error', text: 'Not exported: the configuration has errors (shown beside their fields)' });
      return;
    }
    const out = formatDatabaseFile(parsed.data);
    download('database.dat', out.text, 'text/plain');
    setOutcome({ kind: 'exported', notes: out.notes });
  };

  return (
    <div className="dcs-database-file">
      <div className="button-row">
        {/* A button, not a label around the input, so that the keyboard reaches it. */}
        <button type="button" className="btn" onClick={() => picker.current?.click()}>Import database.dat…</button>
        <input ref={picker} type="file" hidden aria-label="Import a DCSS database file (database.dat)"
          onChange={(e) => { const f = e.target.files?.[0]; if (f) void importFile(f); e.target.value = ''; }} />
        <button type="button" className="btn" onClick={exportFile}>Export database.dat</button>
        {outcome ? <button type="button" className="btn btn-quiet" aria-label="Dismiss the database file's notes" onClick={() => setOutcome(null)}>✕</button> : null}
      </div>
      {outcome?.kind === 'error' ? <p role="alert" className="field-error">{outcome.text}</p> : null}
      {outcome?.kind === 'imported' ? (
        <div data-testid="dcs-database-import">
          <p aria-live="polite">
            {outcome.file}: {outcome.servers} hardware server{outcome.servers === 1 ? '' : 's'} and {outcome.devices} device{outcome.devices === 1 ? '' : 's'} are in the form below; nothing is applied until you apply the configuration.
            {outcome.notes.length ? ` Not kept or changed (${outcome.notes.length}):` : ' Everything in the file was kept.'}
          </p>
          <Notes label={`Not kept from ${outcome.file}`} notes={outcome.notes} />
        </div>
      ) : null}
      {outcome?.kind === 'exported' ? (
        <div data-testid="dcs-database-export">
          <p aria-live="polite">database.dat downloaded.{outcome.notes.length ? ` Not in the file, or refused by DCSS (${outcome.notes.length}):` : ' It holds the whole configuration.'}</p>
          <Notes label="Not in the exported database.dat" notes={outcome.notes} />
        </div>
      ) : null}
    </div>
  );
}

function Notes({ label, notes }: { label: string; notes: string[] }) {
  return notes.length ? <ul className="dcs-database-notes mono" aria-label={label}>{notes.map((n, i) => <li key={i}>{n}</li>)}</ul> : null;
}
