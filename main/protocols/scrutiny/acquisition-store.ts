// Scrutiny acquisitions kept in the engine's acquisitions store (main/datalog): that
// store lists, renames, deletes and exports every acquisition saved under
// <user data>/acquisitions/, so a downloaded acquisition is written there with the
// store's own writer (MCAP): one arm, one entry holding every logged signal, with the
// trigger point; it survives restarts.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Acquisition } from '../../../shared/api/capture';
import { storeName, writeAcquisitionFile } from '../../files/acquisition-files';

export interface ScrutinyAcquisition {
  sessionId: string;
  session: string;
  acquisitionId: number;
  condition: string;
  loopName: string;
  triggerIndex: number;
  /** Seconds from the first point; sample numbers when timeUnit is 'sample' (a loop without a fixed rate, no time signal logged). */
  time: number[];
  timeUnit: 's' | 'sample';
  signals: { name: string; values: number[] }[];
}

/** Writes the acquisition, every signal in one entry; returns the id given in the store (null without a data folder or signals). */
export async function storeAcquisition(userDataDir: string | null, a: ScrutinyAcquisition, now = Date.now() / 1000): Promise<{ id: string; signals: string[] } | null> {
  const [first, ...rest] = a.signals;
  if (!userDataDir || a.time.length === 0 || !first) return null;
  // Times on the wall clock, the trigger point at the moment of the download.
  const t0 = now - (a.time[a.triggerIndex] ?? 0);
  const times = a.time.map((t) => t0 + t);
  const stamp = new Date(now * 1000).toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const id = `${stamp}-sc${randomUUID().slice(0, 6)}`;
  const shown = a.signals.map((sg) => sg.name.split('/').pop() || sg.name).join(' ');
  const entry: Acquisition = {
    id,
    name: storeName(`Scrutiny ${a.acquisitionId} ${shown} ${a.condition} ${a.loopName}${a.timeUnit === 'sample' ? ' (one second per sample)' : ''}`, 'Scrutiny acquisition'),
    triggerId: `scrutiny-${a.acquisitionId}`,
    triggerTime: times[a.triggerIndex] ?? now,
    triggerIndex: a.triggerIndex,
    forced: false,
    signal: { signalId: -1, sessionId: a.sessionId, session: a.session, name: first.name, unit: null },
    // The device's trigger condition (Scrutiny names), not one of the scope trigger's.
    condition: a.condition as Acquisition['condition'],
    level: 0,
    level2: null,
    samples: times.length,
    saved: true,
    createdAt: now,
    times,
    values: first.values,
    ...(rest.length ? { channels: rest.map((sg) => ({ name: sg.name, unit: null })), channelValues: rest.map((sg) => sg.values) } : {}),
  };
  await writeAcquisitionFile(path.join(userDataDir, 'acquisitions'), entry);
  return { id, signals: a.signals.map((sg) => sg.name) };
}
