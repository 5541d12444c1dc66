// The one way a protocol action runs, from the hub and from the tests alike: the name
// looked up in the protocol's table, the arguments validated with its schema (issue
// paths kept, under `args.`), then the adapter's handler called with what was parsed.
import { issuesOf, type ProtocolName } from '../../shared/api/contract';
import type { ActionTable } from '../../shared/api/actions';
import { ApiError } from '../../shared/api/errors';
import { PROTOCOL_LABELS } from '../../shared/api/protocol-actions';
import type { AdapterActions } from './adapter';

/** Checks a request for `name` against the table: its parsed arguments, or an InvalidRequest naming each bad path. */
export function parseAction(protocol: ProtocolName, table: ActionTable, name: string, args: unknown): unknown {
  const spec = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  if (!spec) {
    throw new ApiError('InvalidRequest', `${PROTOCOL_LABELS[protocol]} has no action "${name}" (actions: ${Object.keys(table).join(', ')})`,
      { issues: [{ path: 'action', message: `Unknown action "${name}"` }] });
  }
  const parsed = spec.args.safeParse(args ?? {});
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw new ApiError('InvalidRequest', `${name}: ${issues.map((i) => `${i.path || 'args'}: ${i.message}`).join('; ')}`,
      { issues: issues.map((i) => ({ path: i.path ? `args.${i.path}` : 'args', message: i.message })) });
  }
  return parsed.data;
}

/** Runs `name` with arguments parseAction returned. */
export async function runParsedAction(protocol: ProtocolName, handlers: AdapterActions, name: string, parsed: unknown): Promise<unknown> {
  const handler = Object.prototype.hasOwnProperty.call(handlers, name) ? handlers[name] : undefined;
  if (!handler) throw new ApiError('UnexpectedError', `${PROTOCOL_LABELS[protocol]} declares "${name}" but its session has no handler for it`);
  // The table's schema for `name` is the one the handler was checked against: its output fits.
  return (handler as (a: unknown) => unknown)(parsed);
}

export function invokeAction(protocol: ProtocolName, table: ActionTable, handlers: AdapterActions, name: string, args: unknown): Promise<unknown> {
  try {
    return runParsedAction(protocol, handlers, name, parseAction(protocol, table, name, args));
  } catch (e) {
    return Promise.reject(e);
  }
}
