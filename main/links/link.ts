// The one interface every transport implements. A link owns its socket or port,
// reconnects by itself with a bounded backoff, stamps every received chunk with
// the time it arrived, and says in words why it is not connected.

export type LinkState = 'Disconnected' | 'Connecting' | 'Connected';

export interface LinkCounters {
  rxBytes: number;
  txBytes: number;
  /** Chunks received (datagrams for UDP, reads for streams). */
  rxChunks: number;
  /** Writes handed to the transport. */
  txChunks: number;
  /** Successful connections since the link was created. */
  connects: number;
}

export interface LinkEvents {
  /** Bytes as received; `t` is the receive time in seconds since the Unix epoch. */
  onData?: (chunk: Uint8Array, t: number) => void;
  /** Every state change, with the reason when it is not Connected. */
  onState?: (state: LinkState, reason: string | null) => void;
}

/** One socket of a link of several (the legacy hexapod server's telemetry and command sockets). */
export interface LinkSocketState {
  name: string;
  connected: boolean;
  port: number | null;
  /** "host:port" of the connected peer. */
  peer?: string | null;
  rxBytes?: number;
  /** Connections refused because the socket already had its peer. */
  refusedConnections?: number;
}

/** One of several peers of a multi-peer link (a TCP server several devices connect to). */
export interface LinkPeer {
  /** Unique for the life of the link. */
  id: number;
  address: string;
  /** e.g. "127.0.0.1:50312" */
  label: string;
}

/** Per-peer events of a multi-peer link; its link-wide onData is not used then. */
export interface PeerEvents {
  onPeerUp?: (peer: LinkPeer) => void;
  onPeerData?: (peerId: number, chunk: Uint8Array, t: number) => void;
  onPeerDown?: (peerId: number, reason: string) => void;
}

export interface Link {
  /** Human-readable name of the endpoint, e.g. "tcp 127.0.0.1:5000" or "serial /dev/ttyUSB0". */
  readonly label: string;
  readonly state: LinkState;
  /** Why the link is not connected (null while connected or never tried). */
  readonly lastError: string | null;
  readonly counters: LinkCounters;
  /** For datagram links the protocol may need to greet the peer. */
  readonly kind: 'stream' | 'datagram';
  /** Starts connecting (or listening) and keeps reconnecting until close(). */
  open(): void;
  /** Stops for good: no more reconnects; resolves once the socket/port is released. */
  close(): Promise<void>;
  /** Returns false when not connected (the bytes are not sent). */
  write(bytes: Uint8Array): boolean;
  setEvents(events: LinkEvents): void;
  /** Links that accept their peer (a TCP server) say who it is: address and "host:port". */
  peer?(): { address: string; label: string } | null;
  /** Lets the current peer go (the link keeps listening for the next one). */
  dropPeer?(): void;
  /**
   * Drops the connection now (a failed liveness check) and reconnects by itself
   * with the usual backoff; `reason` is the link's error meanwhile.
   */
  restart?(reason: string): void;
  /**
   * Multi-peer links only: per-peer events, writes and drops. Such a link is
   * Connected while it listens; its peers come and go.
   */
  setPeerEvents?(events: PeerEvents): void;
  /** Where the link actually listens or connects, once known (ports the system chose, say). */
  endpoint?(): string | null;
  /** Links of several sockets (the legacy hexapod server): each one's state, and a listener for changes. */
  socketsState?(): LinkSocketState[];
  onSocketChange?(listener: ((change: { name: string; connected: boolean } | null) => void) | null): void;
  writeTo?(peerId: number, bytes: Uint8Array): boolean;
  dropPeerById?(peerId: number): void;
}

/** Receive time in seconds since the epoch, with sub-millisecond resolution. */
export function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}
