// The legacy generation's two-port server (the seed's CommandTelemetryServer):
// Benchscope listens on telemetry port P and command port P + 1 (P = 0 lets the
// system pick a free port for each, both reported); the controller connects to
// both. Config and telemetry arrive on the first, commands leave on the second.
// It is a Link: connected only while both sockets are; data is what the
// telemetry socket receives; write() goes to the command socket.
//
// As in the seed: one controller per port (a second connection is closed at
// once and counted), 10 s for the controller to connect (after that the link
// says which socket is missing, and keeps waiting), 5 s at most to close.
import net from 'node:net';
import { nowSeconds, type Link, type LinkCounters, type LinkEvents, type LinkSocketState, type LinkState } from './link';

export const LEGACY_CONNECT_TIMEOUT_S = 10;
export const LEGACY_CLOSE_TIMEOUT_S = 5;
const LISTEN_RETRY_MS = 2000;

export type LegacySocket = 'telemetry' | 'command';

export interface LegacyServerConfig {
  host: string;
  /** Telemetry port; the command port is port + 1. 0 picks free ports for both. */
  port: number;
}

export interface LegacySocketsState {
  telemetryConnected: boolean;
  commandConnected: boolean;
  /** Ports listened on (null until listening). */
  telemetryPort: number | null;
  commandPort: number | null;
}

export interface LegacyServerOptions {
  connectTimeoutS?: number;
  /** Every connect or disconnect of either socket, and when the ports are known. */
  onSockets?: (state: LegacySocketsState, change: { socket: LegacySocket; connected: boolean } | null) => void;
}

interface PortSide {
  name: LegacySocket;
  server: net.Server | null;
  peer: net.Socket | null;
  /** The peer's address as it was when it connected. */
  peerLabel: string | null;
  port: number | null;
  /** Second controllers refused on this port. */
  refused: number;
  /** Bytes received on this socket; on the command socket nothing is expected. */
  rxBytes: number;
}

/** "127.0.0.1:50312", read while connected: a closed socket no longer knows its peer. */
function peerName(s: net.Socket): string {
  return s.remoteAddress ? `${s.remoteFamily === 'IPv6' ? `[${s.remoteAddress}]` : s.remoteAddress}:${s.remotePort}` : 'unknown peer';
}

export class LegacyServerLink implements Link {
  readonly kind = 'stream' as const;
  readonly label: string;
  readonly counters: LinkCounters = { rxBytes: 0, txBytes: 0, rxChunks: 0, txChunks: 0, connects: 0 };
  /** Second controllers refused, both ports. */
  refusedConnections = 0;
  /** Bytes the controller sent on the command socket, where nothing is expected (not in rxBytes: not decoded). */
  ignoredRxBytes = 0;
  private current: LinkState = 'Disconnected';
  private reason: string | null = null;
  private events: LinkEvents = {};
  private readonly telemetry: PortSide = { name: 'telemetry', server: null, peer: null, peerLabel: null, port: null, refused: 0, rxBytes: 0 };
  private readonly command: PortSide = { name: 'command', server: null, peer: null, peerLabel: null, port: null, refused: 0, rxBytes: 0 };
  private opened = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly config: LegacyServerConfig, private readonly options: LegacyServerOptions = {}) {
    if (config.port !== 0 && (config.port < 1 || config.port > 65534)) {
      throw new RangeError(`legacy hexrot server: the telemetry port must be 0 (free ports) or 1 to 65534 (the command port is one more), got ${config.port}`);
    }
    this.label = config.port === 0
      ? `hexrot legacy server ${config.host} (free ports)`
      : `hexrot legacy server ${config.host}:${config.port} (telemetry) and :${config.port + 1} (command)`;
  }

  get state(): LinkState {
    return this.current;
  }

  get lastError(): string | null {
    return this.reason;
  }

  get sockets(): LegacySocketsState {
    return {
      telemetryConnected: this.telemetry.peer !== null,
      commandConnected: this.command.peer !== null,
      telemetryPort: this.telemetry.port,
      commandPort: this.command.port,
    };
  }

  /** The telemetry port listened on (the system's choice when configured as 0). */
  get boundPort(): number | null {
    return this.telemetry.port;
  }

  setEvents(events: LinkEvents): void {
    this.events = events;
  }

  private socketListener: ((change: { name: string; connected: boolean } | null) => void) | null = null;

  onSocketChange(listener: ((change: { name: string; connected: boolean } | null) => void) | null): void {
    this.socketListener = listener;
  }

  /** Both ports once listening: "hexrot legacy server 127.0.0.1:P (telemetry) + :P+1 (command)". */
  endpoint(): string | null {
    const s = this.sockets;
    if (s.telemetryPort === null || s.commandPort === null) return null;
    return `hexrot legacy server ${this.config.host}:${s.telemetryPort} (telemetry) + :${s.commandPort} (command)`;
  }

  /** Each socket's state (the link is Connected only when both are), its peer and its own counters. */
  socketsState(): LinkSocketState[] {
    return [this.telemetry, this.command].map((side) => ({
      name: side.name,
      connected: side.peer !== null,
      port: side.port,
      peer: side.peer ? side.peerLabel : null,
      rxBytes: side.rxBytes,
      refusedConnections: side.refused,
    }));
  }

  private notifySockets(change: { socket: LegacySocket; connected: boolean } | null): void {
    this.options.onSockets?.(this.sockets, change);
    try {
      this.socketListener?.(change ? { name: change.socket, connected: change.connected } : null);
    } catch (err) {
      console.error(`${this.label}: socket listener threw`, err);
    }
  }

  open(): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    this.setState('Connecting', 'starting the telemetry and command servers');
    this.listen();
  }

  write(bytes: Uint8Array): boolean {
    const peer = this.command.peer;
    if (!peer) return false;
    peer.write(bytes);
    this.counters.txBytes += bytes.length;
    this.counters.txChunks++;
    return true;
  }

  /** Closes the controller's sockets (it is expected to reconnect), keeping the servers up. */
  dropController(): void {
    this.telemetry.peer?.destroy();
    this.command.peer?.destroy();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      this.clearTimers();
      const release = Promise.all([this.telemetry, this.command].map((side) => new Promise<void>((resolve) => {
        side.peer?.destroy();
        side.peer = null;
        if (!side.server) return resolve();
        side.server.close(() => resolve());
        side.server = null;
      })));
      const limit = new Promise<void>((resolve) => setTimeout(resolve, LEGACY_CLOSE_TIMEOUT_S * 1000).unref());
      this.closing = Promise.race([release, limit]).then(() => {
        this.telemetry.port = null;
        this.command.port = null;
        this.setState('Disconnected', 'link closed');
      });
    }
    return this.closing;
  }

  private listen(): void {
    let pending = 2;
    let failed: string | null = null;
    const done = (): void => {
      if (--pending > 0 || this.closed) return;
      if (failed) {
        for (const side of [this.telemetry, this.command]) { side.server?.close(); side.server = null; side.port = null; }
        this.setState('Connecting', `${failed}; retrying in ${LISTEN_RETRY_MS / 1000} s`);
        this.retryTimer = setTimeout(() => { this.retryTimer = null; this.listen(); }, LISTEN_RETRY_MS);
        return;
      }
      this.notifySockets(null);
      this.armConnectTimer();
      this.update(null);
    };
    const ports: [PortSide, number][] = [[this.telemetry, this.config.port], [this.command, this.config.port === 0 ? 0 : this.config.port + 1]];
    for (const [side, port] of ports) {
      const server = net.createServer((socket) => this.accept(side, socket));
      side.server = server;
      server.once('error', (err) => {
        failed = `cannot listen on ${this.config.host}:${port} for the ${side.name} socket: ${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the port is in use by another program' : err.message}`;
        done();
      });
      server.listen(port, this.config.host, () => {
        side.port = (server.address() as net.AddressInfo).port;
        done();
      });
    }
  }

  private accept(side: PortSide, socket: net.Socket): void {
    socket.on('error', () => {});
    if (side.peer || this.closed) {
      this.refusedConnections++;
      side.refused++;
      socket.destroy();
      return;
    }
    side.peer = socket;
    side.peerLabel = peerName(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      side.rxBytes += chunk.length;
      if (side.name === 'command') {
        this.ignoredRxBytes += chunk.length;
        return;
      }
      this.counters.rxBytes += chunk.length;
      this.counters.rxChunks++;
      this.events.onData?.(chunk, nowSeconds());
    });
    socket.on('close', () => {
      if (side.peer !== socket) return;
      side.peer = null;
      this.notifySockets({ socket: side.name, connected: false });
      if (!this.closed) this.armConnectTimer();
      this.update(`the controller closed the ${side.name} socket (${side.peerLabel})`);
    });
    this.notifySockets({ socket: side.name, connected: true });
    this.update(null);
  }

  private armConnectTimer(): void {
    if (this.connectTimer || this.closed) return;
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (this.current !== 'Connected') this.setState('Connecting', `the controller did not connect within ${this.options.connectTimeoutS ?? LEGACY_CONNECT_TIMEOUT_S} s: ${this.waitingFor()}`);
    }, (this.options.connectTimeoutS ?? LEGACY_CONNECT_TIMEOUT_S) * 1000);
  }

  private waitingFor(): string {
    const t = this.telemetry.peer ? `telemetry port ${this.telemetry.port} connected` : `telemetry port ${this.telemetry.port} waiting`;
    const c = this.command.peer ? `command port ${this.command.port} connected` : `command port ${this.command.port} waiting`;
    return `${t}, ${c}`;
  }

  private update(why: string | null): void {
    if (this.closed) return;
    if (this.telemetry.peer && this.command.peer) {
      if (this.connectTimer) { clearTimeout(this.connectTimer); this.connectTimer = null; }
      if (this.current !== 'Connected') this.counters.connects++;
      this.setState('Connected', null);
      return;
    }
    this.setState('Connecting', `${why ? `${why}; ` : ''}listening on ${this.config.host}: ${this.waitingFor()}`);
  }

  private setState(state: LinkState, reason: string | null): void {
    const changed = state !== this.current || reason !== this.reason;
    const stateChanged = state !== this.current;
    this.current = state;
    this.reason = reason;
    if (changed && (stateChanged || state !== 'Connected')) {
      try {
        this.events.onState?.(state, reason);
      } catch {
        // a listener's failure is not the link's
      }
    }
  }

  private clearTimers(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.connectTimer = null;
    this.retryTimer = null;
  }
}
