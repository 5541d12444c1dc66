// Watched variables with their live values (enum names, bit ranges, alias scaling
// done by the engine), the achieved refresh rate, and a write box per row whose
// errors stay on that row. Paths dragged from the variable list are watched.
import { useState } from 'react';
import { client } from '../../hub';
import { formatValue, PATH_DRAG_TYPE, type VariableEntry } from './variables';

import type { WatchValue } from '../../../../shared/api/scrutiny';

export type { WatchValue };

export function WatchTable({ sessionId, rows, rate, describe, onWatch, onUnwatch, onPlot }: {
  sessionId: string;
  /** What the engine watches, with the latest values. */
  rows: readonly WatchValue[];
  rate: number | null;
  describe(path: string): VariableEntry | undefined;
  onWatch(path: string): void;
  onUnwatch(path: string): void;
  onPlot(path: string): void;
}) {
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [rowErrors, setRowErrors] = useState<Record<string, string | null>>({});
  const [dropping, setDropping] = useState(false);
  /** Out-of-range writes are refused unless the user chose to hold them at the type's limits. */
  const [saturate, setSaturate] = useState(false);

  const write = async (path: string) => {
    const text = (drafts[path] ?? '').trim();
    if (!text) {
      setRowErrors((e) => ({ ...e, [path]: 'Type a value: a number, 0x.., true/false or an enum name' }));
      return;
    }
    try {
      await client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'writePath', { path, value: text, ...(saturate ? { saturate: true } : {}) });
      setRowErrors((e) => ({ ...e, [path]: null }));
      setDrafts((d) => ({ ...d, [path]: '' }));
    } catch (e) {
      setRowErrors((x) => ({ ...x, [path]: (e as Error).message }));
    }
  };

  return (
    <div className={`scrutiny-watch${dropping ? ' drop-target' : ''}`} data-testid="scrutiny-watch"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(PATH_DRAG_TYPE) || e.dataTransfer.types.includes('text/plain')) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setDropping(true);
        }
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDropping(false);
        const path = e.dataTransfer.getData(PATH_DRAG_TYPE) || e.dataTransfer.getData('text/plain');
        if (path.startsWith('/')) onWatch(path);
      }}>
      <h3>Watch <span className="scrutiny-rate" data-testid="scrutiny-refresh-rate">{rate !== null ? `${rate.toFixed(1)} refreshes/s` : ''}</span></h3>
      {rows.length > 0 ? (
        <label className="scrutiny-saturate" title="A value outside the variable's type (or alias bounds) is refused; checked, it is held at the nearest limit and a fraction truncated">
          <input type="checkbox" checked={saturate} onChange={(e) => setSaturate(e.target.checked)} /> Saturate out-of-range writes to the limits
        </label>
      ) : null}
      {rows.length === 0 ? <p className="scrutiny-hint">Drag variables here or press watch in the list.</p> : (
        <table className="scrutiny-watch-table">
          <thead><tr><th>Variable</th><th>Value</th><th>Write</th><th /></tr></thead>
          <tbody>
            {rows.map(({ path, value }) => {
              const v = describe(path);
              const err = rowErrors[path];
              return (
                <tr key={path} data-path={path}>
                  <td className="mono" title={path}>{path}</td>
                  <td className="mono scrutiny-value" data-testid="scrutiny-value">{formatValue(v, value)}</td>
                  <td>
                    <form className="scrutiny-write" onSubmit={(e) => { e.preventDefault(); void write(path); }}>
                      <input aria-label={`New value of ${path}`} value={drafts[path] ?? ''} onChange={(e) => setDrafts((d) => ({ ...d, [path]: e.target.value }))}
                        placeholder={v?.enum ? Object.keys(v.enum.values).join(' / ') : v?.type?.startsWith('bool') || v?.bitSize === 1 ? 'true / false' : 'number or 0x..'} />
                      <button type="submit" className="btn">Write</button>
                    </form>
                    {err ? <div role="alert" className="field-error">{err}</div> : null}
                  </td>
                  <td>
                    <button type="button" className="btn btn-quiet" onClick={() => onPlot(path)} aria-label={`Plot ${path} from the watch table`}>plot</button>
                    <button type="button" className="btn btn-quiet" onClick={() => onUnwatch(path)} aria-label={`Stop watching ${path}`}>×</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
