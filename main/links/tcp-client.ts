// TCP client: Benchscope connects to the device's server and reconnects with
// backoff when refused or dropped.
import net from 'node:net';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { describeLinkError } from './errors';
import { nowSeconds } from './link';
import { LinkBase, type LinkOptions } from './link-base';

/** A device that neither accepts nor refuses (SYN dropped) is reported instead of waiting minutes. */
const CONNECT_TIMEOUT_MS = 5000;
/** Lets the OS notice, eventually, a device that vanished without closing (cable pulled, power cut). */
const KEEPALIVE_MS = 5000;

export class TcpClientLink extends LinkBase {
  readonly kind = 'stream' as const;
  private socket: net.Socket | null = null;

  constructor(private readonly config: LinkConfigOf<'tcp'>, options?: LinkOptions) {
    super(`tcp ${config.host}:${config.port}`, options);
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'Connected' || !this.socket) return false;
    this.socket.write(bytes);
    this.sent(bytes.length);
    return true;
  }

  protected connect(): void {
    const socket = net.createConnection({ host: this.config.host, port: this.config.port });
    this.socket = socket;
    let failure: string | null = null;
    socket.setNoDelay(true);
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => {
      socket.destroy(Object.assign(new Error(`connect ETIMEDOUT ${this.label}`), { code: 'ETIMEDOUT' }));
    });
    socket.on('connect', () => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, KEEPALIVE_MS);
      this.connected();
    });
    socket.on('data', (chunk: Buffer) => this.received(chunk, nowSeconds()));
    socket.on('error', (err) => {
      failure = describeLinkError(err, this.label);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.retry(failure ?? `connection closed by the device (${this.config.host}:${this.config.port})`);
    });
  }

  protected release(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
