// A Scrutiny session over a real link to the emulated device, for the integration
// tests: the telemetry store it samples into, its events, and a count of every
// request the device received by command (read at the device, not at the host).
import type { LinkSpec } from '../../shared/api/link-config';
import { createLink } from '../../main/links/factory';
import type { Link } from '../../main/links/link';
import type { AdapterContext } from '../../main/protocols/adapter';
import { ScrutinyOptionsSchema } from '../../shared/api/scrutiny-options';
import { ScrutinySession } from '../../main/protocols/scrutiny/session';
import { startScrutinyEmulator, type ScrutinyEmulator, type ScrutinyEmulatorOptions } from '../../main/protocols/scrutiny/emulator';
import { TelemetryStore } from '../../main/telemetry/store';

export interface ScrutinyHarness {
  emu: ScrutinyEmulator;
  session: ScrutinySession;
  link: Link;
  store: TelemetryStore;
  /** Requests the device received, by "cmd/subfn". */
  received: Map<string, number>;
  close(): Promise<void>;
}

export async function scrutinyHarness(
  device: Partial<ScrutinyEmulatorOptions> = {}, options: Record<string, unknown> = {}, userDataDir: string | null = null,
): Promise<ScrutinyHarness> {
  const emu = await startScrutinyEmulator({ transport: 'udp', ...device });
  const received = new Map<string, number>();
  const handle = emu.device.handle.bind(emu.device);
  emu.device.handle = (peer, cmd, subfn, p, now) => {
    const key = `${cmd}/${subfn}`;
    received.set(key, (received.get(key) ?? 0) + 1);
    return handle(peer, cmd, subfn, p, now);
  };
  const spec = { type: device.transport ?? 'udp', config: { host: '127.0.0.1', port: emu.port! } } as LinkSpec;
  const link = createLink(spec, { backoff: { initialMs: 50, maxMs: 200 } });
  const store = new TelemetryStore({ capacity: 1 << 14 });
  const ctx: AdapterContext = {
    sessionId: 'test',
    linkKind: link.kind,
    signal: (name, unit) => store.declare('test', name, unit),
    sample: (id, t, v) => store.append(id, t, v),
    write: (bytes) => link.write(bytes),
    consoleWanted: () => false,
    console: () => {},
    event: () => {},
    statusChanged: () => {},
    userDataDir,
  };
  const session = new ScrutinySession(ctx, ScrutinyOptionsSchema.parse({ requestTimeoutMs: 200, ...options }));
  link.setEvents({
    onData: (chunk, t) => session.onData(chunk, t),
    onState: (state) => (state === 'Connected' ? session.onLinkUp() : session.onLinkDown()),
  });
  link.open();
  return {
    emu, session, link, store, received,
    close: async () => {
      session.dispose();
      await link.close();
      await emu.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
