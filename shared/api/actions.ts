// A protocol's actions (the requests `sessionAction` carries), as aiokatcp's request
// table has them: each action's name, argument schema, result type and one line of help
// in one table. The hub validates arguments with the table once, keeping the issue
// paths; the engine's handlers are checked against it by the compiler (`satisfies
// ActionHandlers<typeof Table>`); the SDK's `action()` takes its types from it; and a
// session describes its actions from it (`describeActions`).
import { z } from 'zod';

export interface ActionSpec<A extends z.ZodType = z.ZodType, R = unknown> {
  readonly args: A;
  /** One line for `describeActions` and the UI. */
  readonly help: string;
  /** Never set: carries the result type. */
  readonly result?: R;
}

export type ActionTable = Readonly<Record<string, ActionSpec>>;

/** Declares an action returning R: `listSensors: action<KatcpSensorRow[]>()(Args, 'Sensors and their last readings')`. */
export function action<R>() {
  return <A extends z.ZodType>(args: A, help: string): ActionSpec<A, R> => ({ args, help });
}

/** Arguments as a caller writes them (defaults may be left out). */
export type ArgsOf<S> = S extends ActionSpec<infer A, unknown> ? z.input<A> : never;
/** Arguments as a handler gets them (validated, defaults filled in). */
export type ParsedArgsOf<S> = S extends ActionSpec<infer A, unknown> ? z.output<A> : never;
export type ResultOf<S> = S extends ActionSpec<z.ZodType, infer R> ? R : never;

/** The engine's side of a table: one handler per action, each taking its parsed arguments. */
export type ActionHandlers<T extends ActionTable> = {
  readonly [N in keyof T]: (args: ParsedArgsOf<T[N]>) => Promise<ResultOf<T[N]>> | ResultOf<T[N]>;
};

export interface ActionDescription {
  name: string;
  help: string;
  /** The arguments as JSON Schema (draft 2020-12), for forms and for scripts. */
  args: unknown;
}

export function describeTable(table: ActionTable): ActionDescription[] {
  return Object.entries(table).map(([name, spec]) => ({ name, help: spec.help, args: jsonSchemaOf(spec.args) }));
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    // A refinement JSON Schema cannot say (a custom check) still leaves the action callable.
    return {};
  }
}
