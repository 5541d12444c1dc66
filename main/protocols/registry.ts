import type { ProtocolName } from '../../shared/api/contract';
import type { ProtocolDefinition } from './adapter';
import { linesProtocol } from './lines';
import { dcsProtocol } from './dcs';
import { katcpProtocol } from './katcp';
import { scrutinyProtocol } from './scrutiny';
import { hexrotProtocol } from './hexrot';

// Options are validated by each definition's own schema before create(), so the
// table can hold definitions of different option types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PROTOCOL_DEFINITIONS: { [P in ProtocolName]: ProtocolDefinition<any> } = {
  lines: linesProtocol,
  dcs: dcsProtocol,
  katcp: katcpProtocol,
  scrutiny: scrutinyProtocol,
  hexrot: hexrotProtocol,
};
