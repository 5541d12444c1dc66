import type { LinesOptions } from '../../../shared/api/lines-options';
import { PROTOCOL_MANIFESTS } from '../../../shared/api/manifests';
import type { ProtocolDefinition } from '../adapter';
import { LinesSession } from './session';

export const linesProtocol: ProtocolDefinition<LinesOptions> = {
  ...PROTOCOL_MANIFESTS.lines,
  create: (ctx, options) => new LinesSession(ctx, options),
};
