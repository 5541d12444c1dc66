// The firmware's variables, aliases and RPVs as one searchable tree (virtualised: a
// description can hold thousands of leaves). A leaf is dragged into the watch table or
// picked with its buttons.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { client } from '../../hub';
import { describeType, PATH_DRAG_TYPE, type VariableEntry } from './variables';

const ROW_PX = 28;
const LIST_PX = 240;
const LIMIT = 20_000;
/** Up to this many leaves, the tree opens fully; above, folders open on demand. */
const OPEN_ALL_BELOW = 200;

type TreeRow = { folder: string; name: string; depth: number; open: boolean } | { entry: VariableEntry; name: string; depth: number };

/** Folder and leaf rows in path order; `open(folder)` says whether a folder shows its content. */
export function treeRows(entries: readonly VariableEntry[], open: (folder: string) => boolean): TreeRow[] {
  const rows: TreeRow[] = [];
  const emitted = new Set<string>();
  // Plain code-unit order keeps each folder's content together.
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    const parts = entry.path.split('/').filter((p) => p !== '');
    let visible = true;
    let folder = '';
    for (let d = 0; d < parts.length - 1 && visible; d++) {
      folder += `/${parts[d]}`;
      if (!emitted.has(folder)) {
        emitted.add(folder);
        rows.push({ folder, name: parts[d]!, depth: d, open: open(folder) });
      }
      visible = open(folder);
    }
    if (visible) rows.push({ entry, name: parts[parts.length - 1] ?? entry.path, depth: parts.length - 1 });
  }
  return rows;
}

export function VariableBrowser({ sessionId, sfdFirmwareId, watched, onWatch, onPlot, onError }: {
  sessionId: string;
  sfdFirmwareId: string | null;
  watched: readonly string[];
  onWatch(path: string): void;
  onPlot(path: string): void;
  onError(message: string): void;
}) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<{ total: number; entries: VariableEntry[] }>({ total: 0, entries: [] });
  const [toggled, setToggled] = useState<ReadonlySet<string>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);
  const openAll = search !== '' || found.entries.length <= OPEN_ALL_BELOW;
  const rowsOfTree = useMemo(() => treeRows(found.entries, (f) => openAll !== toggled.has(f)), [found.entries, openAll, toggled]);
  const toggle = (folder: string) => setToggled((t) => {
    const next = new Set(t);
    if (!next.delete(folder)) next.add(folder);
    return next;
  });

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      client.action({ sessionId: sessionId, protocol: 'scrutiny' }, 'listVariables', { filter: search, limit: LIMIT })
        .then((r) => { if (live) setFound(r); }, (e: Error) => { if (live) onError(e.message); });
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [sessionId, search, sfdFirmwareId, onError]);

  const rows = useVirtualizer({
    count: rowsOfTree.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 8,
    // The list's height is fixed (LIST_PX) and only its height matters to a vertical list:
    // no need to observe its size.
    initialRect: { width: 400, height: LIST_PX },
    observeElementRect: (_instance, cb) => {
      cb({ width: 400, height: LIST_PX });
      return undefined;
    },
  });

  return (
    <div className="scrutiny-variables">
      <label className="scrutiny-search">Variables{sfdFirmwareId ? '' : ' (no firmware description loaded: RPVs only)'}
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Search variables, aliases and RPVs" aria-label="Search variables" />
      </label>
      <div ref={scroller} className="scrutiny-variable-scroller" style={{ height: LIST_PX, overflow: 'auto' }} role="list" aria-label="Variables">
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((item) => {
            const row = rowsOfTree[item.index]!;
            const place = { position: 'absolute', top: 0, left: 0, right: 0, height: ROW_PX, transform: `translateY(${item.start}px)`, paddingLeft: 4 + row.depth * 14 } as const;
            if ('folder' in row) {
              return (
                <div key={`folder:${row.folder}`} role="listitem" className="scrutiny-variable-row scrutiny-folder" style={place}>
                  <button type="button" className="btn btn-quiet" aria-expanded={row.open} aria-label={`${row.open ? 'Close' : 'Open'} ${row.folder}`} onClick={() => toggle(row.folder)}>
                    {row.open ? '▾' : '▸'} {row.name}
                  </button>
                </div>
              );
            }
            const v = row.entry;
            const isWatched = watched.includes(v.path);
            return (
              <div key={v.path} role="listitem" className="scrutiny-variable-row" draggable data-path={v.path} style={place}
                onDragStart={(e) => {
                  e.dataTransfer.setData(PATH_DRAG_TYPE, v.path);
                  e.dataTransfer.setData('text/plain', v.path);
                  e.dataTransfer.effectAllowed = 'copy';
                }}>
                <span className={`scrutiny-kind scrutiny-kind-${v.kind}`}>{v.kind}</span>
                <span className="mono scrutiny-path" title={v.path}>{row.name}</span>
                <span className="scrutiny-type">{describeType(v)}</span>
                <button type="button" className="btn btn-quiet" onClick={() => onWatch(v.path)} disabled={isWatched} aria-label={`Watch ${v.path}`}>{isWatched ? 'watched' : 'watch'}</button>
                <button type="button" className="btn btn-quiet" onClick={() => onPlot(v.path)} aria-label={`Plot ${v.path}`}>plot</button>
              </div>
            );
          })}
        </div>
      </div>
      <p className="scrutiny-count">{found.total} {found.total === 1 ? 'entry' : 'entries'}{found.total > found.entries.length ? `, first ${found.entries.length} shown: refine the search` : ''}; drag one into the watch table</p>
    </div>
  );
}
