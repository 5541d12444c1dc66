import { PROTOCOL_MANIFESTS } from '../../../shared/api/manifests';
import type { ProtocolDefinition } from '../adapter';
import type { KatcpOptions } from '../../../shared/api/katcp-options';
import { KatcpSession } from './session';

export const katcpProtocol: ProtocolDefinition<KatcpOptions> = {
  ...PROTOCOL_MANIFESTS.katcp,
  create: (ctx, options) => new KatcpSession(ctx, options),
};
