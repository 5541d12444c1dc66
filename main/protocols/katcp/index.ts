import type { ProtocolDefinition } from '../adapter';
import { KatcpOptionsSchema, type KatcpOptions } from './options';
import { KatcpSession } from './session';

export const katcpProtocol: ProtocolDefinition<KatcpOptions> = {
  name: 'katcp',
  title: 'KATCP device server (client)',
  optionsSchema: KatcpOptionsSchema,
  defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 7147 } },
  create: (ctx, options) => new KatcpSession(ctx, options),
};
