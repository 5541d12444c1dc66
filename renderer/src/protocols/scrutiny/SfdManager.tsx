// Firmware descriptions installed in the engine's data folder: install one from a
// file (checked by the engine before it is kept), see which are there, remove one.
import { useCallback, useEffect, useState } from 'react';
import { client } from '../../hub';
import type { InstalledSfd as Installed } from '../../../../shared/api/scrutiny';


function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function SfdManager({ sessionId, deviceFirmwareId }: { sessionId: string; deviceFirmwareId: string | null }) {
  const [installed, setInstalled] = useState<Installed[]>([]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const refresh = useCallback(async () => {
    try {
      setInstalled((await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'listInstalledSfd', {})).installed);
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  }, [sessionId]);
  useEffect(() => { void refresh(); }, [refresh]);

  const install = async (file: File) => {
    setMessage(null);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const r = await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'installSfd', { base64: toBase64(bytes), fileName: file.name });
      setMessage({ text: `Installed ${file.name} for firmware ${r.firmwareId} (${r.variables} variables)${r.loaded ? ', loaded for this device' : ''}`, error: false });
      await refresh();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  };

  const uninstall = async (firmwareId: string) => {
    try {
      await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'uninstallSfd', { firmwareId });
      await refresh();
    } catch (e) {
      setMessage({ text: (e as Error).message, error: true });
    }
  };

  return (
    <div className="scrutiny-sfd">
      <label className="btn">Install a .sfd…
        <input type="file" accept=".sfd" hidden aria-label="Install a firmware description" onChange={(e) => { const f = e.target.files?.[0]; if (f) void install(f); e.target.value = ''; }} />
      </label>
      {message ? <span role={message.error ? 'alert' : 'status'} className={message.error ? 'field-error' : ''}>{message.text}</span> : null}
      {installed.length ? (
        <ul className="scrutiny-sfd-list">
          {installed.map((s) => (
            <li key={s.firmwareId}>
              <span className="mono">{s.firmwareId}</span> {s.variables} variables, {s.aliases} aliases{s.firmwareId === deviceFirmwareId ? ' (this device)' : ''}
              {' '}<button type="button" className="btn btn-quiet" onClick={() => void uninstall(s.firmwareId)} aria-label={`Uninstall ${s.firmwareId}`}>uninstall</button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
