// Every protocol's action table, by protocol name: what the hub validates
// `sessionAction` with, what `describeActions` reports and what the SDK's typed
// `action()` takes its argument and result types from.
import type { ProtocolName } from './contract';
import type { ActionTable, ArgsOf, ResultOf } from './actions';
import { DcsActions } from './dcs';
import { HexrotActions } from './hexrot';
import { PROTOCOL_MANIFESTS } from './manifests';
import { KatcpActions } from './katcp';
import { ScrutinyActionTable } from './scrutiny';

export const PROTOCOL_ACTIONS = {
  katcp: KatcpActions,
  hexrot: HexrotActions,
  scrutiny: ScrutinyActionTable,
  dcs: DcsActions,
} satisfies Partial<Record<ProtocolName, ActionTable>>;

export type TypedProtocol = keyof typeof PROTOCOL_ACTIONS;
export type ActionName<P extends TypedProtocol> = keyof (typeof PROTOCOL_ACTIONS)[P] & string;
export type ActionArgs<P extends TypedProtocol, N extends ActionName<P>> = ArgsOf<(typeof PROTOCOL_ACTIONS)[P][N]>;
export type ActionResult<P extends TypedProtocol, N extends ActionName<P>> = ResultOf<(typeof PROTOCOL_ACTIONS)[P][N]>;

/** One session's actions as a function (BenchscopeClient.actionsOf). */
export type SessionActions<P extends TypedProtocol> = <N extends ActionName<P>>(name: N, args: ActionArgs<P, N>, timeoutS?: number) => Promise<ActionResult<P, N>>;

/** How messages name each protocol. */
export const PROTOCOL_LABELS = Object.fromEntries(
  Object.values(PROTOCOL_MANIFESTS).map((m) => [m.name, m.label]),
) as Record<ProtocolName, string>;

export function actionTableOf(protocol: ProtocolName): ActionTable | null {
  return (PROTOCOL_ACTIONS as Partial<Record<ProtocolName, ActionTable>>)[protocol] ?? null;
}
