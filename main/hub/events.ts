// The event flush: what the hub tells its clients without being asked. Changes only
// mark what is stale (status, signal list, marks); about ten times a second flush()
// sends each stale picture once to every client, and the console lines of the
// sessions a client watches. Everything a client is sent is counted here.
import type { EventMessage, ServerStatus, SignalInfo } from '../../shared/api/contract';
import type { RateMeter } from '../../shared/client/rate';
import type { TelemetryBatcher } from '../telemetry/batcher';
import type { ClientDoor } from './doors';
import type { ClientOutbox } from './client-outbox';
import type { DeviceSession } from './device-session';

export interface ClientState {
  door: ClientDoor;
  /** Everything but telemetry goes out through it, bounded for a client that does not read. */
  outbox: ClientOutbox;
  telemetry: ReturnType<TelemetryBatcher['addClient']>;
  /** The session whose console lines the client is sent, if any. */
  consoleSession: DeviceSession | null;
}

/** The hub's traffic and error counts (getServerStats). */
export interface HubCounters {
  invalidRequestCount: number;
  unexpectedErrorCount: number;
  msgReceived: number;
  msgSent: number;
  deviceSessionCount: number;
  toClients: RateMeter;
  fromClients: RateMeter;
  /** Telemetry samples dropped for clients that have left (the total survives them). */
  departedDroppedSamples: number;
}

export interface EventSources {
  status(): ServerStatus;
  signals(): SignalInfo[];
  sessions(): Iterable<DeviceSession>;
  /** A replay is playing: its playhead moves, so the status is stale four times a second. */
  replayPlaying(): boolean;
}

/** How often a playing replay's timeline hears where its playhead is. */
const PLAYHEAD_STATUS_MS = 250;

export class HubEvents {
  readonly clients = new Set<ClientState>();
  private statusDirty = false;
  private lastStatusAt = 0;
  private signalsDirty = false;
  private marksDirty = false;

  constructor(private readonly sources: EventSources, private readonly counters: HubCounters) {}

  statusChanged(): void { this.statusDirty = true; }
  signalsChanged(): void { this.signalsDirty = true; }
  marksWaiting(): void { this.marksDirty = true; }

  flush(): void {
    for (const c of this.clients) c.outbox.drain();
    if (this.sources.replayPlaying() && Date.now() - this.lastStatusAt >= PLAYHEAD_STATUS_MS) this.statusDirty = true;
    if (this.statusDirty) {
      this.lastStatusAt = Date.now();
      this.statusDirty = false;
      this.broadcast({ event: 'status', data: this.sources.status() });
    }
    if (this.signalsDirty) {
      this.signalsDirty = false;
      this.broadcast({ event: 'signals', data: this.sources.signals() });
    }
    if (this.marksDirty) {
      this.marksDirty = false;
      const marks = [...this.sources.sessions()].flatMap((s) => s.takeMarks());
      if (marks.length) this.broadcast({ event: 'marks', data: marks });
    }
    for (const s of this.sources.sessions()) {
      if (s.consoleWatchers === 0) continue;
      const lines = s.takeConsole();
      if (!lines.length) continue;
      for (const c of this.clients) if (c.consoleSession === s) this.sendEvent(c, { event: 'console', data: lines });
    }
  }

  /** The client is sent `session`'s console lines from now on (null: none). */
  watchConsole(client: ClientState, session: DeviceSession | null): void {
    if (client.consoleSession) client.consoleSession.consoleWatchers--;
    client.consoleSession = session;
    if (session) session.consoleWatchers++;
  }

  /** A session is gone: nobody watches its console any more. */
  forget(session: DeviceSession): void {
    for (const c of this.clients) if (c.consoleSession === session) this.watchConsole(c, null);
  }

  broadcast(msg: EventMessage): void {
    const text = JSON.stringify(msg);
    for (const c of this.clients) this.deliver(c, msg, text);
  }

  sendEvent(client: ClientState, msg: EventMessage): void {
    this.deliver(client, msg, JSON.stringify(msg));
  }

  /** A reply or any other text that is not an event. */
  send(client: ClientState, text: string): void {
    this.count(text.length);
    client.outbox.send(text);
  }

  /** A telemetry frame or a message went out (the batcher sends frames itself). */
  count(bytes: number): void {
    this.counters.toClients.add(bytes);
    this.counters.msgSent++;
  }

  private deliver(client: ClientState, msg: EventMessage, text: string): void {
    this.count(text.length);
    client.outbox.event(msg.event, msg.data, text);
  }
}
