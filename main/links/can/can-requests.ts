// The hub's CAN requests (shared/api/can.ts): one monitor per CAN session, following
// the session's current link. Their handlers join the hub's table; params arrive validated.
import type { CanMethod } from '../../../shared/api/can';
import type { HandlerTable } from '../../../shared/api/contract';
import { CAN_INTERFACES, CAN_SUBCONFIG_DEFAULTS, type CanInterface, type LinkSpec } from '../../../shared/api/link-config';
import type { Link } from '../link';
import { canRefusal } from './can-factory';
import { CanLink } from './can-link';
import { CanMonitor, type SignalSink } from './monitor';
import { ApiError } from '../../../shared/api/errors';


export interface CanSessionView {
  name: string;
  link: LinkSpec;
  /** The session's link while connected (null otherwise). */
  activeLink: Link | null;
  signals: SignalSink;
}

export class CanMonitors {
  private readonly monitors = new Map<string, CanMonitor>();

  /** `session` throws the hub's own error for an unknown id. */
  constructor(private readonly session: (id: string) => CanSessionView) {}

  /** The CAN requests' entries in the hub's handler table. */
  handlers() {
    return {
      canInterfaceStatus: (p) => interfaceStatus(p.interface, p.channel),
      canMonitor: (p) => this.monitor(p.sessionId).snapshot(),
      canSetFilters: (p) => { this.monitor(p.sessionId).setFilters(p.filters); return null; },
      canClear: (p) => { this.monitor(p.sessionId).clear(); return null; },
      canSend: (p) => {
        const monitor = this.monitor(p.sessionId);
        try {
          return { periodicId: monitor.send(p.frame, p.periodMs) };
        } catch (e) {
          throw new ApiError('NotConnected', `Frame not sent: ${(e as Error).message}`);
        }
      },
      canStopPeriodic: (p) => {
        if (!this.monitor(p.sessionId).stopPeriodic(p.periodicId)) throw new ApiError('InvalidRequest', `No periodic frame "${p.periodicId}"`);
        return null;
      },
      canAddSignal: (p) => this.monitor(p.sessionId).addSignal(p.signal),
    } satisfies HandlerTable<CanMethod>;
  }

  /**
   * A session's link changed (connected, reconnected, replaced): a CAN session's
   * monitor starts or follows the new link at once, so the table holds every frame
   * from the first, not from the first canMonitor request.
   */
  follow(sessionId: string): void {
    const s = this.session(sessionId);
    if (s.link.type !== 'can') {
      this.drop(sessionId);
      return;
    }
    if (!s.activeLink && !this.monitors.has(sessionId)) return;
    this.monitor(sessionId);
  }

  /** Forgets a removed session's monitor (stops its periodic frames). */
  drop(sessionId: string): void {
    this.monitors.get(sessionId)?.dispose();
    this.monitors.delete(sessionId);
  }

  disposeAll(): void {
    for (const m of this.monitors.values()) m.dispose();
    this.monitors.clear();
  }

  private monitor(sessionId: string): CanMonitor {
    const s = this.session(sessionId);
    if (s.link.type !== 'can') throw new ApiError('InvalidRequest', `Session "${s.name}" does not use a CAN link (it uses ${s.link.type})`);
    let m = this.monitors.get(sessionId);
    if (!m) {
      m = new CanMonitor(s.signals);
      this.monitors.set(sessionId, m);
    }
    m.attach(s.activeLink instanceof CanLink ? s.activeLink : null);
    return m;
  }
}

function interfaceStatus(iface: CanInterface, channel?: string): { available: boolean; reason: string | null } {
  if (!(CAN_INTERFACES as readonly string[]).includes(iface)) return { available: false, reason: `unknown CAN interface ${iface}` };
  const base = { txid: 0, rxid: 0, extended_id: false, fd: false, bitrate_switch: false };
  const subconfig = iface === 'socketcan' ? { channel: channel ?? 'can0' } : CAN_SUBCONFIG_DEFAULTS[iface];
  const reason = canRefusal({ ...base, interface: iface, subconfig } as never, process.platform);
  return { available: reason === null, reason };
}
