// Which CAN interfaces this build can drive, and the CAN link for a configuration.
// SLCAN and the virtual bus always work; SocketCAN when the addon and the interface
// are there; Vector, Kvaser, PCAN and ETAS keep their seed configuration but their
// vendor drivers (vxlapi, CANlib, PCAN-Basic, BOA) have no Node binding here.
import type { LinkConfigOf } from '../../../shared/api/link-config';
import type { LinkOptions } from '../link-base';
import { CanLink } from './can-link';
import { SlcanBackend } from './slcan';
import { SocketcanBackend, socketcanUnavailable } from './socketcan';
import { VirtualCanBackend } from './virtual-bus';

const VENDOR_DRIVERS = {
  vector: 'Vector XL interfaces need the Vector XL driver library (vxlapi), which Benchscope cannot reach: no Node binding for it exists yet',
  kvaser: 'Kvaser interfaces need Kvaser CANlib, which Benchscope cannot reach: no Node binding for it exists yet',
  pcan: 'PEAK PCAN interfaces need the PCAN-Basic library, which Benchscope cannot reach: no Node binding for it exists yet',
  etas: 'ETAS interfaces need the ETAS BOA library, which Benchscope cannot reach: no Node binding for it exists yet',
} as const;

const ALTERNATIVE = ' (on Linux the same adapter often works through SocketCAN; or use an SLCAN adapter)';

/** Why this CAN configuration cannot be served on `platform`, or null. */
export function canRefusal(config: LinkConfigOf<'can'>, platform: NodeJS.Platform): string | null {
  switch (config.interface) {
    case 'slcan':
    case 'virtual':
      return null;
    case 'socketcan':
      return socketcanUnavailable(config.subconfig.channel, { fd: config.fd, platform });
    default:
      return VENDOR_DRIVERS[config.interface] + ALTERNATIVE;
  }
}

/** A new, unopened CAN link (call canRefusal first). */
export function createCanLink(config: LinkConfigOf<'can'>, options?: LinkOptions): CanLink {
  switch (config.interface) {
    case 'slcan': {
      const s = config.subconfig;
      return new CanLink(config, new SlcanBackend({ portname: s.portname, baudrate: s.baudrate, bitrate: s.bitrate, data_bitrate: config.fd ? s.data_bitrate : undefined, timestamps: s.timestamps }), options);
    }
    case 'virtual':
      return new CanLink(config, new VirtualCanBackend(config.subconfig.bus, config.subconfig.bitrate), options);
    case 'socketcan':
      return new CanLink(config, new SocketcanBackend(config.subconfig.channel), options);
    default:
      throw new Error(VENDOR_DRIVERS[config.interface]);
  }
}
