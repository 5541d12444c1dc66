// What a link form holds while the user types (text, as typed, for every
// type at once so that switching the type back keeps the values) and its
// conversion to a link configuration, validated by the same schemas the hub
// uses.
import {
  BAUD_RATES, CAN_SUBCONFIG_DEFAULTS, LINK_DEFAULTS, LinkConfigSchemas,
  type CanInterface, type LinkConfigOf, type LinkSpec, type LinkType,
} from '../../../shared/api/link-config';
import { InvalidValueError } from '../../../shared/client/errors';

/** Field path (as in the schema's issues, e.g. "port", "subconfig.channel") to message. */
export type FieldErrors = Record<string, string>;

export interface HostPortDraft { host: string; port: string }

export interface SerialDraft {
  portname: string;
  /** A rate from BAUD_RATES, or "custom" to type one. */
  baudChoice: string;
  customBaud: string;
  databits: string;
  parity: string;
  stopbits: string;
  start_delay: string;
}

export interface CanSubDrafts {
  socketcan: { channel: string };
  vector: { channel: string; bitrate: string; data_bitrate: string };
  kvaser: { channel: string; bitrate: string; data_bitrate: string; fd_non_iso: boolean };
  pcan: { channel: string; bitrate: string };
  etas: { channel: string; bitrate: string; data_bitrate: string };
  slcan: { portname: string; baudrate: string; bitrate: string; data_bitrate: string; timestamps: boolean };
  virtual: { bus: string; bitrate: string };
}

export interface CanDraft {
  interface: CanInterface;
  /** False while the interface is the form's default: it may then move to one this machine can use. */
  interfaceChosen: boolean;
  txid: string;
  rxid: string;
  extended_id: boolean;
  fd: boolean;
  bitrate_switch: boolean;
  sub: CanSubDrafts;
}

export interface LinkDraft {
  type: LinkType;
  udp: HostPortDraft;
  tcp: HostPortDraft;
  'tcp-server': HostPortDraft;
  'hexrot-legacy-server': HostPortDraft;
  serial: SerialDraft;
  rtt: { target_device: string; jlink_interface: string };
  can: CanDraft;
}

export const CUSTOM_BAUD = 'custom';

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const hexId = (v: number): string => `0x${v.toString(16).toUpperCase()}`;

function serialDraft(c: LinkConfigOf<'serial'>): SerialDraft {
  const listed = (BAUD_RATES as readonly number[]).includes(c.baudrate);
  return {
    portname: c.portname,
    baudChoice: listed ? String(c.baudrate) : CUSTOM_BAUD,
    customBaud: listed ? '' : String(c.baudrate),
    databits: String(c.databits),
    parity: c.parity,
    stopbits: c.stopbits,
    start_delay: String(c.start_delay),
  };
}

function canSubDrafts(): CanSubDrafts {
  const d = CAN_SUBCONFIG_DEFAULTS;
  return {
    socketcan: { channel: d.socketcan.channel },
    vector: { channel: text(d.vector.channel), bitrate: text(d.vector.bitrate), data_bitrate: text(d.vector.data_bitrate) },
    kvaser: { channel: text(d.kvaser.channel), bitrate: text(d.kvaser.bitrate), data_bitrate: text(d.kvaser.data_bitrate), fd_non_iso: d.kvaser.fd_non_iso },
    pcan: { channel: d.pcan.channel, bitrate: text(d.pcan.bitrate) },
    etas: { channel: d.etas.channel, bitrate: text(d.etas.bitrate), data_bitrate: text(d.etas.data_bitrate) },
    slcan: { portname: d.slcan.portname, baudrate: text(d.slcan.baudrate), bitrate: text(d.slcan.bitrate), data_bitrate: '', timestamps: d.slcan.timestamps },
    virtual: { bus: d.virtual.bus, bitrate: text(d.virtual.bitrate) },
  };
}

/** A draft starting from a link's configuration (or the defaults), other types at their defaults. */
export function draftFromSpec(spec?: LinkSpec): LinkDraft {
  const d = LINK_DEFAULTS;
  const hostPort = (c: { host?: string; port: number }): HostPortDraft => ({ host: c.host ?? '', port: String(c.port) });
  const can = d.can;
  const draft: LinkDraft = {
    type: spec?.type ?? 'none',
    udp: hostPort(d.udp),
    tcp: hostPort(d.tcp),
    'tcp-server': hostPort(d['tcp-server']),
    'hexrot-legacy-server': hostPort(d['hexrot-legacy-server']),
    serial: serialDraft(d.serial),
    rtt: { ...d.rtt },
    can: {
      interface: can.interface, interfaceChosen: false, txid: hexId(can.txid), rxid: hexId(can.rxid),
      extended_id: can.extended_id, fd: can.fd, bitrate_switch: can.bitrate_switch, sub: canSubDrafts(),
    },
  };
  if (!spec) return draft;
  switch (spec.type) {
    case 'none': break;
    case 'udp': case 'tcp': case 'tcp-server': case 'hexrot-legacy-server': draft[spec.type] = hostPort(spec.config); break;
    case 'serial': draft.serial = serialDraft(spec.config); break;
    case 'rtt': draft.rtt = { ...spec.config }; break;
    case 'can': {
      const c = spec.config;
      const sub = Object.fromEntries(Object.entries(c.subconfig).map(([k, v]) => [k, typeof v === 'boolean' ? v : text(v)]));
      draft.can = {
        interface: c.interface, interfaceChosen: true, txid: hexId(c.txid), rxid: hexId(c.rxid),
        extended_id: c.extended_id, fd: c.fd, bitrate_switch: c.bitrate_switch,
        sub: { ...draft.can.sub, [c.interface]: { ...draft.can.sub[c.interface], ...sub } },
      };
      break;
    }
  }
  return draft;
}

/** A number as typed; anything that is not one becomes NaN, which the schema reports. */
export function parseNumber(s: string): number {
  const t = s.trim();
  return t === '' ? NaN : Number(t);
}

/** A CAN id as typed: hex with 0x (0x123) or decimal (291). */
export function parseCanId(s: string): number {
  const t = s.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return NaN;
}

/** Vector channels are an index (0) or an application channel name. */
function parseVectorChannel(s: string): string | number {
  return /^\s*\d+\s*$/.test(s) ? Number(s) : s;
}

function canSubconfig(iface: CanInterface, sub: CanSubDrafts): Record<string, unknown> {
  switch (iface) {
    case 'socketcan': return { channel: sub.socketcan.channel };
    case 'vector': return { channel: parseVectorChannel(sub.vector.channel), bitrate: parseNumber(sub.vector.bitrate), data_bitrate: parseNumber(sub.vector.data_bitrate) };
    case 'kvaser': return {
      channel: parseNumber(sub.kvaser.channel), bitrate: parseNumber(sub.kvaser.bitrate),
      data_bitrate: parseNumber(sub.kvaser.data_bitrate), fd_non_iso: sub.kvaser.fd_non_iso,
    };
    case 'pcan': return { channel: sub.pcan.channel, bitrate: parseNumber(sub.pcan.bitrate) };
    case 'etas': return { channel: sub.etas.channel, bitrate: parseNumber(sub.etas.bitrate), data_bitrate: parseNumber(sub.etas.data_bitrate) };
    case 'slcan': {
      const d = sub.slcan;
      return {
        portname: d.portname, baudrate: parseNumber(d.baudrate), bitrate: parseNumber(d.bitrate), timestamps: d.timestamps,
        // Empty means classic CAN: no Y command is sent.
        ...(d.data_bitrate.trim() === '' ? {} : { data_bitrate: parseNumber(d.data_bitrate) }),
      };
    }
    case 'virtual': return { bus: sub.virtual.bus, bitrate: parseNumber(sub.virtual.bitrate) };
  }
}

/** The configuration the draft stands for, before validation. */
export function configFromDraft(draft: LinkDraft): Record<string, unknown> {
  switch (draft.type) {
    case 'none': return {};
    case 'udp': case 'tcp': case 'tcp-server': case 'hexrot-legacy-server': {
      const d = draft[draft.type];
      return { host: d.host, port: parseNumber(d.port) };
    }
    case 'serial': {
      const d = draft.serial;
      return {
        portname: d.portname,
        baudrate: parseNumber(d.baudChoice === CUSTOM_BAUD ? d.customBaud : d.baudChoice),
        databits: parseNumber(d.databits),
        parity: d.parity,
        stopbits: d.stopbits,
        start_delay: parseNumber(d.start_delay),
      };
    }
    case 'rtt': return { ...draft.rtt };
    case 'can': {
      const d = draft.can;
      return {
        interface: d.interface, txid: parseCanId(d.txid), rxid: parseCanId(d.rxid),
        extended_id: d.extended_id, fd: d.fd, bitrate_switch: d.bitrate_switch,
        subconfig: canSubconfig(d.interface, d.sub),
      };
    }
  }
}

export type LinkValidation = { ok: true; spec: LinkSpec } | { ok: false; errors: FieldErrors };

export function validateLinkDraft(draft: LinkDraft): LinkValidation {
  const parsed = LinkConfigSchemas[draft.type].safeParse(configFromDraft(draft));
  if (parsed.success) return { ok: true, spec: { type: draft.type, config: parsed.data } as LinkSpec };
  return { ok: false, errors: fieldErrors(parsed.error.issues) };
}

/** The first message per path: the one a user fixes first. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[] | string; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const path = typeof i.path === 'string' ? i.path : i.path.map(String).join('.');
    out[path] ??= i.message;
  }
  return out;
}

/**
 * Splits a hub error into field errors and what no field can show. A root
 * ending in "." takes the paths under it ("linkConfig." takes
 * "linkConfig.port"), any other root its own path only ("name"). Field errors
 * keep their full path; see fieldsUnder.
 */
export function splitHubError(err: unknown, roots: readonly string[]): { fields: FieldErrors; other: string | null } {
  if (err instanceof InvalidValueError && err.issues.length) {
    const fields: FieldErrors = {};
    const rest: string[] = [];
    for (const i of err.issues) {
      if (roots.some((r) => (r.endsWith('.') ? i.path.startsWith(r) : i.path === r))) fields[i.path] ??= i.message;
      else rest.push(i.path ? `${i.path}: ${i.message}` : i.message);
    }
    return { fields, other: rest.length ? rest.join('; ') : null };
  }
  return { fields: {}, other: (err as Error).message };
}

/** The errors under a prefix, with paths relative to it ("linkConfig." makes "linkConfig.port" "port"). */
export function fieldsUnder(fields: FieldErrors, prefix: string): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(fields)) if (path.startsWith(prefix)) out[path.slice(prefix.length)] = message;
  return out;
}

export const CAN_INTERFACE_LABELS: Record<CanInterface, string> = {
  socketcan: 'SocketCAN (Linux)',
  slcan: 'SLCAN adapter (serial)',
  virtual: 'Virtual bus (in the engine)',
  vector: 'Vector XL',
  kvaser: 'Kvaser CANlib',
  pcan: 'PEAK PCAN-Basic',
  etas: 'ETAS BOA',
};
