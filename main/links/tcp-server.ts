// TCP server: the device connects to Benchscope (DCS's DHS, the legacy hexapod).
// One device at a time by default: a second connection would interleave two byte
// streams into one protocol session, so it is closed at once, counted and its
// reason kept. In multi-peer mode (DCSS takes several DHS) every connection is a
// peer of its own, with its own events, and the link is Connected while it listens.
import net from 'node:net';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { describeLinkError } from './errors';
import { nowSeconds, type LinkPeer, type PeerEvents } from './link';
import { LinkBase, type LinkOptions } from './link-base';

export interface TcpServerLinkOptions extends LinkOptions {
  /** Accept several peers at once, each reported by its own events (setPeerEvents). */
  multiPeer?: boolean;
}

function peerName(socket: net.Socket): string {
  const host = socket.remoteFamily === 'IPv6' ? `[${socket.remoteAddress}]` : socket.remoteAddress;
  return `${host}:${socket.remotePort}`;
}

export class TcpServerLink extends LinkBase {
  readonly kind = 'stream' as const;
  /** Connections refused because a device was already attached. */
  refusedConnections = 0;
  /** Why the last connection was refused, naming both peers. */
  lastRefusal: string | null = null;
  private server: net.Server | null = null;
  private attached: net.Socket | null = null;
  private port: number | null = null;
  private readonly multiPeer: boolean;
  private readonly peers = new Map<number, net.Socket>();
  private nextPeerId = 1;
  private peerEvents: PeerEvents = {};

  constructor(private readonly config: LinkConfigOf<'tcp-server'>, options?: TcpServerLinkOptions) {
    super(`tcp server ${config.host}:${config.port}`, options);
    this.multiPeer = options?.multiPeer ?? false;
  }

  setPeerEvents(events: PeerEvents): void {
    this.peerEvents = events;
  }

  /** Peers connected now (multi-peer mode). */
  get peerCount(): number {
    return this.peers.size;
  }

  writeTo(peerId: number, bytes: Uint8Array): boolean {
    const socket = this.peers.get(peerId);
    if (!socket || socket.destroyed) return false;
    socket.write(bytes);
    this.sent(bytes.length);
    return true;
  }

  dropPeerById(peerId: number): void {
    this.peers.get(peerId)?.destroy();
  }

  /** The port actually listened on (the system's choice when configured as 0); null when not listening. */
  get boundPort(): number | null {
    return this.port;
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'Connected' || !this.attached) return false;
    this.attached.write(bytes);
    this.sent(bytes.length);
    return true;
  }

  private get listenName(): string {
    return `${this.config.host}:${this.port ?? this.config.port}`;
  }

  private waitingReason(): string {
    return `listening on ${this.listenName}, waiting for the device to connect`;
  }

  protected connect(): void {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    server.on('error', (err) => {
      if (this.server !== server) return;
      this.server = null;
      this.port = null;
      // Accept errors (EMFILE) arrive while still listening: free the port before retrying.
      server.close();
      this.attached?.destroy();
      this.attached = null;
      for (const p of this.peers.values()) p.destroy();
      this.retry(describeLinkError(err, this.label));
    });
    server.listen(this.config.port, this.config.host, () => {
      if (this.server !== server) return;
      this.port = (server.address() as net.AddressInfo).port;
      this.backoff.reset();
      if (this.multiPeer) this.connected();
      else this.setState('Connecting', this.waitingReason());
    });
  }

  peer(): { address: string; label: string } | null {
    const socket = this.attached;
    return socket?.remoteAddress ? { address: socket.remoteAddress, label: peerName(socket) } : null;
  }

  dropPeer(): void {
    this.attached?.destroy();
  }

  private acceptPeer(socket: net.Socket): void {
    const id = this.nextPeerId++;
    const peer: LinkPeer = { id, address: socket.remoteAddress ?? '', label: peerName(socket) };
    this.peers.set(id, socket);
    let failure: string | null = null;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.counters.rxBytes += chunk.length;
      this.counters.rxChunks++;
      this.safely(() => this.peerEvents.onPeerData?.(id, chunk, nowSeconds()));
    });
    socket.on('error', (err) => {
      failure = describeLinkError(err, `tcp ${peer.label}`);
    });
    socket.on('close', () => {
      if (!this.peers.delete(id)) return;
      this.safely(() => this.peerEvents.onPeerDown?.(id, failure ?? `${peer.label} disconnected`));
    });
    this.counters.connects++;
    this.safely(() => this.peerEvents.onPeerUp?.(peer));
  }

  /** Peer events run in socket callbacks: a handler that throws must not take the socket down. */
  private safely(f: () => void): void {
    try {
      f();
    } catch (err) {
      console.error(`${this.label}: peer handler threw`, err);
    }
  }

  private accept(socket: net.Socket): void {
    if (this.multiPeer) {
      this.acceptPeer(socket);
      return;
    }
    if (this.attached) {
      this.refusedConnections++;
      this.lastRefusal = `refused ${peerName(socket)}: device ${peerName(this.attached)} is already connected`;
      socket.on('error', () => {});
      socket.destroy();
      return;
    }
    this.attached = socket;
    const name = peerName(socket);
    let failure: string | null = null;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk, nowSeconds()));
    socket.on('error', (err) => {
      failure = describeLinkError(err, `tcp ${name}`);
    });
    socket.on('close', () => {
      if (this.attached !== socket) return;
      this.attached = null;
      if (this.closed) return;
      const why = failure ?? `device ${name} disconnected`;
      this.setState('Connecting', `${why}; ${this.waitingReason()}`);
    });
    this.connected();
  }

  protected release(): Promise<void> {
    const server = this.server;
    const peer = this.attached;
    this.server = null;
    this.attached = null;
    this.port = null;
    peer?.destroy();
    // Peers are told they are gone now: their sockets' close events come after the link moved on.
    const gone = [...this.peers.keys()];
    for (const s of this.peers.values()) s.destroy();
    this.peers.clear();
    for (const id of gone) this.safely(() => this.peerEvents.onPeerDown?.(id, 'the link closed'));
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      const shut = () => server.close(() => resolve());
      // A host name is resolved before listening: wait for the outcome, then close.
      if (server.listening) shut();
      else {
        server.once('listening', shut);
        server.once('error', () => resolve());
      }
    });
  }
}
