// The selected Scrutiny session: what the device told about itself, its RPVs with
// their latest values (writable ones editable), and a raw memory view.
import { useEffect, useState } from 'react';
import type { DeviceInfo, SessionStatus } from '../../../../shared/api/contract';
import { client } from '../../hub';

interface RpvValue { id: number; name: string; type: string; value: number }
interface VariableEntry { path: string; kind: 'var' | 'alias' | 'rpv'; type?: string; address?: number | null; enum?: { name: string } }

const RPV_REFRESH_MS = 500;

function hex(n: number, digits = 8): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

export function ScrutinyPanel({ session }: { session: SessionStatus }) {
  const id = session.sessionId;
  const ready = session.deviceCommState === 'ConnectedReady';
  const [info, setInfo] = useState<DeviceInfo | null>(null);
  const [rpvs, setRpvs] = useState<RpvValue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [edit, setEdit] = useState<{ id: number; text: string } | null>(null);
  const [memAddr, setMemAddr] = useState('0x20000000');
  const [memLen, setMemLen] = useState('64');
  const [memHex, setMemHex] = useState('');
  const [memResult, setMemResult] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ total: number; entries: VariableEntry[] }>({ total: 0, entries: [] });
  const [watched, setWatched] = useState<string[]>([]);
  const [writeTarget, setWriteTarget] = useState<{ path: string; text: string } | null>(null);

  useEffect(() => {
    if (!ready) return;
    let live = true;
    const t = setTimeout(() => {
      client.sessionAction<{ total: number; entries: VariableEntry[] }>(id, 'listVariables', { filter: search, limit: 200 })
        .then((r) => { if (live) setFound(r); }, (e: Error) => { if (live) setError(e.message); });
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [id, ready, search, session.sfdFirmwareId]);

  useEffect(() => {
    if (!ready) {
      setInfo(null);
      return;
    }
    let live = true;
    void client.getDeviceInfo(id).then((i) => { if (live) setInfo(i); }, (e: Error) => { if (live) setError(e.message); });
    const tick = async () => {
      try {
        const r = await client.sessionAction<{ values: RpvValue[] }>(id, 'readRpv', {});
        if (live) setRpvs(r.values);
      } catch (e) {
        if (live) setError((e as Error).message);
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), RPV_REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [id, ready, session.deviceSessionId]);

  const run = async (action: string, args: unknown): Promise<unknown> => {
    setError(null);
    try {
      return await client.sessionAction(id, action, args);
    } catch (e) {
      setError((e as Error).message);
      return null;
    }
  };

  const writeRpv = async () => {
    if (!edit) return;
    const value = edit.text.trim() === 'true' ? 1 : edit.text.trim() === 'false' ? 0 : Number(edit.text);
    if (!Number.isFinite(value)) {
      setError(`"${edit.text}" is not a number`);
      return;
    }
    if (await run('writeRpv', { id: edit.id, value })) setEdit(null);
  };

  const watchPath = async (path: string) => {
    if (await run('watchPaths', { paths: [path] })) setWatched((w) => (w.includes(path) ? w : [...w, path]));
  };

  const writePath = async () => {
    if (!writeTarget) return;
    if (await run('writePath', { path: writeTarget.path, value: writeTarget.text })) setWriteTarget(null);
  };

  const readMem = async () => {
    const r = await run('readMemory', { address: Number(memAddr), length: Number(memLen) }) as { hexData: string } | null;
    if (r) setMemResult(r.hexData.replace(/(..)/g, '$1 ').trim());
  };

  const writeMem = async () => {
    const r = await run('writeMemory', { address: Number(memAddr), hexData: memHex });
    if (r) setMemResult(`wrote ${memHex.replace(/\s/g, '').length / 2} bytes at ${memAddr}`);
  };

  if (!ready) return <section className="panel"><h2>Scrutiny device</h2><p>Not connected: {session.lastProtocolError ?? session.deviceLink.lastError ?? 'connecting'}</p></section>;

  return (
    <section className="panel scrutiny-panel" aria-label="Scrutiny device">
      <h2>{info?.displayName ?? 'Scrutiny device'}</h2>
      {error ? <p role="alert" className="field-error">{error}</p> : null}
      {info ? (
        <dl className="device-info">
          <dt>Firmware id</dt><dd className="mono">{info.deviceId}</dd>
          <dt>Protocol</dt><dd>{info.protocolMajor}.{info.protocolMinor}</dd>
          <dt>Buffers</dt><dd>rx {info.maxRxDataSize} / tx {info.maxTxDataSize} bytes{info.maxBitrateBps ? `, ${info.maxBitrateBps} bit/s` : ''}</dd>
          <dt>Heartbeat timeout</dt><dd>{info.heartbeatTimeout} s</dd>
          <dt>Address size</dt><dd>{info.addressSizeBits} bits</dd>
          <dt>Features</dt><dd>{Object.entries(info.supportedFeatures).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none'}</dd>
          <dt>Read-only</dt><dd className="mono">{info.readonlyMemoryRegions.map((r) => `${hex(r.start)}..${hex(r.end)}`).join(', ') || 'none'}</dd>
          <dt>Forbidden</dt><dd className="mono">{info.forbiddenMemoryRegions.map((r) => `${hex(r.start)}..${hex(r.end)}`).join(', ') || 'none'}</dd>
          {info.dataloggingCapabilities ? (
            <>
              <dt>Datalogging</dt>
              <dd>{info.dataloggingCapabilities.bufferSize} bytes, {info.dataloggingCapabilities.maxNbSignal} signals; loops {info.dataloggingCapabilities.samplingRates.map((r) => `${r.name}${r.frequency ? ` (${r.frequency} Hz)` : ''}`).join(', ')}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      <div className="variable-list">
        <label>Variables {session.sfdFirmwareId ? '' : '(no firmware description loaded: RPVs only)'}
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search a path" aria-label="Search variables" />
        </label>
        <ul>
          {found.entries.map((v) => (
            <li key={v.path}>
              <span className="mono">{v.path}</span> <span>{v.kind === 'alias' ? 'alias' : v.type}{v.enum ? ` (${v.enum.name})` : ''}</span>
              {' '}<button type="button" onClick={() => void watchPath(v.path)} disabled={watched.includes(v.path)}>{watched.includes(v.path) ? 'Watched' : 'Watch'}</button>
              {' '}<button type="button" onClick={() => setWriteTarget({ path: v.path, text: '' })}>Write…</button>
            </li>
          ))}
        </ul>
        {found.total > found.entries.length ? <p>{found.total - found.entries.length} more: refine the search</p> : null}
        {watched.length ? <p>Watched (pick them in a plot): {watched.join(', ')}</p> : null}
        {writeTarget ? (
          <form onSubmit={(e) => { e.preventDefault(); void writePath(); }}>
            <label>Value for <span className="mono">{writeTarget.path}</span>
              <input value={writeTarget.text} onChange={(e) => setWriteTarget({ ...writeTarget, text: e.target.value })} placeholder="number, 0x.., true/false or an enum name" autoFocus />
            </label>
            <button type="submit">Write</button>
            <button type="button" onClick={() => setWriteTarget(null)}>Cancel</button>
          </form>
        ) : null}
      </div>
      <table className="rpv-table">
        <thead><tr><th>RPV</th><th>Type</th><th>Value</th></tr></thead>
        <tbody>
          {rpvs.map((r) => (
            <tr key={r.id}>
              <td className="mono">{r.name}</td>
              <td>{r.type}</td>
              <td>
                {edit?.id === r.id ? (
                  <form onSubmit={(e) => { e.preventDefault(); void writeRpv(); }}>
                    <input aria-label={`New value of ${r.name}`} value={edit.text} onChange={(e) => setEdit({ id: r.id, text: e.target.value })} autoFocus />
                    <button type="submit">Write</button>
                    <button type="button" onClick={() => setEdit(null)}>Cancel</button>
                  </form>
                ) : (
                  <button type="button" className="link" title="Write a value" onClick={() => setEdit({ id: r.id, text: String(r.value) })}>
                    {Number.isInteger(r.value) ? r.value : r.value.toPrecision(6)}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="field-row memory-view" onSubmit={(e) => { e.preventDefault(); void readMem(); }}>
        <label>Address <input value={memAddr} onChange={(e) => setMemAddr(e.target.value)} className="mono" /></label>
        <label>Length <input value={memLen} onChange={(e) => setMemLen(e.target.value)} inputMode="numeric" /></label>
        <button type="submit">Read</button>
        <label>Hex <input value={memHex} onChange={(e) => setMemHex(e.target.value)} className="mono" placeholder="00 01 02" /></label>
        <button type="button" onClick={() => void writeMem()}>Write</button>
      </form>
      {memResult ? <pre className="mono memory-dump">{memResult}</pre> : null}
    </section>
  );
}
