import { PROTOCOL_MANIFESTS } from '../../../shared/api/manifests';
import type { ProtocolDefinition } from '../adapter';
import type { DcsOptions } from './config';
import { DcsSession } from './session';

export const dcsProtocol: ProtocolDefinition<DcsOptions> = {
  ...PROTOCOL_MANIFESTS.dcs,
  // One DCSS, several hardware servers: each connection is a would-be DHS of its own.
  multiPeer: true,
  create: (ctx, options) => new DcsSession(ctx, options),
};
