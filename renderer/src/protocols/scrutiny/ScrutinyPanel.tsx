// The selected Scrutiny session as a workbench: what the device told about itself,
// installed firmware descriptions, the variable list feeding the watch table and the
// plots, RPVs, the embedded graph (datalogging), the user command and raw memory.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { DeviceInfo, SessionStatus } from '../../../../shared/api/contract';
import { client } from '../../hub';
import { usePoll } from '../../hooks/usePoll';
import { useStore } from '../../store';
import { DataloggingPanel } from './DataloggingPanel';
import { SfdManager } from './SfdManager';
import { UserCommandForm } from './UserCommandForm';
import { VariableBrowser } from './VariableBrowser';
import { registerPlotDrop } from '../../plot/plot-drop';
import { PATH_DRAG_TYPE, type VariableEntry } from './variables';
import { WatchTable, type WatchValue } from './WatchTable';
import './scrutiny.css';
import type { ScrutinyRpvValue as RpvValue } from '../../../../shared/api/scrutiny';


const RPV_REFRESH_MS = 500;
const WATCH_REFRESH_MS = 250;

function hex(n: number, digits = 8): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

export function ScrutinyPanel({ session }: { session: SessionStatus }) {
  const id = session.sessionId;
  const ready = session.deviceCommState === 'ConnectedReady';
  const [info, setInfo] = useState<DeviceInfo | null>(null);
  const [rpvs, setRpvs] = useState<RpvValue[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [edit, setEdit] = useState<{ id: number; text: string; error?: string; saturate?: boolean } | null>(null);
  const [memAddr, setMemAddr] = useState('0x20000000');
  const [memLen, setMemLen] = useState('64');
  const [memHex, setMemHex] = useState('');
  const [memResult, setMemResult] = useState<string | null>(null);
  const [entries, setEntries] = useState<Map<string, VariableEntry>>(new Map());
  const [watch, setWatch] = useState<{ rows: WatchValue[]; rate: number | null }>({ rows: [], rate: null });
  const plots = useStore((st) => st.plots);
  const addPlot = useStore((st) => st.addPlot);
  const updatePlot = useStore((st) => st.updatePlot);

  // Every leaf of the description, for the watch table's formatting and the datalogging form.
  useEffect(() => {
    if (!ready) return;
    let live = true;
    client.action({ sessionId: id, protocol: 'scrutiny' }, 'listVariables', { limit: 100_000 })
      .then((r) => { if (live) setEntries(new Map(r.entries.map((e) => [e.path, e]))); }, (e: Error) => { if (live) setError(e.message); });
    return () => { live = false; };
  }, [id, ready, session.sfdFirmwareId, session.deviceSessionId]);

  usePoll(ready, {
    periodMs: WATCH_REFRESH_MS,
    poll: () => client.action({ sessionId: id, protocol: 'scrutiny' }, 'watchValues', {}),
    onValue: (r) => setWatch({ rows: r.values, rate: r.refreshRateHz }),
    onError: (e) => setError(`Watched values: ${e.message}`),
  }, [id]);

  usePoll(ready, {
    periodMs: RPV_REFRESH_MS,
    poll: () => client.action({ sessionId: id, protocol: 'scrutiny' }, 'readRpv', {}),
    onValue: (r) => setRpvs(r.values),
    onError: (e) => setError(e.message),
  }, [id, session.deviceSessionId]);

  useEffect(() => {
    if (!ready) {
      setInfo(null);
      return;
    }
    let live = true;
    void client.getDeviceInfo(id).then((i) => { if (live) setInfo(i); }, (e: Error) => { if (live) setError(e.message); });
    return () => { live = false; };
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
    if (edit.text.trim() === '' || !Number.isFinite(value)) {
      setEdit({ ...edit, error: `"${edit.text}" is not a number` });
      return;
    }
    // A refusal (out of the RPV type's range, say) stays beside the field it is about.
    try {
      await client.action({ sessionId: id, protocol: 'scrutiny' }, 'writeRpv', { id: edit.id, value, ...(edit.saturate ? { saturate: true } : {}) });
      setEdit(null);
    } catch (e) {
      setEdit({ ...edit, error: (e as Error).message });
    }
  };

  const watchedPaths = useMemo(() => watch.rows.map((r) => r.path), [watch.rows]);
  const lookup = useCallback((path: string) => entries.get(path), [entries]);
  const onError = useCallback((message: string) => setError(message), []);

  const watchPath = async (path: string): Promise<boolean> => {
    if (watchedPaths.includes(path)) return true;
    const r = await run('watchPaths', { paths: [path] }) as { signals: { path: string; signalId: number | null }[] } | null;
    if (r) setWatch((w) => ({ ...w, rows: w.rows.some((x) => x.path === path) ? w.rows : [...w.rows, { path, signalId: -1, value: null }] }));
    return r !== null;
  };

  const unwatchPath = async (path: string) => {
    if (await run('unwatch', { paths: [path] })) setWatch((w) => ({ ...w, rows: w.rows.filter((x) => x.path !== path) }));
  };

  /** Plots a variable in this session's plot (made on first use): RPVs are polled already, the rest is watched first. */
  const plotPath = async (path: string) => {
    const isRpv = /^\/rpv\/x[0-9a-f]{4}$/i.test(path);
    if (!isRpv && !(await watchPath(path))) return;
    const title = `Scrutiny: ${session.name}`;
    const signal = { session: session.name, signal: path };
    const plot = [...plots].reverse().find((p) => p.title === title);
    if (!plot) addPlot({ title, signals: [signal] });
    else if (!plot.signals.some((x) => x.session === signal.session && x.signal === signal.signal)) updatePlot(plot.id, { signals: [...plot.signals, signal] });
  };

  // A variable dragged from the tree onto any plot: watched (RPVs are polled already), then added to that plot.
  useEffect(() => registerPlotDrop(PATH_DRAG_TYPE, (data, target) => {
    const path = data.getData(PATH_DRAG_TYPE);
    if (!path) return;
    void (async () => {
      const isRpv = /^\/rpv\/x[0-9a-f]{4}$/i.test(path);
      if (!isRpv && !(await watchPath(path))) return;
      const current = useStore.getState().plots.find((p) => p.id === target.id);
      if (!current || current.signals.some((x) => x.session === session.name && x.signal === path)) return;
      updatePlot(current.id, { signals: [...current.signals, { session: session.name, signal: path }] });
    })();
  }));

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
    <section className="panel scrutiny-panel" aria-label="Scrutiny device" data-testid="scrutiny-panel">
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
      <details className="scrutiny-section">
        <summary>Firmware descriptions {session.sfdFirmwareId ? <span className="mono">(loaded: {session.sfdFirmwareId})</span> : '(none loaded)'}</summary>
        <SfdManager sessionId={id} deviceFirmwareId={info?.deviceId ?? null} />
      </details>
      <div className="scrutiny-workbench">
        <VariableBrowser sessionId={id} sfdFirmwareId={session.sfdFirmwareId} watched={watchedPaths} onWatch={(p) => void watchPath(p)} onPlot={(p) => void plotPath(p)} onError={onError} />
        <WatchTable sessionId={id} rows={watch.rows} rate={watch.rate} describe={lookup} onWatch={(p) => void watchPath(p)} onUnwatch={(p) => void unwatchPath(p)} onPlot={(p) => void plotPath(p)} />
      </div>
      {info ? (
        <details className="scrutiny-section" open>
          <summary>Datalogging (embedded graph)</summary>
          <DataloggingPanel sessionId={id} info={info} lookup={lookup} candidates={[...entries.keys()]} />
        </details>
      ) : null}
      <details className="scrutiny-section">
        <summary>User command</summary>
        <UserCommandForm sessionId={id} supported={info?.supportedFeatures.userCommand ?? false} />
      </details>
      <h3>RPVs</h3>
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
                    <input aria-label={`New value of ${r.name}`} value={edit.text} onChange={(e) => setEdit({ ...edit, text: e.target.value, error: undefined })} autoFocus />
                    <button type="submit">Write</button>
                    <button type="button" onClick={() => setEdit(null)}>Cancel</button>
                    <label title={`Hold a value outside ${r.type}'s range at its limit instead of refusing it`}>
                      <input type="checkbox" checked={edit.saturate ?? false} onChange={(e) => setEdit({ ...edit, saturate: e.target.checked })} /> saturate
                    </label>
                    {edit.error ? <div role="alert" className="field-error">{edit.error}</div> : null}
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
