// One device on the bench: a link, a protocol adapter over it, and their state.
import { randomUUID } from 'node:crypto';
import type {
  ConsoleLine, DeviceCommState, Mark, DeviceInfo, ProtocolName, SessionCounters, SessionStatus, SessionSummary,
} from '../../shared/api/contract';
import { describeLink, type LinkSpec } from '../../shared/api/link-config';
import { createLink } from '../links/factory';
import type { Link } from '../links/link';
import type { ProtocolAdapter, ProtocolDefinition } from '../protocols/adapter';
import type { TelemetryStore } from '../telemetry/store';

const CONSOLE_KEEP = 1000;
/** Marks kept per session (the newest); older ones are gone from getMarks. */
const MARKS_KEEP = 2000;
/** Marks passed on per flush; more in one flush are counted and summarised. */
const MARKS_PER_FLUSH = 500;
/** Console lines passed on per flush; beyond that they are counted, not shown. */
const CONSOLE_PER_FLUSH = 200;

export interface SessionHooks {
  onChange(): void;
  onProtocolEvent(kind: string, data: unknown): void;
  onSignalsChanged(): void;
  /** Handed to the adapter (AdapterContext.userDataDir). */
  userDataDir?: string | null;
  onDeviceConnected(): void;
  /** Marks are waiting to be flushed. */
  onMarks?(): void;
}

interface Totals { rxBytes: number; txBytes: number; rxMessages: number; txMessages: number }

export class DeviceSession {
  readonly id: string;
  name: string;
  demo: boolean;
  autoConnect: boolean;
  private link: Link | null = null;
  private adapter: ProtocolAdapter | null = null;
  private wanted = false;
  private commState: DeviceCommState = 'Disconnected';
  private deviceSessionId: string | null = null;
  private linkError: string | null = null;
  /** Totals of links and adapters already replaced, so counters never go backwards. */
  private readonly base: Totals & { frameErrors: number; resyncs: number; refusedConnections: number } = { rxBytes: 0, txBytes: 0, rxMessages: 0, txMessages: 0, frameErrors: 0, resyncs: 0, refusedConnections: 0 };
  private readonly rates = { rxBytes: 0, txBytes: 0, rxMessages: 0, txMessages: 0 };
  /** The port a listening link configured as 0 got: an options edit listens there again, so connected peers come back. */
  private keptPort: number | null = null;
  private lastTotals: Totals | null = null;
  private lastTick = 0;
  private consoleLines: ConsoleLine[] = [];
  private consolePending: ConsoleLine[] = [];
  private consoleSkipped = 0;
  droppedSamples = 0;
  consoleWatchers = 0;
  /** Console lines ever pushed: a recorder follows them with a cursor (consoleSince). */
  consoleTotal = 0;
  /** Bumped by setOptions: clients re-read the options (listSessions) when it changes. */
  optionsRevision = 0;
  private marksKept: Mark[] = [];
  /** Marks ever raised: a recorder follows them with a cursor (marksSince). */
  private marksTotal = 0;
  private marksPending: Mark[] = [];
  private marksSkipped = 0;

  constructor(
    readonly protocol: ProtocolDefinition<unknown>,
    public options: Record<string, unknown>,
    public linkSpec: LinkSpec,
    private readonly store: TelemetryStore,
    private readonly hooks: SessionHooks,
    opts: { name: string; demo?: boolean; autoConnect?: boolean; id?: string },
  ) {
    this.id = opts.id ?? randomUUID().slice(0, 8);
    this.name = opts.name;
    this.demo = opts.demo ?? false;
    this.autoConnect = opts.autoConnect ?? true;
  }

  get protocolName(): ProtocolName {
    return this.protocol.name;
  }

  /** Opens the link (throws LinkUnavailableError for a link the platform cannot serve). */
  connect(): void {
    if (this.wanted) return;
    const link = createLink(withKeptPort(this.linkSpec, this.keptPort), { multiPeer: this.protocol.multiPeer ?? false });
    this.wanted = true;
    this.link = link;
    const parsed = this.protocol.optionsSchema.parse(this.options);
    const adapter = this.protocol.create({
      sessionId: this.id,
      linkKind: link.kind,
      linkType: this.linkSpec.type,
      userDataDir: this.hooks.userDataDir ?? null,
      signal: (name, unit, opts) => {
        const before = this.store.list(this.id).length;
        const id = this.store.declare(this.id, name, unit);
        const statesChanged = opts?.states ? this.store.setStates(id, opts.states) : false;
        if (this.store.list(this.id).length !== before || statesChanged) this.hooks.onSignalsChanged();
        return id;
      },
      renameSignal: (from, to) => {
        const id = this.store.find(this.id, from);
        const ok = id !== null && this.store.rename(id, to);
        if (ok) this.hooks.onSignalsChanged();
        return ok;
      },
      removeSignal: (name) => {
        const id = this.store.find(this.id, name);
        if (id === null) return;
        this.store.remove(id);
        this.hooks.onSignalsChanged();
      },
      sample: (id, t, v) => this.store.append(id, t, v),
      write: (bytes) => link.write(bytes),
      consoleWanted: () => this.consoleWatchers > 0,
      console: (dir, text, t) => this.pushConsole(dir, text, t),
      event: (kind, data) => this.hooks.onProtocolEvent(kind, data),
      statusChanged: () => { this.updateCommState(); this.hooks.onChange(); },
      mark: (m) => this.pushMark(m),
      linkLabel: () => link.label,
      reconnect: (reason) => {
        if (this.link !== link) return;
        this.pushConsole('info', `${link.label}: reconnecting (${reason})`, Date.now() / 1000);
        if (link.restart) link.restart(reason);
      },
      ...(link.writeTo && link.dropPeerById ? {
        writeTo: (peerId: number, bytes: Uint8Array) => link.writeTo!(peerId, bytes),
        dropPeerById: (peerId: number) => link.dropPeerById!(peerId),
      } : {}),
      ...(link.peer && link.dropPeer ? {
        peerAddress: () => link.peer?.()?.address ?? null,
        peerLabel: () => link.peer?.()?.label ?? null,
        dropPeer: () => link.dropPeer?.(),
      } : {}),
    }, parsed);
    this.adapter = adapter;
    link.onSocketChange?.((change) => {
      if (change) this.pushConsole('info', `${link.label}: ${change.name} socket ${change.connected ? 'connected' : 'disconnected'}`, Date.now() / 1000);
      this.hooks.onChange();
    });
    link.setPeerEvents?.({
      onPeerUp: (peer) => {
        this.pushConsole('info', `${link.label}: ${peer.label} connected`, Date.now() / 1000);
        this.guard(link.label, () => adapter.onPeerUp?.(peer));
      },
      onPeerData: (peerId, chunk, t) => {
        this.guard(link.label, () => adapter.onPeerData?.(peerId, chunk, t));
        this.updateCommState();
      },
      onPeerDown: (peerId, reason) => {
        this.pushConsole('info', `${link.label}: ${reason}`, Date.now() / 1000);
        this.guard(link.label, () => adapter.onPeerDown?.(peerId, reason));
        this.updateCommState();
        this.hooks.onChange();
      },
    });
    link.setEvents({
      onData: (chunk, t) => {
        try {
          adapter.onData(chunk, t);
        } catch (e) {
          // A codec must never throw; if one does, the engine survives and says so.
          this.linkError = `internal error decoding data from ${link.label}: ${(e as Error).message}`;
        }
        this.updateCommState();
      },
      onState: (state, reason) => {
        this.linkError = reason;
        if (state === 'Connected') adapter.onLinkUp();
        else adapter.onLinkDown();
        this.pushConsole('info', `${link.label}: ${state}${reason ? ` (${reason})` : ''}`, Date.now() / 1000);
        this.updateCommState();
        this.hooks.onChange();
      },
    });
    link.open();
    this.updateCommState();
    this.hooks.onChange();
  }

  async disconnect(): Promise<void> {
    if (!this.wanted) return;
    this.wanted = false;
    const link = this.link;
    const adapter = this.adapter;
    if (link) {
      this.base.rxBytes += link.counters.rxBytes;
      this.base.txBytes += link.counters.txBytes;
    }
    if (adapter) {
      const c = adapter.counters;
      this.base.rxMessages += c.rxMessages;
      this.base.txMessages += c.txMessages;
      this.base.frameErrors += c.frameErrors;
      this.base.resyncs += c.resyncs;
    }
    this.base.refusedConnections += refusedBy(link, adapter) ?? 0;
    this.link = null;
    this.adapter = null;
    adapter?.dispose();
    link?.setEvents({});
    link?.setPeerEvents?.({});
    link?.onSocketChange?.(null);
    await link?.close();
    this.linkError = null;
    this.updateCommState();
    this.hooks.onChange();
  }

  /** Replaces the link; reconnects if the session was connected. */
  async configureLink(spec: LinkSpec): Promise<void> {
    const wasWanted = this.wanted;
    await this.disconnect();
    this.keptPort = null;
    this.linkSpec = spec;
    if (wasWanted || this.autoConnect) this.connect();
    this.hooks.onChange();
  }

  async setOptions(options: Record<string, unknown>): Promise<void> {
    // An adapter that can take new options keeps its link: a device that printed its header long ago is not lost.
    if (this.adapter?.applyOptions) {
      this.adapter.applyOptions(this.protocol.optionsSchema.parse(options));
      this.options = options;
      this.optionsRevision++;
      this.updateCommState();
      this.hooks.onChange();
      return;
    }
    const wasWanted = this.wanted;
    this.keptPort = (this.link as { boundPort?: number | null } | null)?.boundPort ?? this.keptPort;
    await this.disconnect();
    this.options = options;
    this.optionsRevision++;
    if (wasWanted) this.connect();
  }

  sendText(text: string): boolean {
    if (!this.adapter) return false;
    const ok = this.adapter.sendText(text);
    if (ok) this.pushConsole('tx', text.replace(/\r?\n$/, ''), Date.now() / 1000);
    return ok;
  }

  deviceInfo(): DeviceInfo | null {
    return this.adapter?.deviceInfo(this.deviceSessionId) ?? null;
  }

  /** The link of a connected session (the CAN monitor taps it); null when not connected. */
  get activeLink(): Link | null {
    return this.link;
  }

  /** The adapter of a connected session, for protocol actions; null when not connected. */
  get activeAdapter(): ProtocolAdapter | null {
    return this.adapter;
  }

  /** Once a second: rates from the change in totals. */
  tick(nowMs: number): void {
    const totals = this.totals();
    if (this.lastTotals && nowMs > this.lastTick) {
      const dt = (nowMs - this.lastTick) / 1000;
      this.rates.rxBytes = (totals.rxBytes - this.lastTotals.rxBytes) / dt;
      this.rates.txBytes = (totals.txBytes - this.lastTotals.txBytes) / dt;
      this.rates.rxMessages = (totals.rxMessages - this.lastTotals.rxMessages) / dt;
      this.rates.txMessages = (totals.txMessages - this.lastTotals.txMessages) / dt;
    }
    this.lastTotals = totals;
    this.lastTick = nowMs;
    this.updateCommState();
  }

  counters(): SessionCounters {
    const t = this.totals();
    const c = this.adapter?.counters;
    return {
      ...t,
      frameErrors: this.base.frameErrors + (c?.frameErrors ?? 0),
      resyncs: this.base.resyncs + (c?.resyncs ?? 0),
      droppedSamples: this.droppedSamples,
      rxBytesPerSec: this.rates.rxBytes,
      txBytesPerSec: this.rates.txBytes,
      rxMessagesPerSec: this.rates.rxMessages,
      txMessagesPerSec: this.rates.txMessages,
      ...this.refusals(),
      ...ignoredBytes(this.link),
    };
  }

  /** Present once the link or the protocol can refuse a peer (a listening link, DCSS refusing a DHS). */
  private refusals(): Pick<SessionCounters, 'refusedConnections'> {
    const now = refusedBy(this.link, this.adapter);
    if (now === null && this.base.refusedConnections === 0) return {};
    return { refusedConnections: this.base.refusedConnections + (now ?? 0) };
  }

  status(): SessionStatus {
    const link = this.link;
    const boundPort = (link as { boundPort?: number | null } | null)?.boundPort;
    return {
      sessionId: this.id,
      name: this.name,
      protocol: this.protocol.name,
      deviceCommState: this.commState,
      deviceSessionId: this.deviceSessionId,
      datalogging: this.adapter?.datalogging?.() ?? { state: 'NA', completionRatio: null },
      sfdFirmwareId: this.adapter?.sfdFirmwareId?.() ?? null,
      deviceLink: {
        type: this.linkSpec.type,
        config: this.linkSpec.config,
        operational: link?.state === 'Connected',
        demoMode: this.demo,
        endpoint: link?.endpoint?.() ?? (boundPort ? `${describeLink(this.linkSpec).replace(/:\d+$/, '')}:${boundPort}` : describeLink(this.linkSpec)),
        lastError: this.wanted ? this.linkError : 'not connected (press Connect)',
        ...(link?.socketsState ? { sockets: link.socketsState() } : {}),
      },
      counters: this.counters(),
      lastProtocolError: this.adapter?.lastError ?? null,
      waitingFor: this.commState === 'Connecting' && link?.state === 'Connected' ? (this.adapter?.waitingFor ?? null) : null,
      optionsRevision: this.optionsRevision,
    };
  }

  summary(): SessionSummary {
    return { sessionId: this.id, name: this.name, protocol: this.protocol.name, link: this.linkSpec, options: this.options };
  }

  /** Marks still held, oldest first. */
  marks(limit: number): Mark[] {
    return this.marksKept.slice(-limit);
  }

  /** Marks numbered from `cursor` on that are still held; `next` is the cursor to pass next time. */
  marksSince(cursor: number): { marks: Mark[]; next: number } {
    const n = Math.min(Math.max(0, this.marksTotal - cursor), this.marksKept.length);
    return { marks: n ? this.marksKept.slice(-n) : [], next: this.marksTotal };
  }

  /** Marks raised since the last call (at most MARKS_PER_FLUSH plus a summary of the rest). */
  takeMarks(): Mark[] {
    if (!this.marksPending.length && !this.marksSkipped) return [];
    const out = this.marksPending;
    if (this.marksSkipped) {
      out.push({ sessionId: this.id, t: out.length ? out[out.length - 1]!.t : Date.now() / 1000, label: `${this.marksSkipped} more marks not shown`, severity: 'info', signal: null });
    }
    this.marksPending = [];
    this.marksSkipped = 0;
    return out;
  }

  private pushMark(m: { t: number; label: string; severity?: Mark['severity']; signal?: string }): void {
    if (!Number.isFinite(m.t)) return;
    const mark: Mark = { sessionId: this.id, t: m.t, label: String(m.label).slice(0, 200), severity: m.severity ?? 'info', signal: m.signal ?? null };
    this.marksKept.push(mark);
    this.marksTotal++;
    if (this.marksKept.length > MARKS_KEEP * 2) this.marksKept = this.marksKept.slice(-MARKS_KEEP);
    if (this.marksPending.length < MARKS_PER_FLUSH) this.marksPending.push(mark);
    else this.marksSkipped++;
    this.hooks.onMarks?.();
  }

  consoleHistory(limit: number): ConsoleLine[] {
    return this.consoleLines.slice(-limit);
  }

  /** Console lines numbered from `cursor` still held, and how many before them were lost. */
  consoleSince(cursor: number): { lines: ConsoleLine[]; next: number; lost: number } {
    const first = this.consoleTotal - this.consoleLines.length;
    const from = Math.max(cursor, first);
    return { lines: this.consoleLines.slice(from - first), next: this.consoleTotal, lost: from - cursor };
  }

  /** Console lines since the last call (at most CONSOLE_PER_FLUSH, plus a note of how many were skipped). */
  takeConsole(): ConsoleLine[] {
    if (!this.consolePending.length && !this.consoleSkipped) return [];
    const out = this.consolePending;
    if (this.consoleSkipped) {
      out.push({ sessionId: this.id, dir: 'info', t: Date.now() / 1000, text: `${this.consoleSkipped} lines not shown (more than ${CONSOLE_PER_FLUSH * 10} lines/s)` });
    }
    this.consolePending = [];
    this.consoleSkipped = 0;
    return out;
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    this.store.removeSession(this.id);
  }

  private totals(): Totals {
    const l = this.link?.counters;
    const c = this.adapter?.counters;
    return {
      rxBytes: this.base.rxBytes + (l?.rxBytes ?? 0),
      txBytes: this.base.txBytes + (l?.txBytes ?? 0),
      rxMessages: this.base.rxMessages + (c?.rxMessages ?? 0),
      txMessages: this.base.txMessages + (c?.txMessages ?? 0),
    };
  }

  /** A codec must never throw; if one does, the engine survives and says so. */
  private guard(label: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.linkError = `internal error decoding data from ${label}: ${(e as Error).message}`;
    }
  }

  private updateCommState(): void {
    let next: DeviceCommState = 'Disconnected';
    if (this.link && this.link.state !== 'Disconnected') {
      next = this.link.state === 'Connected' && this.adapter?.ready ? 'ConnectedReady' : 'Connecting';
    }
    if (next === this.commState) return;
    this.commState = next;
    if (next === 'ConnectedReady') {
      this.deviceSessionId = randomUUID();
      this.hooks.onDeviceConnected();
    } else {
      this.deviceSessionId = null;
    }
    this.hooks.onChange();
  }

  private pushConsole(dir: ConsoleLine['dir'], text: string, t: number): void {
    const line: ConsoleLine = { sessionId: this.id, dir, t, text };
    this.consoleLines.push(line);
    this.consoleTotal++;
    if (this.consoleLines.length > CONSOLE_KEEP * 2) this.consoleLines = this.consoleLines.slice(-CONSOLE_KEEP);
    if (this.consoleWatchers === 0) return;
    if (this.consolePending.length < CONSOLE_PER_FLUSH) this.consolePending.push(line);
    else this.consoleSkipped++;
  }
}

/** Connections refused by the link (a second device on a one-peer port) and by the protocol; null if neither refuses. */
function refusedBy(link: Link | null, adapter: ProtocolAdapter | null): number | null {
  const byLink = (link as { refusedConnections?: unknown } | null)?.refusedConnections;
  const byProtocol = adapter?.counters.refusedConnections;
  if (typeof byLink !== 'number' && byProtocol === undefined) return null;
  return (typeof byLink === 'number' ? byLink : 0) + (byProtocol ?? 0);
}

/** Bytes a link received where none are expected (the legacy command socket), when it counts them. */
function ignoredBytes(link: Link | null): Pick<SessionCounters, 'ignoredRxBytes'> {
  const n = (link as { ignoredRxBytes?: unknown } | null)?.ignoredRxBytes;
  return typeof n === 'number' ? { ignoredRxBytes: n } : {};
}

/** A TCP server asked for port 0 listens again on the port it got (other links and fixed ports are as configured). */
function withKeptPort(spec: LinkSpec, port: number | null): LinkSpec {
  if (port === null || spec.type !== 'tcp-server' || spec.config.port !== 0) return spec;
  return { ...spec, config: { ...spec.config, port } };
}
