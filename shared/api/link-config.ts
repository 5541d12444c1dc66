// Link configurations, as the Scrutiny SDK names them (DeviceLinkType and its
// *LinkConfig structures), plus Benchscope's TCP server. One schema serves the
// hub (validation of every request), the forms (inline errors) and the SDK.
import { z } from 'zod';

export const LINK_TYPES = ['none', 'udp', 'tcp', 'tcp-server', 'serial', 'rtt', 'can'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export const LINK_TYPE_LABELS: Record<LinkType, string> = {
  none: 'None',
  udp: 'UDP',
  tcp: 'TCP client',
  'tcp-server': 'TCP server (listen)',
  serial: 'Serial',
  rtt: 'RTT (J-Link)',
  can: 'CAN',
};

const host = z.string().trim().min(1, 'Host is required').max(253, 'Host name is too long');
const port = z.number({ error: 'Port must be a number' }).int('Port must be a whole number')
  .min(1, 'Port must be 1 to 65535').max(65535, 'Port must be 1 to 65535');

export const NoneLinkConfig = z.object({}).strict();
export const UdpLinkConfig = z.object({ host, port }).strict();
export const TcpLinkConfig = z.object({ host, port }).strict();
export const TcpServerLinkConfig = z.object({
  host: host.default('127.0.0.1'),
  /** 0 lets the system choose a free port (reported in the status). */
  port: z.number({ error: 'Port must be a number' }).int().min(0, 'Port must be 0 to 65535').max(65535, 'Port must be 0 to 65535'),
}).strict();

export const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1000000, 2000000] as const;
export const PARITIES = ['none', 'even', 'odd', 'mark', 'space'] as const;
export const STOP_BITS = ['1', '1.5', '2'] as const;
export const DATA_BITS = [5, 6, 7, 8] as const;

export const SerialLinkConfig = z.object({
  portname: z.string().trim().min(1, 'Choose a serial port'),
  baudrate: z.number({ error: 'Baud rate must be a number' }).int('Baud rate must be a whole number')
    .min(1, 'Baud rate must be at least 1').max(20_000_000, 'Baud rate is too high'),
  databits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)], { error: 'Data bits must be 5, 6, 7 or 8' }).default(8),
  parity: z.enum(PARITIES, { error: 'Parity must be none, even, odd, mark or space' }).default('none'),
  stopbits: z.enum(STOP_BITS, { error: 'Stop bits must be 1, 1.5 or 2' }).default('1'),
  start_delay: z.number({ error: 'Start delay must be a number' }).min(0, 'Start delay cannot be negative')
    .max(60, 'Start delay is at most 60 s').default(0),
}).strict();

export const JLINK_INTERFACES = ['jtag', 'swd', 'fine', 'icsp', 'spi', 'c2'] as const;
export const RttLinkConfig = z.object({
  target_device: z.string().trim().min(1, 'Target device is required (the chip name J-Link knows)'),
  jlink_interface: z.enum(JLINK_INTERFACES, { error: 'Choose a J-Link interface' }),
}).strict();

export const CAN_INTERFACES = ['socketcan', 'vector', 'kvaser', 'pcan', 'etas'] as const;
export type CanInterface = (typeof CAN_INTERFACES)[number];
const bitrate = z.number({ error: 'Bitrate must be a number' }).int().min(0, 'Bitrate cannot be negative');
export const CanSubconfigs = {
  socketcan: z.object({ channel: z.string().trim().min(1, 'Channel is required (e.g. can0)') }).strict(),
  vector: z.object({
    channel: z.union([z.string().trim().min(1, 'Channel is required'), z.number().int().min(0)]),
    bitrate, data_bitrate: bitrate,
  }).strict(),
  kvaser: z.object({
    channel: z.number({ error: 'Channel must be a number' }).int().min(0, 'Channel cannot be negative'),
    bitrate, data_bitrate: bitrate, fd_non_iso: z.boolean(),
  }).strict(),
  pcan: z.object({ channel: z.string().trim().min(1, 'Channel is required (e.g. PCAN_USBBUS1)'), bitrate }).strict(),
  etas: z.object({ channel: z.string().trim().min(1, 'Channel is required'), bitrate, data_bitrate: bitrate }).strict(),
} as const;

const canId = z.number({ error: 'CAN id must be a number' }).int('CAN id must be a whole number').min(0, 'CAN id cannot be negative');
const canCommon = {
  txid: canId,
  rxid: canId,
  extended_id: z.boolean(),
  fd: z.boolean(),
  bitrate_switch: z.boolean(),
};
export const CanLinkConfig = z.discriminatedUnion('interface', [
  z.object({ interface: z.literal('socketcan'), ...canCommon, subconfig: CanSubconfigs.socketcan }).strict(),
  z.object({ interface: z.literal('vector'), ...canCommon, subconfig: CanSubconfigs.vector }).strict(),
  z.object({ interface: z.literal('kvaser'), ...canCommon, subconfig: CanSubconfigs.kvaser }).strict(),
  z.object({ interface: z.literal('pcan'), ...canCommon, subconfig: CanSubconfigs.pcan }).strict(),
  z.object({ interface: z.literal('etas'), ...canCommon, subconfig: CanSubconfigs.etas }).strict(),
]).superRefine((c, ctx) => {
  const max = c.extended_id ? 0x1fffffff : 0x7ff;
  const what = c.extended_id ? 'extended (29-bit) ids go up to 0x1FFFFFFF' : 'standard (11-bit) ids go up to 0x7FF';
  if (c.txid > max) ctx.addIssue({ code: 'custom', path: ['txid'], message: `TX id too large: ${what}` });
  if (c.rxid > max) ctx.addIssue({ code: 'custom', path: ['rxid'], message: `RX id too large: ${what}` });
  if (c.bitrate_switch && !c.fd) ctx.addIssue({ code: 'custom', path: ['bitrate_switch'], message: 'Bitrate switch needs CAN FD' });
});

export const LinkConfigSchemas = {
  none: NoneLinkConfig,
  udp: UdpLinkConfig,
  tcp: TcpLinkConfig,
  'tcp-server': TcpServerLinkConfig,
  serial: SerialLinkConfig,
  rtt: RttLinkConfig,
  can: CanLinkConfig,
} as const;

export const LinkSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none'), config: NoneLinkConfig }),
  z.object({ type: z.literal('udp'), config: UdpLinkConfig }),
  z.object({ type: z.literal('tcp'), config: TcpLinkConfig }),
  z.object({ type: z.literal('tcp-server'), config: TcpServerLinkConfig }),
  z.object({ type: z.literal('serial'), config: SerialLinkConfig }),
  z.object({ type: z.literal('rtt'), config: RttLinkConfig }),
  z.object({ type: z.literal('can'), config: CanLinkConfig }),
]);
export type LinkSpec = z.infer<typeof LinkSpec>;
export type LinkConfigOf<T extends LinkType> = Extract<LinkSpec, { type: T }>['config'];

/** Defaults a form starts from when the user picks a link type. */
export const LINK_DEFAULTS: { [T in LinkType]: LinkConfigOf<T> } = {
  none: {},
  udp: { host: '127.0.0.1', port: 8765 },
  tcp: { host: '127.0.0.1', port: 8765 },
  'tcp-server': { host: '127.0.0.1', port: 0 },
  serial: { portname: '', baudrate: 115200, databits: 8, parity: 'none', stopbits: '1', start_delay: 0 },
  rtt: { target_device: '', jlink_interface: 'swd' },
  can: { interface: 'socketcan', txid: 0x100, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, subconfig: { channel: 'can0' } },
};

export const CAN_SUBCONFIG_DEFAULTS: { [I in CanInterface]: z.infer<(typeof CanSubconfigs)[I]> } = {
  socketcan: { channel: 'can0' },
  vector: { channel: 0, bitrate: 500000, data_bitrate: 2000000 },
  kvaser: { channel: 0, bitrate: 500000, data_bitrate: 2000000, fd_non_iso: false },
  pcan: { channel: 'PCAN_USBBUS1', bitrate: 500000 },
  etas: { channel: 'ETAS://USB/...', bitrate: 500000, data_bitrate: 2000000 },
};

/** One line naming a link for logs and errors, e.g. "tcp 127.0.0.1:5000". */
export function describeLink(spec: LinkSpec): string {
  switch (spec.type) {
    case 'none': return 'no link';
    case 'udp': return `udp ${spec.config.host}:${spec.config.port}`;
    case 'tcp': return `tcp ${spec.config.host}:${spec.config.port}`;
    case 'tcp-server': return `tcp server ${spec.config.host}:${spec.config.port}`;
    case 'serial': return `serial ${spec.config.portname} @ ${spec.config.baudrate}`;
    case 'rtt': return `rtt ${spec.config.target_device} (${spec.config.jlink_interface})`;
    case 'can': return `can ${spec.config.interface} tx 0x${spec.config.txid.toString(16)} rx 0x${spec.config.rxid.toString(16)}`;
  }
}
