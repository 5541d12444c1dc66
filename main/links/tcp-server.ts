// TCP server: the device connects to Benchscope (DCS's DHS, the legacy hexapod).
// One device at a time: a second connection would interleave two byte streams
// into one protocol session, so it is closed at once, counted and its reason kept.
import net from 'node:net';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { describeLinkError } from './errors';
import { nowSeconds } from './link';
import { LinkBase, type LinkOptions } from './link-base';

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

  constructor(private readonly config: LinkConfigOf<'tcp-server'>, options?: LinkOptions) {
    super(`tcp server ${config.host}:${config.port}`, options);
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
      this.retry(describeLinkError(err, this.label));
    });
    server.listen(this.config.port, this.config.host, () => {
      if (this.server !== server) return;
      this.port = (server.address() as net.AddressInfo).port;
      this.backoff.reset();
      this.setState('Connecting', this.waitingReason());
    });
  }

  peer(): { address: string; label: string } | null {
    const socket = this.attached;
    return socket?.remoteAddress ? { address: socket.remoteAddress, label: peerName(socket) } : null;
  }

  dropPeer(): void {
    this.attached?.destroy();
  }

  private accept(socket: net.Socket): void {
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
