import type { ProtocolDefinition } from '../adapter';
import { DEFAULT_CURRENT_PORT } from './emulator';
import { HexrotOptionsSchema, type HexrotOptions } from './options';
import { HexrotSession } from './session';

export const hexrotProtocol: ProtocolDefinition<HexrotOptions> = {
  name: 'hexrot',
  title: 'Hexapod/rotator controller (binary command/telemetry structures)',
  optionsSchema: HexrotOptionsSchema,
  defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: DEFAULT_CURRENT_PORT } },
  create: (ctx, options) => new HexrotSession(ctx, options),
};
