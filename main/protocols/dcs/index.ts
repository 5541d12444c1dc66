import type { ProtocolDefinition } from '../adapter';
import { DcsOptionsSchema, type DcsOptions } from './config';
import { DcsSession } from './session';

export const dcsProtocol: ProtocolDefinition<DcsOptions> = {
  name: 'dcs',
  title: 'DCS: DCSS for a hardware server (DHS) under test',
  optionsSchema: DcsOptionsSchema,
  // pydhsfw's configurations point a DHS at DCSS on 14242.
  defaultLink: { type: 'tcp-server', config: { host: '127.0.0.1', port: 14242 } },
  // One DCSS, several hardware servers: each connection is a would-be DHS of its own.
  multiPeer: true,
  create: (ctx, options) => new DcsSession(ctx, options),
};
