// Builds the link a LinkSpec asks for, or says clearly why Benchscope cannot serve it.
import { LegacyServerLink } from './hexrot-legacy-server';
import type { LinkConfigOf, LinkSpec } from '../../shared/api/link-config';
import type { Link, LinkCounters } from './link';
import type { LinkOptions } from './link-base';
import { canRefusal, createCanLink } from './can/can-factory';
import { SerialLink } from './serial';
import { TcpClientLink } from './tcp-client';
import { TcpServerLink } from './tcp-server';
import { UdpLink } from './udp';

/** Thrown by createLink for a configuration this build or platform cannot serve. */
export class LinkUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'LinkUnavailableError';
  }
}

const NOT_YET = {
  rtt: 'RTT links are not available yet in Benchscope (J-Link support is planned)',
} as const;

// The Linux and macOS serial drivers (termios) know neither: opening would fail on every retry.
function serialRefusal(config: LinkConfigOf<'serial'>, platform: NodeJS.Platform): string | null {
  if (platform === 'win32') return null;
  if (config.stopbits === '1.5') return '1.5 stop bits are only supported on Windows; use 1 or 2';
  if (config.parity === 'mark' || config.parity === 'space') {
    return `${config.parity} parity is only supported on Windows; use none, even or odd`;
  }
  return null;
}

/** Why `spec` cannot be served on `platform`, or null when createLink will accept it. */
export function refuseReason(spec: LinkSpec, platform: NodeJS.Platform = process.platform): string | null {
  switch (spec.type) {
    case 'rtt':
      return NOT_YET[spec.type];
    case 'can':
      return canRefusal(spec.config, platform);
    case 'serial':
      return serialRefusal(spec.config, platform);
    default:
      return null;
  }
}

/** The link of type "none": nothing to connect to, and it says so. */
class NoLink implements Link {
  readonly label = 'no link';
  readonly kind = 'stream' as const;
  readonly state = 'Disconnected' as const;
  readonly lastError = 'no link configured';
  readonly counters: LinkCounters = { rxBytes: 0, txBytes: 0, rxChunks: 0, txChunks: 0, connects: 0 };
  open(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
  write(): boolean {
    return false;
  }
  setEvents(): void {}
}

/** A new, unopened link for `spec`; throws LinkUnavailableError when refuseReason(spec) is not null. */
export function createLink(spec: LinkSpec, options?: LinkOptions & { multiPeer?: boolean }): Link {
  switch (spec.type) {
    case 'none': return new NoLink();
    case 'udp': return new UdpLink(spec.config, options);
    case 'tcp': return new TcpClientLink(spec.config, options);
    case 'tcp-server': return new TcpServerLink(spec.config, options);
    case 'hexrot-legacy-server': return new LegacyServerLink(spec.config);
    case 'serial': {
      const refused = serialRefusal(spec.config, process.platform);
      if (refused) throw new LinkUnavailableError(refused);
      return new SerialLink(spec.config, options);
    }
    case 'rtt':
      throw new LinkUnavailableError(NOT_YET[spec.type]);
    case 'can': {
      const refused = canRefusal(spec.config, process.platform);
      if (refused) throw new LinkUnavailableError(refused);
      return createCanLink(spec.config, options);
    }
  }
}
