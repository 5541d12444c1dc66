// UDP: binds an ephemeral local port and exchanges datagrams with the device at
// host:port. UDP has no connection, so the link is Connected once bound. The socket
// is connected to the device (its address resolved once): each send names no
// address to look up, and the kernel delivers only the device's datagrams.
import dgram from 'node:dgram';
import dns from 'node:dns';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { describeLinkError } from './errors';
import { nowSeconds } from './link';
import { LinkBase, type LinkOptions } from './link-base';

export class UdpLink extends LinkBase {
  readonly kind = 'datagram' as const;
  private socket: dgram.Socket | null = null;
  /** Set once the socket is connected to the device. */
  private ready = false;

  constructor(private readonly config: LinkConfigOf<'udp'>, options?: LinkOptions) {
    super(`udp ${config.host}:${config.port}`, options);
  }

  /** While Connected, lastError holds the last send or socket error (UDP has nothing to disconnect). */
  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (this.state !== 'Connected' || !socket || !this.ready) return false;
    // No callback: a failed send (ICMP port unreachable, no route) is the socket's 'error' event.
    socket.send(bytes);
    this.sent(bytes.length);
    return true;
  }

  protected connect(): void {
    // IPv4 first: "localhost" must reach a device bound to 127.0.0.1, the usual case.
    dns.lookup(this.config.host, { verbatim: false }, (err, address, family) => {
      if (this.closed) return;
      if (err) {
        this.retry(describeLinkError(err, this.label));
        return;
      }
      this.bind(address, family === 6 ? 'udp6' : 'udp4');
    });
  }

  private bind(address: string, type: 'udp4' | 'udp6'): void {
    const socket = dgram.createSocket(type);
    this.socket = socket;
    socket.on('message', (msg) => {
      const t = nowSeconds();
      if (this.socket !== socket) return;
      if (this.lastError) this.setReason(null);
      this.received(msg, t);
    });
    socket.on('error', (err) => {
      if (this.socket !== socket) return;
      const why = describeLinkError(err, this.label);
      // Connected, the datagram is lost and the link stays usable.
      if (this.state === 'Connected') {
        this.setReason(why);
        return;
      }
      this.socket = null;
      socket.close();
      this.retry(why);
    });
    socket.bind(0, () => {
      if (this.socket !== socket) return;
      socket.connect(this.config.port, address, () => {
        if (this.socket !== socket) return;
        this.ready = true;
        this.connected();
      });
    });
  }

  protected release(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
