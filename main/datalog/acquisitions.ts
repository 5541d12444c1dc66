// The hub's scope-trigger desk: armed triggers, polled at a fixed cadence, and the
// acquisitions their captures freeze into. Captures stay in memory (the newest
// KEEP_UNSAVED); saving one writes it as MCAP under the user data folder's
// acquisitions/ (acquisition-files.ts), where the list also finds the ones saved before.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Acquisition, AcquisitionSummary, CsvExport, TriggerSpec, TriggerStatus } from '../../shared/api/capture';
import type { TelemetryStore } from '../telemetry/store';
import { csvText } from '../files/csv';
import { insideDataFolder } from '../files/data-folder';
import { ScopeTrigger, type TriggerCapture } from './trigger';
import { listAcquisitionFiles, readAcquisitionFile, removeAcquisitionFile, summaryOf, writeAcquisitionFile } from '../files/acquisition-files';
import { ApiError } from '../../shared/api/errors';

const KEEP_UNSAVED = 32;


export interface AcquisitionsOptions {
  store: TelemetryStore;
  sessionName(sessionId: string): string;
  userDataDir: string | null;
  onCapture(summary: AcquisitionSummary): void;
  onTriggersChanged(): void;
}


export class Acquisitions {
  private readonly triggers = new Map<string, ScopeTrigger>();
  /** Newest first. */
  private memory: Acquisition[] = [];

  constructor(private readonly opts: AcquisitionsOptions) {}

  private get folder(): string | null {
    return this.opts.userDataDir ? path.join(this.opts.userDataDir, 'acquisitions') : null;
  }

  private inside(given: string): string {
    const r = insideDataFolder(this.opts.userDataDir, given, 'CSV path');
    if ('refused' in r) throw new ApiError('InvalidRequest', r.refused);
    return r.path;
  }

  arm(spec: TriggerSpec): { triggerId: string } {
    if (!this.opts.store.has(spec.signalId)) throw new ApiError('InvalidRequest', `No signal ${spec.signalId} to trigger on (listSignals gives the ids)`);
    const triggerId = randomUUID().slice(0, 8);
    this.triggers.set(triggerId, new ScopeTrigger(triggerId, spec, this.opts.store, (c) => this.captured(triggerId, spec, c)));
    this.opts.onTriggersChanged();
    return { triggerId };
  }

  disarm(triggerId: string): void {
    const t = this.triggers.get(triggerId);
    if (!t) throw new ApiError('InvalidRequest', `No trigger "${triggerId}"`);
    t.stop();
    this.triggers.delete(triggerId);
    this.opts.onTriggersChanged();
  }

  /** Called at the desk's cadence (the hub's event flush). */
  poll(): void {
    for (const t of this.triggers.values()) {
      const was = t.stopped;
      t.poll();
      if (t.stopped !== was) this.opts.onTriggersChanged();
    }
  }

  statuses(): TriggerStatus[] {
    return [...this.triggers.values()].map((t) => t.status());
  }

  async list(): Promise<AcquisitionSummary[]> {
    const out = this.memory.map(summaryOf);
    const seen = new Set(out.map((a) => a.id));
    if (this.folder) for (const a of await listAcquisitionFiles(this.folder)) if (!seen.has(a.id)) out.push(a);
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(id: string): Promise<Acquisition> {
    const inMemory = this.memory.find((a) => a.id === id);
    if (inMemory) return inMemory;
    const folder = this.folder;
    if (folder) {
      let saved: Acquisition | null;
      try {
        saved = await readAcquisitionFile(folder, id);
      } catch (e) {
        throw new ApiError('OperationFailure', (e as Error).message);
      }
      if (saved) return saved;
    }
    throw new ApiError('InvalidRequest', `No acquisition "${id}"`);
  }

  async save(id: string, name?: string): Promise<AcquisitionSummary> {
    const folder = this.folder;
    if (!folder) throw new ApiError('OperationFailure', 'This host runs without a user data folder: acquisitions cannot be saved');
    const a = await this.get(id);
    if (name) a.name = name;
    a.saved = true;
    await writeAcquisitionFile(folder, a).catch((e) => { throw new ApiError('OperationFailure', `Cannot save acquisition ${id} in ${folder}: ${(e as Error).message}`); });
    return summaryOf(a);
  }

  async remove(id: string): Promise<void> {
    const before = this.memory.length;
    this.memory = this.memory.filter((a) => a.id !== id);
    let found = this.memory.length !== before;
    if (this.folder) found = (await removeAcquisitionFile(this.folder, id)) || found;
    if (!found) throw new ApiError('InvalidRequest', `No acquisition "${id}"`);
  }

  async exportCsv(id: string, to?: string): Promise<CsvExport & { csv: string }> {
    const dest = to ? this.inside(to) : this.folder ? path.join(this.folder, `${id}.csv`) : null;
    const a = await this.get(id);
    const columns = [{ name: a.signal.name, values: a.values }, ...(a.channels ?? []).map((c, k) => ({ name: c.name, values: a.channelValues?.[k] ?? [] }))]
      .map((c) => ({ header: `${a.signal.session}/${c.name}`, times: a.times, values: c.values, count: Math.min(a.times.length, c.values.length) }));
    const csv = await csvText(columns);
    let out = '';
    if (dest) {
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, csv).catch((e) => { throw new ApiError('OperationFailure', `Cannot write ${dest}: ${(e as Error).message}`); });
      out = dest;
    }
    return { path: out, rows: a.times.length, columns: columns.map((c) => c.header), csv };
  }

  stopAll(): void {
    for (const t of this.triggers.values()) t.stop();
    this.triggers.clear();
  }

  private captured(triggerId: string, spec: TriggerSpec, c: TriggerCapture): void {
    const info = this.opts.store.list().find((s) => s.id === spec.signalId);
    const createdAt = Date.now() / 1000;
    const id = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 6)}`;
    const session = info ? this.opts.sessionName(info.sessionId) : '';
    const a: Acquisition = {
      id,
      name: `${session}/${info?.name ?? spec.signalId} ${spec.condition} ${spec.level}${c.forced ? ' (auto)' : ''}`,
      triggerId,
      triggerTime: c.triggerTime,
      triggerIndex: c.triggerIndex,
      forced: c.forced,
      signal: { signalId: spec.signalId, sessionId: info?.sessionId ?? '', session, name: info?.name ?? '', unit: info?.unit ?? null },
      condition: spec.condition,
      level: spec.level,
      level2: spec.level2 ?? null,
      samples: c.times.length,
      saved: false,
      createdAt,
      times: Array.from(c.times),
      values: Array.from(c.values),
    };
    this.memory.unshift(a);
    if (this.memory.length > KEEP_UNSAVED) this.memory.length = KEEP_UNSAVED;
    this.opts.onCapture(summaryOf(a));
  }
}
