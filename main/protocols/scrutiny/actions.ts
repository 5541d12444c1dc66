// The Scrutiny requests a client can make through `sessionAction`, routed to their parts
// (memory, RPVs, the watch list, the user command, datalogging, firmware descriptions,
// paths). Arguments arrive checked by their zod schemas; the parts refuse what the device
// would refuse before anything is sent, and here their failures become typed API errors.
import { ApiError } from '../../../shared/api/errors';
import type { ActionHandlers, ParsedArgsOf } from '../../../shared/api/actions';
import type { ScrutinyActionTable } from '../../../shared/api/scrutiny';
import { DatalogActions } from './actions-datalog';
import { MemoryActions } from './actions-memory';
import { PathActions } from './actions-paths';
import { RpvActions } from './actions-rpv';
import { SfdActions } from './actions-sfd';
import { userCommand } from './actions-user-command';
import { WatchActions } from './actions-watch';
import { DeviceResponseError } from './commands';
import { RequestCancelled, RequestTimeout } from './requester';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';
import { SfdError } from './sfd';

/** An action's arguments as its schema in shared/api/scrutiny.ts has parsed them. */
export type ScrutinyArgs<N extends keyof typeof ScrutinyActionTable> = ParsedArgsOf<(typeof ScrutinyActionTable)[N]>;

export class ScrutinyActions {
  private readonly memory: MemoryActions;
  private readonly rpv: RpvActions;
  private readonly watch: WatchActions;
  private readonly datalog: DatalogActions;
  private readonly sfd: SfdActions;
  private readonly paths: PathActions;

  constructor(private readonly s: ScrutinySession) {
    this.memory = new MemoryActions(s);
    this.rpv = new RpvActions(s);
    this.watch = new WatchActions(s, this.memory);
    this.datalog = new DatalogActions(s, this.memory);
    this.sfd = new SfdActions(s);
    this.paths = new PathActions(s, this.memory, this.rpv, this.watch);
  }

  readonly handlers = {
    readMemory: (a) => this.onDevice((d) => this.memory.readMemory(d, a)),
    writeMemory: (a) => this.onDevice((d) => this.memory.writeMemory(d, a)),
    writeVariable: (a) => this.onDevice((d) => this.memory.writeVariable(d, a)),
    listRpvs: () => this.onDevice((d) => this.rpv.listRpvs(d)),
    readRpv: (a) => this.onDevice((d) => this.rpv.readRpv(d, a)),
    writeRpv: (a) => this.onDevice((d) => this.rpv.writeRpv(d, a)),
    watch: (a) => this.onDevice((d) => this.watch.watch(d, a)),
    unwatch: (a) => this.onDevice((d) => this.watch.unwatch(d, a)),
    watchStatus: () => this.onDevice(() => this.watch.watchStatus()),
    userCommand: (a) => this.onDevice((d) => userCommand(this.s, d, a)),
    dlConfigure: (a) => this.onDevice((d) => this.datalog.dlConfigure(d, a)),
    dlArm: () => this.onDevice((d) => this.datalog.dlArm(d)),
    dlDisarm: () => this.onDevice((d) => this.datalog.dlDisarm(d)),
    dlReset: () => this.onDevice((d) => this.datalog.dlReset(d)),
    dlStatus: () => this.onDevice((d) => this.datalog.dlStatus(d)),
    dlWait: (a) => this.onDevice((d) => this.datalog.dlWait(d, a)),
    dlRead: () => this.onDevice((d) => this.datalog.dlRead(d)),
    watchPaths: (a) => this.onDevice((d) => this.paths.watchPaths(d, a)),
    writePath: (a) => this.onDevice((d) => this.paths.writePath(d, a)),
    loadSfd: (a) => this.sfd.loadSfd(a),
    sfdInfo: () => this.sfd.sfdInfo(),
    listVariables: (a) => this.sfd.listVariables(a),
    installSfd: (a) => this.offDevice(() => this.sfd.installSfd(a)),
    listInstalledSfd: () => this.offDevice(() => this.sfd.listInstalledSfd()),
    uninstallSfd: (a) => this.offDevice(() => this.sfd.uninstallSfd(a)),
    watchValues: () => this.offDevice(() => this.watch.watchValues()),
    dlProgress: () => this.offDevice(() => this.datalog.dlProgress()),
  } satisfies ActionHandlers<typeof ScrutinyActionTable>;

  /** An action that talks to the device: refused when there is none; the requester's failures become typed errors. */
  private async onDevice<R>(run: (d: DeviceDescription) => Promise<R>): Promise<R> {
    const dev = this.s.requireDevice();
    try {
      return await run(dev);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof DeviceResponseError) throw new ApiError('OperationFailure', e.message);
      if (e instanceof RequestTimeout) throw new ApiError('Timeout', e.message);
      if (e instanceof RequestCancelled) throw new ApiError('NotConnected', `request cancelled: ${e.message}`);
      throw new ApiError('OperationFailure', (e as Error).message);
    }
  }

  /** An action on the engine's side (files, the watch table): a bad firmware description is the request's fault. */
  private async offDevice<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof SfdError) throw new ApiError('InvalidRequest', e.message);
      if (e instanceof ApiError) throw e;
      throw new ApiError('OperationFailure', (e as Error).message);
    }
  }
}
