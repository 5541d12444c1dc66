import type { ProtocolName } from '../../shared/api/contract';
import type { ProtocolDefinition } from './adapter';
import { linesProtocol } from './lines';

// Options are validated by each definition's own schema before create(), so the
// table can hold definitions of different option types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PROTOCOL_DEFINITIONS: { [P in ProtocolName]: ProtocolDefinition<any> } = {
  lines: linesProtocol,
};
