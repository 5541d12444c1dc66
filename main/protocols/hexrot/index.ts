import { PROTOCOL_MANIFESTS } from '../../../shared/api/manifests';
import type { ProtocolDefinition } from '../adapter';
import type { HexrotOptions } from '../../../shared/api/hexrot-options';
import { HexrotSession } from './session';

export const hexrotProtocol: ProtocolDefinition<HexrotOptions> = {
  ...PROTOCOL_MANIFESTS.hexrot,
  create: (ctx, options) => new HexrotSession(ctx, options),
};
