// Serial port link over serialport 13. Reopens with backoff when the port is
// missing, busy, forbidden or unplugged, and honours the Scrutiny "start delay":
// some boards print boot noise or reset on open, so for start_delay seconds after
// opening nothing is sent and whatever arrives is discarded.
import { SerialPort, type SerialPortOpenOptions } from 'serialport';
import type { SerialPortInfo } from '../../shared/api/contract';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { describeLinkError } from './errors';
import { nowSeconds } from './link';
import { LinkBase, type LinkOptions } from './link-base';

/** The part of a serialport binding this link relies on: the OS binding (default) or
 *  SerialPortMock.binding for tests that unplug a port. Written out because serialport's
 *  own binding types (@serialport/bindings-interface) resolve to `any` under ESM. */
export interface SerialBinding {
  open(options: { path: string; baudRate: number }): Promise<unknown>;
}

export interface SerialLinkOptions extends LinkOptions {
  binding?: SerialBinding;
}

const STOP_BITS = { '1': 1, '1.5': 1.5, '2': 2 } as const;

export class SerialLink extends LinkBase {
  readonly kind = 'stream' as const;
  private port: SerialPort | null = null;
  private settling: NodeJS.Timeout | null = null;
  /** Settles when the last open attempt has finished, whatever its outcome. */
  private opening: Promise<void> = Promise.resolve();
  private readonly binding: SerialBinding | undefined;

  constructor(private readonly config: LinkConfigOf<'serial'>, options: SerialLinkOptions = {}) {
    super(`serial ${config.portname}`, options);
    this.binding = options.binding;
  }

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'Connected' || !this.port) return false;
    this.port.write(bytes);
    this.sent(bytes.length);
    return true;
  }

  protected connect(): void {
    const options = {
      path: this.config.portname,
      baudRate: this.config.baudrate,
      dataBits: this.config.databits,
      parity: this.config.parity,
      stopBits: STOP_BITS[this.config.stopbits],
      autoOpen: false,
      // SerialPort's constructor lets options.binding replace the detected one; its type hides it.
      ...(this.binding ? { binding: this.binding } : {}),
    } as SerialPortOpenOptions<typeof SerialPort.binding>;
    let port: SerialPort;
    try {
      port = new SerialPort(options);
    } catch (err) {
      this.retry(describeLinkError(err, this.label));
      return;
    }
    this.port = port;
    let failure: string | null = null;
    port.on('data', (chunk: Buffer) => {
      const t = nowSeconds();
      if (this.port === port && this.state === 'Connected') this.received(chunk, t);
    });
    // A failed write or read comes here first, then as a 'close' carrying the disconnect.
    port.on('error', (err) => {
      failure = describeLinkError(err, this.label);
    });
    port.on('close', (err: Error | null) => {
      if (this.port !== port) return;
      this.port = null;
      this.stopSettling();
      this.retry(err ? describeLinkError(err, this.label) : failure ?? `${this.config.portname} was closed`);
    });
    this.opening = new Promise((resolve) => {
      port.open((err) => {
        resolve();
        if (this.port !== port) return;
        if (err) {
          this.port = null;
          this.retry(describeLinkError(err, this.label));
          return;
        }
        this.settle();
      });
    });
  }

  private settle(): void {
    const delayMs = this.config.start_delay * 1000;
    if (delayMs <= 0) {
      this.connected();
      return;
    }
    this.setState('Connecting', `start delay: ignoring ${this.config.portname} for ${this.config.start_delay} s after opening`);
    this.settling = setTimeout(() => {
      this.settling = null;
      this.connected();
    }, delayMs);
  }

  private stopSettling(): void {
    if (this.settling) clearTimeout(this.settling);
    this.settling = null;
  }

  protected async release(): Promise<void> {
    this.stopSettling();
    const port = this.port;
    this.port = null;
    if (!port) return;
    // An open still in progress would leave the port held: let it finish, then close.
    await this.opening;
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

/** The serial ports the OS knows of. Never throws: a failure gives no ports and the reason. */
export async function listSerialPorts(): Promise<{ ports: SerialPortInfo[]; error: string | null }> {
  try {
    const found: SerialPortInfo[] = await SerialPort.list();
    const ports = found.map((p) => {
      const info: SerialPortInfo = { path: p.path };
      const { manufacturer, serialNumber, vendorId, productId, friendlyName } = p;
      if (manufacturer) info.manufacturer = manufacturer;
      if (serialNumber) info.serialNumber = serialNumber;
      if (vendorId) info.vendorId = vendorId;
      if (productId) info.productId = productId;
      if (friendlyName) info.friendlyName = friendlyName;
      return info;
    });
    return { ports, error: null };
  } catch (err) {
    return { ports: [], error: `cannot list serial ports: ${err instanceof Error ? err.message : String(err)}` };
  }
}
