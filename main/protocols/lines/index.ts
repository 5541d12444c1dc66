import { LinesOptionsSchema, type LinesOptions } from '../../../shared/api/lines-options';
import type { ProtocolDefinition } from '../adapter';
import { LinesSession } from './session';

export const linesProtocol: ProtocolDefinition<LinesOptions> = {
  name: 'lines',
  title: 'Text lines (CSV, name=value, JSON)',
  optionsSchema: LinesOptionsSchema,
  defaultLink: { type: 'tcp', config: { host: '127.0.0.1', port: 5760 } },
  create: (ctx, options) => new LinesSession(ctx, options),
};
