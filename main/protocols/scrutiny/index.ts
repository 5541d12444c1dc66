import { PROTOCOL_MANIFESTS } from '../../../shared/api/manifests';
import type { ProtocolDefinition } from '../adapter';
import type { ScrutinyOptions } from '../../../shared/api/scrutiny-options';
import { ScrutinySession } from './session';

export const scrutinyProtocol: ProtocolDefinition<ScrutinyOptions> = {
  ...PROTOCOL_MANIFESTS.scrutiny,
  create: (ctx, options) => new ScrutinySession(ctx, options),
};
