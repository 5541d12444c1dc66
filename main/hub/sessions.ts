// The session registry and the demo bench: the hub's device sessions by id, how one
// is added (its link and options parsed against the contract, issue paths kept) and
// removed, and demo mode, which brings up emulated devices and sessions on them.
import { issuesOf, type ProtocolName } from '../../shared/api/contract';
import { ApiError } from '../../shared/api/errors';
import { LinkSpec, describeLink } from '../../shared/api/link-config';
import { MAX_NAME_CHARS, MAX_SESSIONS } from '../../shared/api/limits';
import { LinkUnavailableError } from '../links/factory';
import { PROTOCOL_DEFINITIONS } from '../protocols/registry';
import type { TelemetryStore } from '../telemetry/store';
import { startDemoDevices, type DemoDevice } from './demo';
import { DeviceSession } from './device-session';

export interface RegistryHooks {
  /** Something a status shows changed; `persist`: the workspace too. */
  changed(persist: boolean): void;
  signalsChanged(): void;
  marksWaiting(): void;
  protocolEvent(session: DeviceSession, kind: string, data: unknown): void;
  deviceConnected(): void;
  /** A session registered here changed its link or state. */
  sessionChanged(session: DeviceSession): void;
  /** A session left the registry (before it is disposed). */
  removed(session: DeviceSession): void;
}

export interface NewSession { name: string; autoConnect: boolean; demo?: boolean; id?: string }

export class SessionRegistry {
  private readonly sessions = new Map<string, DeviceSession>();
  private demoDevices: DemoDevice[] = [];
  private demo = false;
  private demoSwitch: Promise<void> = Promise.resolve();

  constructor(private readonly store: TelemetryStore, private readonly userDataDir: string | null, private readonly hooks: RegistryHooks) {}

  get demoMode(): boolean { return this.demo; }

  /** The session `id`, or the InvalidRequest a client is sent for an unknown one. */
  get(id: string): DeviceSession {
    const s = this.sessions.get(id);
    if (!s) throw new ApiError('InvalidRequest', `No session "${id}"`, { issues: [{ path: 'sessionId', message: `No session "${id}"` }] });
    return s;
  }

  find(id: string): DeviceSession | undefined {
    return this.sessions.get(id);
  }

  all(): IterableIterator<DeviceSession> {
    return this.sessions.values();
  }

  add(protocol: ProtocolName, link: LinkSpec, options: Record<string, unknown>, o: NewSession): DeviceSession {
    const session = new DeviceSession(PROTOCOL_DEFINITIONS[protocol], options, link, this.store, {
      onChange: () => {
        this.hooks.changed(false);
        if (this.sessions.has(session.id)) this.hooks.sessionChanged(session);
      },
      onSignalsChanged: () => this.hooks.signalsChanged(),
      onProtocolEvent: (kind, data) => this.hooks.protocolEvent(session, kind, data),
      onDeviceConnected: () => this.hooks.deviceConnected(),
      onMarks: () => this.hooks.marksWaiting(),
      userDataDir: this.userDataDir,
    }, o);
    this.sessions.set(session.id, session);
    this.hooks.changed(!o.demo);
    return session;
  }

  /** Sessions kept in the workspace are bounded as the workspace is (demo ones are not kept). */
  roomForSession(): void {
    let kept = 0;
    for (const s of this.sessions.values()) if (!s.demo) kept++;
    if (kept >= MAX_SESSIONS) throw new ApiError('OperationFailure', `There are already ${kept} sessions, the most a workspace holds (${MAX_SESSIONS}): remove one first`);
  }

  async remove(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    this.hooks.removed(s);
    await s.dispose();
    this.hooks.signalsChanged();
    this.hooks.changed(true);
  }

  parseLink(linkType: unknown, linkConfig: unknown): LinkSpec {
    const r = LinkSpec.safeParse({ type: linkType, config: linkConfig });
    if (!r.success) {
      const issues = issuesOf(r.error).map((i) => ({ ...i, path: i.path.replace(/^config/, 'linkConfig').replace(/^type/, 'linkType') }));
      throw new ApiError('InvalidRequest', `Invalid ${String(linkType)} link: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    }
    return r.data;
  }

  parseOptions(protocol: ProtocolName, options: Record<string, unknown>): Record<string, unknown> {
    const r = PROTOCOL_DEFINITIONS[protocol].optionsSchema.safeParse(options);
    if (!r.success) {
      const issues = issuesOf(r.error).map((i) => ({ ...i, path: `options.${i.path}` }));
      throw new ApiError('InvalidRequest', `Invalid ${protocol} options: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    }
    return r.data as Record<string, unknown>;
  }

  /** A name not taken yet, within the length a name may have (a long host or port name is cut, with an ellipsis). */
  uniqueName(base: string): string {
    const names = new Set([...this.sessions.values()].map((s) => s.name));
    const fit = (suffix: string) => {
      const room = MAX_NAME_CHARS - suffix.length;
      if (base.length <= room) return base + suffix;
      // Cut between characters, never inside a surrogate pair.
      const cut = base.slice(0, room - 1).replace(/[\uD800-\uDBFF]$/, '');
      return `${cut.trimEnd()}…${suffix}`;
    };
    if (!names.has(fit(''))) return fit('');
    for (let i = 2; ; i++) if (!names.has(fit(` (${i})`))) return fit(` (${i})`);
  }

  /** Demo on: emulated devices and their sessions. Off: they go, except `keep` (configured by hand). */
  setDemoMode(enable: boolean, keep?: string): Promise<void> {
    this.demoSwitch = this.demoSwitch.then(async () => {
      if (enable === this.demo) return;
      this.demo = enable;
      if (enable) {
        this.demoDevices = await startDemoDevices();
        for (const d of this.demoDevices) {
          const s = this.add(d.protocol, d.link, this.parseOptions(d.protocol, d.options), { name: d.name, autoConnect: true, demo: true });
          s.connect();
        }
      } else {
        for (const s of [...this.sessions.values()]) if (s.demo && s.id !== keep) await this.remove(s.id);
        const devices = this.demoDevices;
        this.demoDevices = [];
        await Promise.all(devices.map((d) => d.close()));
      }
      this.hooks.changed(true);
    });
    return this.demoSwitch;
  }

  /** The engine stops: every session disconnects and the demo devices close. */
  async closeAll(): Promise<void> {
    await this.demoSwitch;
    await Promise.all([...this.sessions.values()].map((s) => s.disconnect()));
    await Promise.all(this.demoDevices.map((d) => d.close()));
    this.demoDevices = [];
  }
}

/** A link that would not open, as the OperationFailure a client is sent. */
export function linkFailure(e: unknown, spec: LinkSpec): never {
  if (e instanceof LinkUnavailableError) throw new ApiError('OperationFailure', e.message);
  throw new ApiError('OperationFailure', `Cannot open ${describeLink(spec)}: ${(e as Error).message}`);
}
