// The legacy generation over real TCP: Benchscope's two-port server with the
// hexrot session over it, and the emulated controller connecting to both ports.
import { waitUntil } from '../support/wait';
import { runAction } from '../support/actions';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdapterContext } from '../../main/protocols/adapter';
import { startHexrotEmulator, type HexrotEmulator } from '../../main/protocols/hexrot/emulator';
import { LegacyServerLink, type LegacySocketsState } from '../../main/links/hexrot-legacy-server';
import { HexrotOptionsSchema } from '../../shared/api/hexrot-options';
import { HexrotSession } from '../../main/protocols/hexrot/session';
import { TelemetryStore } from '../../main/telemetry/store';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The two-port server and a legacy hexrot session wired as a device session wires a link and an adapter. */
function legacyBench(options: Record<string, unknown> = {}, connectTimeoutS?: number) {
  const store = new TelemetryStore();
  const events: { kind: string; data: unknown }[] = [];
  const sockets: { state: LegacySocketsState; change: { socket: string; connected: boolean } | null }[] = [];
  const link = new LegacyServerLink({ host: '127.0.0.1', port: 0 }, { connectTimeoutS, onSockets: (state, change) => sockets.push({ state, change }) });
  const ctx: AdapterContext = {
    sessionId: 'legacy', linkKind: 'stream',
    signal: (name, unit) => store.declare('legacy', name, unit),
    sample: (id, t, v) => store.append(id, t, v),
    write: (bytes) => link.write(bytes),
    consoleWanted: () => false,
    console: () => {},
    event: (kind, data) => events.push({ kind, data }),
    statusChanged: () => {},
  };
  const session = new HexrotSession(ctx, HexrotOptionsSchema.parse({ generation: 'legacy', ...options }));
  link.setEvents({
    onData: (chunk, t) => session.onData(chunk, t),
    onState: (state) => (state === 'Connected' ? session.onLinkUp() : session.onLinkDown()),
  });
  link.open();
  cleanups.push(async () => { session.dispose(); await link.close(); });
  return { link, session, store, events, sockets };
}

async function emulatorFor(link: LegacyServerLink, legacyHeader: 'mjd' | 'tai' = 'mjd'): Promise<HexrotEmulator> {
  await waitUntil('the ports', () => link.sockets.commandPort !== null);
  const emu = await startHexrotEmulator({ generation: 'legacy', port: link.sockets.telemetryPort!, commandPort: link.sockets.commandPort!, rate: 100, legacyHeader });
  cleanups.push(() => emu.close());
  return emu;
}

const value = (snap: unknown, name: string) => (snap as { fields: { name: string; value: number }[] }).fields.find((f) => f.name === name)?.value;

describe('hexrot legacy generation', () => {
  it.each(['mjd', 'tai'] as const)('reports free ports, connects only with both sockets, decodes config and telemetry (%s header)', async (header) => {
    const { link, session, store, events, sockets } = legacyBench({ legacyHeader: header });
    await waitUntil('the ports', () => sockets.length > 0);
    expect(sockets[0]!.state.telemetryPort).toBeGreaterThan(0);
    expect(sockets[0]!.state.commandPort).toBeGreaterThan(0);
    expect(link.state).toBe('Connecting');
    await emulatorFor(link, header);
    await waitUntil('connected and ready', () => link.state === 'Connected' && session.ready);
    expect(sockets.filter((s) => s.change?.connected).map((s) => s.change!.socket).sort()).toEqual(['command', 'telemetry']);
    await waitUntil('config', () => events.some((e) => e.kind === 'config'));
    expect(value(await runAction('hexrot', session, 'config', {}), 'max_velocity')).toBe(47);
    const t = await runAction('hexrot', session, 'nextTelemetry', { skip: 2 });
    expect(value(t, 'state')).toBe(0);
    const curr = store.list('legacy').find((s) => s.name === 'curr_position')!;
    expect(curr.total).toBeGreaterThanOrEqual(2);
  });

  it('putCommand numbers each command code from 1; nextTelemetry(1) sees the result; 0 returns at once', async () => {
    const { link, session } = legacyBench();
    const emu = await emulatorFor(link);
    await waitUntil('ready', () => session.ready);
    expect(await runAction('hexrot', session, 'putCommand', { name: 'SET_STATE', params: [2] })).toMatchObject({ counter: 1, code: 1 });
    expect(await runAction('hexrot', session, 'putCommand', { name: 'MOVE', params: [7] })).toMatchObject({ counter: 1, code: 4 });
    expect(await runAction('hexrot', session, 'putCommand', { name: 'MOVE', params: [8] })).toMatchObject({ counter: 2, code: 4 });
    await waitUntil('the controller ran three commands', () => emu.controller.commandsRun === 3);
    const t = await runAction('hexrot', session, 'nextTelemetry', { skip: 1 });
    expect(value(t, 'state')).toBe(2);
    expect(value(t, 'cmd_position')).toBe(8);
    const now = (await runAction('hexrot', session, 'nextTelemetry', { skip: 0 })) as { count: number };
    expect(now.count).toBe((t as { count: number }).count);
    await expect(runAction('hexrot', session, 'nextTelemetry', { skip: -1 })).rejects.toThrow(/skip must be 0 or more/);
    await expect(runAction('hexrot', session, 'command', { name: 'MOVE', params: [1] })).rejects.toThrow(/use putCommand/);
  });

  it('keeps decoding after 10 stray bytes on the telemetry socket (one error, the next frame found)', async () => {
    const { link, session } = legacyBench();
    const emu = await emulatorFor(link);
    await waitUntil('ready', () => session.ready);
    await runAction('hexrot', session, 'nextTelemetry', { skip: 1 });
    expect(emu.sendRaw(Buffer.alloc(10, 0xa5))).toBe(true);
    const before = ((await runAction('hexrot', session, 'nextTelemetry', { skip: 0 })) as { count: number }).count;
    const after = (await runAction('hexrot', session, 'nextTelemetry', { skip: 5, timeoutS: 3 })) as { count: number };
    expect(after.count).toBeGreaterThanOrEqual(before + 5);
    expect(session.counters.resyncs).toBe(1);
    expect(session.lastError).toMatch(/unknown frame id 42405 in header \[a5 a5 .*searching for the next frame header: found after 10 bytes/);
    expect(link.state).toBe('Connected');
  });

  it('goes back to Connecting when either socket drops, says which, and reconnects', async () => {
    const { link, session, sockets } = legacyBench();
    const emu = await emulatorFor(link);
    await waitUntil('connected', () => link.state === 'Connected');
    emu.dropConnection();
    await waitUntil('the drop', () => link.state !== 'Connected');
    expect(link.lastError).toMatch(/closed the (telemetry|command) socket/);
    expect(sockets.some((s) => s.change?.connected === false)).toBe(true);
    await waitUntil('reconnected', () => link.state === 'Connected' && session.ready, 5000);
    expect(link.counters.connects).toBe(2);
  });

  it('refuses a second controller on a port, and says which socket is missing after the connect time limit', async () => {
    const { link } = legacyBench({}, 0.1);
    await waitUntil('the ports', () => link.sockets.telemetryPort !== null);
    const first = net.createConnection({ host: '127.0.0.1', port: link.sockets.telemetryPort! });
    const second = net.createConnection({ host: '127.0.0.1', port: link.sockets.telemetryPort! });
    second.on('error', () => {});
    cleanups.push(() => { first.destroy(); second.destroy(); });
    await new Promise((r) => second.once('close', r));
    expect(link.refusedConnections).toBe(1);
    await waitUntil('the connect time limit', () => /did not connect within 0.1 s/.test(link.lastError ?? ''));
    expect(link.lastError).toMatch(/telemetry port \d+ connected, command port \d+ waiting/);
    expect(link.state).toBe('Connecting');
    expect(link.write(new Uint8Array(58))).toBe(false);
  });

  it('listens on P and P + 1 when given a port', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const p = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const link = new LegacyServerLink({ host: '127.0.0.1', port: p });
    cleanups.push(() => link.close());
    link.open();
    await waitUntil('listening', () => link.sockets.commandPort !== null || /cannot listen/.test(link.lastError ?? ''));
    if (link.sockets.commandPort !== null) expect([link.sockets.telemetryPort, link.sockets.commandPort]).toEqual([p, p + 1]);
    else expect(link.lastError).toMatch(new RegExp(`:${p + 1} for the command socket`));
  });
});
