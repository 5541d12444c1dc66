// This session's acquisitions kept in the engine's acquisitions store: shown again in
// the chart, renamed, exported as CSV or as an MCAP recording, deleted. They survive restarts of the engine.
import { useCallback, useEffect, useState } from 'react';
import type { AcquisitionSummary } from '../../../../shared/api/capture';
import { download } from '../../capture/format';
import { client } from '../../hub';
import type { ScrutinyAcquisition } from './AcquisitionChart';

export function StoredAcquisitions({ sessionId, refreshKey, onShow }: { sessionId: string; refreshKey: unknown; onShow(a: ScrutinyAcquisition): void }) {
  const [list, setList] = useState<AcquisitionSummary[]>([]);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const all = await client.request('listAcquisitions', {});
      setList(all.filter((a) => a.triggerId.startsWith('scrutiny-') && a.signal.sessionId === sessionId));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [sessionId]);
  useEffect(() => { void refresh(); }, [refresh, refreshKey]);

  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      await refresh();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const show = (id: string) => act(async () => {
    const a = await client.request('getAcquisition', { id });
    const t0 = a.times[0] ?? 0;
    onShow({
      acquisitionId: Number(a.triggerId.replace('scrutiny-', '')), nPoints: a.samples, triggerIndex: Math.max(0, a.triggerIndex), timeUnit: 's',
      time: a.times.map((t) => t - t0),
      signals: [{ name: a.signal.name, kind: 'memory', values: a.values }, ...(a.channels ?? []).map((c, k) => ({ name: c.name, kind: 'memory', values: a.channelValues?.[k] ?? [] }))],
    });
  });

  if (!list.length && !error) return null;
  return (
    <div className="scrutiny-stored">
      <h3>Stored acquisitions</h3>
      {error ? <p role="alert" className="field-error">{error}</p> : null}
      {note ? <p role="status" className="muted mono">{note}</p> : null}
      <table className="scrutiny-stored-table">
        <tbody>
          {list.map((a) => (
            <tr key={a.id} data-acquisition={a.id}>
              <td>
                {renaming?.id === a.id ? (
                  <form onSubmit={(e) => { e.preventDefault(); void act(() => client.request('saveAcquisition', { id: a.id, name: renaming.name })).then(() => setRenaming(null)); }}>
                    <input aria-label={`New name of ${a.name}`} value={renaming.name} onChange={(e) => setRenaming({ id: a.id, name: e.target.value })} autoFocus />
                    <button type="submit" className="btn">Rename</button>
                    <button type="button" className="btn btn-quiet" onClick={() => setRenaming(null)}>Cancel</button>
                  </form>
                ) : a.name}
              </td>
              <td>{1 + (a.channels?.length ?? 0)} signals, {a.samples} points</td>
              <td>{new Date(a.createdAt * 1000).toLocaleString()}</td>
              <td className="scrutiny-stored-actions">
                <button type="button" className="btn btn-quiet" onClick={() => void show(a.id)}>show</button>
                <button type="button" className="btn btn-quiet" onClick={() => setRenaming({ id: a.id, name: a.name.replace(/[^A-Za-z0-9 _.()-]/g, '_').slice(0, 100) })}>rename</button>
                <button type="button" className="btn btn-quiet" onClick={() => void act(async () => download(`${a.id}.csv`, (await client.request('exportAcquisitionCsv', { id: a.id })).csv))}>csv</button>
                <button type="button" className="btn btn-quiet" title="As an MCAP recording (in the recordings list: replay it, open it in Foxglove or PlotJuggler)"
                  onClick={() => void act(async () => setNote(`Written to ${(await client.request('exportAcquisitionMcap', { id: a.id })).path}`))}>mcap</button>
                <button type="button" className="btn btn-quiet" aria-label={`Delete ${a.name}`} onClick={() => void act(() => client.request('deleteAcquisition', { id: a.id }))}>delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
