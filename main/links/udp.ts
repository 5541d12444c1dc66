// UDP: binds an ephemeral local port and exchanges datagrams with the device at
// host:port. UDP has no connection, so the link is Connected once bound; only
// datagrams from the device's address and port are delivered, others are counted.
import dgram from 'node:dgram';
import dns from 'node:dns';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { describeLinkError } from './errors';
import { nowSeconds } from './link';
import { LinkBase, type LinkOptions } from './link-base';

export class UdpLink extends LinkBase {
  readonly kind = 'datagram' as const;
  /** Datagrams dropped because they came from another address or port than the device. */
  ignoredDatagrams = 0;
  /** Sender of the last ignored datagram, e.g. "192.168.1.7:40000". */
  lastIgnoredFrom: string | null = null;
  private socket: dgram.Socket | null = null;
  /** The device's resolved address, which received datagrams are matched against. */
  private peerAddress: string | null = null;

  constructor(private readonly config: LinkConfigOf<'udp'>, options?: LinkOptions) {
    super(`udp ${config.host}:${config.port}`, options);
  }

  /** While Connected, lastError holds the last send or socket error (UDP has nothing to disconnect). */
  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (this.state !== 'Connected' || !socket || !this.peerAddress) return false;
    socket.send(bytes, this.config.port, this.peerAddress, (err) => {
      // ICMP port unreachable or no route: the datagram is lost, the link stays usable.
      if (err && this.socket === socket) this.setReason(describeLinkError(err, this.label));
    });
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
    socket.on('message', (msg, from) => {
      const t = nowSeconds();
      if (this.socket !== socket) return;
      if (from.address !== address || from.port !== this.config.port) {
        this.ignoredDatagrams++;
        this.lastIgnoredFrom = from.family === 'IPv6' ? `[${from.address}]:${from.port}` : `${from.address}:${from.port}`;
        return;
      }
      if (this.lastError) this.setReason(null);
      this.received(msg, t);
    });
    socket.on('error', (err) => {
      if (this.socket !== socket) return;
      const why = describeLinkError(err, this.label);
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
      this.peerAddress = address;
      this.connected();
    });
  }

  protected release(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    this.peerAddress = null;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.close(() => resolve()));
  }
}
