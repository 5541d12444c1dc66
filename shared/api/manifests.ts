// One manifest per protocol: its names, the link a new session starts from and
// its options schema. The engine registry, the renderer registry, the emulate
// CLI and the demo bench all read these, so a label or a default port is
// written here and nowhere else.
import type { z } from 'zod';
import type { ProtocolName } from './contract';
import { DcsOptionsSchema } from './dcs-config';
import { HexrotOptionsSchema } from './hexrot-options';
import { KatcpOptionsSchema } from './katcp-options';
import { LinesOptionsSchema } from './lines-options';
import type { LinkSpec } from './link-config';
import { ScrutinyOptionsSchema } from './scrutiny-options';

/** A default link always has a host and a port (an emulator listens on it, a session reaches it). */
export type DefaultLink = Extract<LinkSpec, { type: 'tcp' | 'udp' | 'tcp-server' }>;

export interface ProtocolManifest<S extends z.ZodType = z.ZodType> {
  name: ProtocolName;
  /** How messages name the protocol ("KATCP has no action ..."). */
  label: string;
  /** The protocol as the New session dialog lists it. */
  title: string;
  defaultLink: DefaultLink;
  /** Validates a session's options and fills in their defaults (`parse({})` gives the defaults). */
  optionsSchema: S;
}

const LOOPBACK = '127.0.0.1';

export const PROTOCOL_MANIFESTS = {
  lines: {
    name: 'lines',
    label: 'Lines',
    title: 'Text lines (CSV, key=value, JSON)',
    defaultLink: { type: 'tcp', config: { host: LOOPBACK, port: 5760 } },
    optionsSchema: LinesOptionsSchema,
  },
  dcs: {
    name: 'dcs',
    label: 'DCS',
    title: 'DCS: be the DCSS for a hardware server (DHS) under test',
    // pydhsfw's configurations point a DHS at DCSS on 14242.
    defaultLink: { type: 'tcp-server', config: { host: LOOPBACK, port: 14242 } },
    optionsSchema: DcsOptionsSchema,
  },
  katcp: {
    name: 'katcp',
    label: 'KATCP',
    title: 'KATCP device server (telescope subsystems)',
    defaultLink: { type: 'tcp', config: { host: LOOPBACK, port: 7147 } },
    optionsSchema: KatcpOptionsSchema,
  },
  scrutiny: {
    name: 'scrutiny',
    label: 'Scrutiny',
    title: 'Scrutiny (scrutiny-embedded firmware)',
    defaultLink: { type: 'udp', config: { host: LOOPBACK, port: 8765 } },
    optionsSchema: ScrutinyOptionsSchema,
  },
  hexrot: {
    name: 'hexrot',
    label: 'Hexapod/rotator',
    title: 'Hexapod/rotator controller (binary structures)',
    // The current generation's telemetry and command server.
    defaultLink: { type: 'tcp', config: { host: LOOPBACK, port: 6210 } },
    optionsSchema: HexrotOptionsSchema,
  },
} as const satisfies { [P in ProtocolName]: ProtocolManifest & { name: P } };

/** The default link's port of a protocol (what its emulator listens on unless told otherwise). */
export function defaultPortOf(protocol: ProtocolName): number {
  return PROTOCOL_MANIFESTS[protocol].defaultLink.config.port;
}

/** The protocol's default link on another port (an emulator's, chosen by the system). */
export function defaultLinkOn(protocol: ProtocolName, port: number): DefaultLink {
  const { type, config } = PROTOCOL_MANIFESTS[protocol].defaultLink;
  return { type, config: { ...config, port } } as DefaultLink;
}
