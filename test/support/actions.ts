// Runs a protocol action on an adapter the way the hub does (invokeAction: the
// protocol's table validates the arguments, then the handler runs), for tests that
// drive a session without a hub.
import { invokeAction } from '../../main/protocols/actions';
import type { ProtocolAdapter } from '../../main/protocols/adapter';
import type { ProtocolName } from '../../shared/api/contract';
import { actionTableOf } from '../../shared/api/protocol-actions';

export function runAction<R = unknown>(protocol: ProtocolName, adapter: ProtocolAdapter, name: string, args?: unknown): Promise<R> {
  const table = actionTableOf(protocol);
  if (!table || !adapter.actions) throw new Error(`${protocol} adapter has no actions`);
  return invokeAction(protocol, table, adapter.actions, name, args) as Promise<R>;
}
