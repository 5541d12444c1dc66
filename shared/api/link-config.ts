// Link configurations, as the Scrutiny SDK names them (DeviceLinkType and its
// *LinkConfig structures), plus Benchscope's TCP server. One schema serves the
// hub (validation of every request), the forms (inline errors) and the SDK.
import { z } from 'zod';

export const LINK_TYPES = ['none', 'udp', 'tcp', 'tcp-server', 'hexrot-legacy-server', 'serial', 'rtt', 'can'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export const LINK_TYPE_LABELS: Record<LinkType, string> = {
  none: 'None',
  udp: 'UDP',
  tcp: 'TCP client',
  'tcp-server': 'TCP server (listen)',
  'hexrot-legacy-server': 'Two-port server (legacy hexapod)',
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

/** The legacy hexapod/rotator generation: telemetry on `port`, commands on `port` + 1; 0 picks free ports (reported). */
export const HexrotLegacyServerLinkConfig = z.object({
  host: host.default('127.0.0.1'),
  port: z.number({ error: 'Port must be a number' }).int('Port must be a whole number').min(0, 'Port must be 0 to 65534')
    .max(65534, 'Port must be 0 to 65534 (the command port is one more)'),
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

export const CAN_INTERFACES = ['socketcan', 'slcan', 'virtual', 'vector', 'kvaser', 'pcan', 'etas'] as const;
export type CanInterface = (typeof CAN_INTERFACES)[number];
const bitrate = z.number({ error: 'Bitrate must be a number' }).int().min(0, 'Bitrate cannot be negative');
/** SLCAN's S0..S8 bitrates and the CANable 2 firmware's FD data bitrates. */
export const SLCAN_BITRATES = [10_000, 20_000, 50_000, 100_000, 125_000, 250_000, 500_000, 800_000, 1_000_000] as const;
export const SLCAN_DATA_BITRATES = [1_000_000, 2_000_000, 4_000_000, 5_000_000] as const;
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
  /** A USB-CAN adapter speaking SLCAN (Lawicel ASCII) on a serial port. */
  slcan: z.object({
    portname: z.string().trim().min(1, 'Choose the adapter\'s serial port'),
    baudrate: z.number({ error: 'Serial baud rate must be a number' }).int('Serial baud rate must be a whole number')
      .min(1, 'Serial baud rate must be at least 1').max(20_000_000, 'Serial baud rate is too high').default(115200),
    bitrate: z.number({ error: 'Bitrate must be a number' }).refine((b) => (SLCAN_BITRATES as readonly number[]).includes(b),
      { message: `SLCAN bitrates are ${SLCAN_BITRATES.map((b) => b / 1000).join(', ')} kbit/s` }),
    data_bitrate: z.number({ error: 'Data bitrate must be a number' }).refine((b) => (SLCAN_DATA_BITRATES as readonly number[]).includes(b),
      { message: 'SLCAN FD data bitrates are 1, 2, 4 or 5 Mbit/s' }).optional(),
    timestamps: z.boolean().default(false),
  }).strict(),
  /** A bus inside the engine (demo bench, emulators, tests): every link on the same bus name sees the others' frames. */
  virtual: z.object({
    bus: z.string().trim().min(1, 'Bus name is required').max(64, 'Bus name is at most 64 characters'),
    /** Only for the bus load estimate. */
    bitrate: z.number({ error: 'Bitrate must be a number' }).int().min(1, 'Bitrate must be positive').max(10_000_000).default(500000),
  }).strict(),
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
  z.object({ interface: z.literal('slcan'), ...canCommon, subconfig: CanSubconfigs.slcan }).strict(),
  z.object({ interface: z.literal('virtual'), ...canCommon, subconfig: CanSubconfigs.virtual }).strict(),
]).superRefine((c, ctx) => {
  const max = c.extended_id ? 0x1fffffff : 0x7ff;
  const what = c.extended_id ? 'extended (29-bit) ids go up to 0x1FFFFFFF' : 'standard (11-bit) ids go up to 0x7FF';
  if (c.txid > max) ctx.addIssue({ code: 'custom', path: ['txid'], message: `TX id too large: ${what}` });
  if (c.rxid > max) ctx.addIssue({ code: 'custom', path: ['rxid'], message: `RX id too large: ${what}` });
  if (c.bitrate_switch && !c.fd) ctx.addIssue({ code: 'custom', path: ['bitrate_switch'], message: 'Bitrate switch needs CAN FD' });
  if (c.interface === 'slcan' && c.subconfig.data_bitrate !== undefined && !c.fd) {
    ctx.addIssue({ code: 'custom', path: ['subconfig', 'data_bitrate'], message: 'A data bitrate needs CAN FD (leave it empty for classic CAN)' });
  }
});

export const LinkConfigSchemas = {
  none: NoneLinkConfig,
  udp: UdpLinkConfig,
  tcp: TcpLinkConfig,
  'tcp-server': TcpServerLinkConfig,
  'hexrot-legacy-server': HexrotLegacyServerLinkConfig,
  serial: SerialLinkConfig,
  rtt: RttLinkConfig,
  can: CanLinkConfig,
} as const;

export const LinkSpec = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none'), config: NoneLinkConfig }),
  z.object({ type: z.literal('udp'), config: UdpLinkConfig }),
  z.object({ type: z.literal('tcp'), config: TcpLinkConfig }),
  z.object({ type: z.literal('tcp-server'), config: TcpServerLinkConfig }),
  z.object({ type: z.literal('hexrot-legacy-server'), config: HexrotLegacyServerLinkConfig }),
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
  'hexrot-legacy-server': { host: '127.0.0.1', port: 0 },
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
  slcan: { portname: '', baudrate: 115200, bitrate: 500000, timestamps: false },
  virtual: { bus: 'bench', bitrate: 500000 },
};

/** One line naming a link for logs and errors, e.g. "tcp 127.0.0.1:5000". */
export function describeLink(spec: LinkSpec): string {
  switch (spec.type) {
    case 'none': return 'no link';
    case 'udp': return `udp ${spec.config.host}:${spec.config.port}`;
    case 'tcp': return `tcp ${spec.config.host}:${spec.config.port}`;
    case 'tcp-server': return `tcp server ${spec.config.host}:${spec.config.port}`;
    case 'hexrot-legacy-server': return spec.config.port === 0
      ? `hexrot legacy server ${spec.config.host} (free ports)`
      : `hexrot legacy server ${spec.config.host}:${spec.config.port}+${spec.config.port + 1}`;
    case 'serial': return `serial ${spec.config.portname} @ ${spec.config.baudrate}`;
    case 'rtt': return `rtt ${spec.config.target_device} (${spec.config.jlink_interface})`;
    case 'can': return `can ${canChannelOf(spec.config)} tx 0x${spec.config.txid.toString(16)} rx 0x${spec.config.rxid.toString(16)}`;
  }
}

/** The CAN channel a configuration names: "slcan /dev/ttyACM0", "virtual bench", "socketcan can0". */
export function canChannelOf(c: LinkConfigOf<'can'>): string {
  switch (c.interface) {
    case 'slcan': return `slcan ${c.subconfig.portname}`;
    case 'virtual': return `virtual ${c.subconfig.bus}`;
    default: return `${c.interface} ${c.subconfig.channel}`;
  }
}
