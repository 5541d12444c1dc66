import type { ProtocolDefinition } from '../adapter';
import { ScrutinyOptionsSchema, type ScrutinyOptions } from './options';
import { ScrutinySession } from './session';

export const scrutinyProtocol: ProtocolDefinition<ScrutinyOptions> = {
  name: 'scrutiny',
  title: 'Scrutiny (firmware instrumented with scrutiny-embedded)',
  optionsSchema: ScrutinyOptionsSchema,
  defaultLink: { type: 'udp', config: { host: '127.0.0.1', port: 8765 } },
  create: (ctx, options) => new ScrutinySession(ctx, options),
};
