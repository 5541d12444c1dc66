// The hub's CAN requests (shared/api/can.ts): one monitor per CAN session, following
// the session's current link. Params arrive validated by the hub.
import type { z } from 'zod';
import type { CanMethod, CanRequestSchemas, CanResultTypes } from '../../../shared/api/can';
import { CAN_INTERFACES, CAN_SUBCONFIG_DEFAULTS, type CanInterface, type LinkSpec } from '../../../shared/api/link-config';
import type { Link } from '../link';
import { canRefusal } from './can-factory';
import { CanLink } from './can-link';
import { CanMonitor, type SignalSink } from './monitor';
import { ApiError } from '../../../shared/api/errors';


export const CAN_METHODS = ['canMonitor', 'canSetFilters', 'canSend', 'canStopPeriodic', 'canAddSignal', 'canClear', 'canInterfaceStatus'] as const;

export function isCanMethod(method: string): method is CanMethod {
  return (CAN_METHODS as readonly string[]).includes(method);
}

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

  async dispatch<M extends CanMethod>(method: M, params: z.output<(typeof CanRequestSchemas)[M]>): Promise<CanResultTypes[M]> {
    const p = params as unknown as Record<string, never>;
    if (method === 'canInterfaceStatus') return interfaceStatus(p.interface, p.channel) as CanResultTypes[M];
    const monitor = this.monitor(p.sessionId);
    switch (method) {
      case 'canMonitor':
        return monitor.snapshot() as CanResultTypes[M];
      case 'canSetFilters':
        monitor.setFilters(p.filters);
        return null as CanResultTypes[M];
      case 'canClear':
        monitor.clear();
        return null as CanResultTypes[M];
      case 'canSend':
        try {
          return { periodicId: monitor.send(p.frame, p.periodMs) } as CanResultTypes[M];
        } catch (e) {
          throw new ApiError('NotConnected', `Frame not sent: ${(e as Error).message}`);
        }
      case 'canStopPeriodic':
        if (!monitor.stopPeriodic(p.periodicId)) throw new ApiError('InvalidRequest', `No periodic frame "${p.periodicId}"`);
        return null as CanResultTypes[M];
      case 'canAddSignal':
        return monitor.addSignal(p.signal) as CanResultTypes[M];
    }
    throw new ApiError('InvalidRequest', `Unknown CAN request "${method}"`);
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
