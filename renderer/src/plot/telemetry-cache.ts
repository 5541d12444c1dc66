// The renderer's telemetry cache: one SignalRing per subscribed signal, fed by
// the client's telemetry handler, read by the charts on animation frames.
// It lives outside React on purpose: a sample never becomes React state.
import type { TelemetryBlock } from '../../../shared/api/telemetry-frame';
import { client } from '../hub';
import { useStore } from '../store';
import { SignalRing } from './signal-ring';

const rings = new Map<number, SignalRing>();
let wanted = new Set<number>();
let active: { ids: Set<number>; stop: () => Promise<void> } | null = null;
let syncChain: Promise<void> = Promise.resolve();
let current: ((blocks: TelemetryBlock[]) => void) | null = null;

export function ringOf(signalId: number): SignalRing | undefined {
  return rings.get(signalId);
}

function ingest(blocks: TelemetryBlock[]): void {
  for (const b of blocks) {
    let ring = rings.get(b.id);
    if (!ring) {
      ring = new SignalRing();
      rings.set(b.id, ring);
    }
    ring.append(b.times, b.values);
  }
}

/** What the plots show, and what panels with a chart of their own show (by panel). */
let plotted = new Set<number>();
const panels = new Map<string, Set<number>>();

/** Makes the hub stream these signals (the plots') and the panels' to this renderer. */
export function setWantedSignals(ids: Iterable<number>): void {
  plotted = new Set(ids);
  updateWanted();
}

/** A panel's own chart wants these signals streamed too; null when it closes. */
export function setPanelSignals(panel: string, ids: Iterable<number> | null): void {
  if (ids) panels.set(panel, new Set(ids));
  else panels.delete(panel);
  updateWanted();
}

function updateWanted(): void {
  const next = new Set(plotted);
  for (const ids of panels.values()) for (const id of ids) next.add(id);
  if (sameSet(next, wanted)) return;
  wanted = next;
  queueSync(false);
}

/**
 * After a (re)connection: signal ids may now name other signals and the hub
 * holds no subscription of ours, so the history is dropped and the
 * subscription made again.
 */
export function resetTelemetry(): void {
  rings.clear();
  queueSync(true);
}

function queueSync(force: boolean): void {
  syncChain = syncChain.then(() => sync(force)).then(
    () => useStore.getState().setStreamError(null),
    (e: Error) => useStore.getState().setStreamError(`Signals not streamed: ${e.message}`),
  );
}

async function sync(force: boolean): Promise<void> {
  if (!client.connected) return;
  if (!force && active && sameSet(active.ids, wanted)) return;
  if (!force && !active && wanted.size === 0) return;
  const previous = active;
  active = null;
  const ids = [...wanted];
  if (ids.length) {
    // A fresh handler per subscription: the client keys subscriptions by handler,
    // and the previous one's stop() then unsubscribes only what is no longer wanted.
    // Until then a frame reaches both handlers: only the newest one takes it.
    // Signals not cached yet (first start, reload, reconnect, a signal just added to
    // a plot, a replay after a seek) come with the samples the engine still holds, so
    // the plot window fills at once; the hub leaves the others' cursors as they are.
    const handler = (blocks: TelemetryBlock[]) => { if (current === handler) ingest(blocks); };
    current = handler;
    const stop = await client.subscribe(ids, handler, { history: ids.some((id) => !rings.has(id)) });
    active = { ids: new Set(ids), stop };
  }
  if (previous) await previous.stop();
  for (const id of rings.keys()) if (!wanted.has(id)) rings.delete(id);
}

function sameSet(a: Set<number>, b: Set<number>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
