// One DCS session in the host takes several hardware servers on its one
// listening port, as DCSS does: each connection handshakes on its own, a
// second DHS with a name already connected is refused with the reason kept,
// and a DHS that drops comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { DEFAULT_HARDWARE_SERVER } from '../../main/protocols/dcs/config';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';

interface Tree {
  hardwareServers: { name: string; connected: boolean; peer: string | null; connects: number; lastRejection: string | null }[];
  motors: { name: string; dhs: string; position: number; moving: boolean }[];
}

describe('DCS session on the host: several hardware servers at once', () => {
  let host: RunningHost;
  let port = 0;
  let sessionId = '';
  const emulators: DcsEmulator[] = [];
  const tree = async () => (await host.hub.call('sessionAction', { sessionId, action: 'devices' })) as Tree;
  const server = async (name: string) => (await tree()).hardwareServers.find((s) => s.name === name)!;

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    const options = {
      hardwareServers: [
        DEFAULT_HARDWARE_SERVER,
        { name: 'tabledhs', address: '*', protocol: 1, realMotors: [{ name: 'table_z', units: 'mm', upperLimit: 10, lowerLimit: -10, speed: 20000, acceleration: 100 }] },
      ],
    };
    ({ sessionId } = await host.hub.call('createSession', { protocol: 'dcs', name: 'DCSS', linkType: 'tcp-server', linkConfig: { host: '127.0.0.1', port: 0 }, options }));
    for (let i = 0; i < 100 && !port; i++) {
      const endpoint = host.hub.status().sessions.find((s) => s.sessionId === sessionId)!.deviceLink.endpoint;
      port = Number(/:(\d+)$/.exec(endpoint)?.[1] ?? 0);
      if (!port) await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    await host?.close();
  });

  it('two DHS handshake on one port, each in its own protocol version, and both are driven', async () => {
    expect(port).toBeGreaterThan(0);
    const a = await startDcsEmulator({ host: '127.0.0.1', port, name: 'simdhs', reconnectMs: 100, tickMs: 20 });
    const b = await startDcsEmulator({ host: '127.0.0.1', port, name: 'tabledhs', reconnectMs: 100, tickMs: 20 });
    emulators.push(a, b);
    await a.whenRegistered();
    await b.whenRegistered();
    expect(b.registered.has('table_z')).toBe(true);
    expect(a.registered.has('table_z')).toBe(false);
    await expect.poll(async () => (await tree()).hardwareServers.filter((s) => s.connected).map((s) => s.name).sort(), { timeout: 5000 }).toEqual(['simdhs', 'tabledhs']);
    const status = host.hub.status().sessions.find((s) => s.sessionId === sessionId)!;
    expect(status.deviceCommState).toBe('ConnectedReady');
    // Listening is not a connection: only the two DHS were greeted, no phantom peer.
    const lines = await host.hub.call('getConsole', { sessionId, limit: 1000 });
    expect(lines.filter((l) => l.text.includes('sent stoc_send_client_type')).length).toBe(2);
    expect(lines.some((l) => l.text.includes('address not reported'))).toBe(false);

    // Each motor moves through its own DHS.
    await host.hub.call('sessionAction', { sessionId, action: 'moveMotor', args: { motor: 'table_z', position: 2.5 } });
    await host.hub.call('sessionAction', { sessionId, action: 'moveMotor', args: { motor: 'sample_x', position: -1 } });
    const z = await host.hub.call('sessionAction', { sessionId, action: 'waitMotor', args: { motor: 'table_z', timeoutS: 10 } }) as { position: number; status: string };
    const x = await host.hub.call('sessionAction', { sessionId, action: 'waitMotor', args: { motor: 'sample_x', timeoutS: 10 } }) as { position: number; status: string };
    expect(z).toMatchObject({ position: 2.5, status: 'normal' });
    expect(x).toMatchObject({ position: -1, status: 'normal' });
    const info = await host.hub.call('getDeviceInfo', { sessionId });
    expect(String(info!.extra.hardwareServers)).toMatch(/simdhs@127\.0\.0\.1:\d+ v2, tabledhs@127\.0\.0\.1:\d+ v1|tabledhs@127\.0\.0\.1:\d+ v1, simdhs@127\.0\.0\.1:\d+ v2/);
  });

  it('a second DHS under a name already connected is refused with the reason, the first stays', async () => {
    const before = await server('simdhs');
    const dup = await startDcsEmulator({ host: '127.0.0.1', port, name: 'simdhs', reconnectMs: 60_000, tickMs: 20 });
    emulators.push(dup);
    await expect.poll(async () => (await server('simdhs')).lastRejection, { timeout: 5000 }).toMatch(/simdhs/);
    const after = await server('simdhs');
    expect(after.connected).toBe(true);
    expect(after.peer).toBe(before.peer);
    await dup.close();
  });

  it('counts refused connections in the session\'s counters, and a DHS that reconnects at once does not spin', async () => {
    const status = () => host.hub.status().sessions.find((s) => s.sessionId === sessionId)!;
    const before = status().counters.refusedConnections ?? 0;
    // A DHS this configuration does not know, reconnecting 100 ms after each close.
    const stranger = await startDcsEmulator({ host: '127.0.0.1', port, name: 'stranger', reconnectMs: 100, tickMs: 20 });
    try {
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      await stranger.close();
    }
    const refused = (status().counters.refusedConnections ?? 0) - before;
    // Held 1 s per refusal, then 100 ms: two or three attempts in 2.5 s, not thousands.
    expect(refused).toBeGreaterThanOrEqual(2);
    expect(refused).toBeLessThanOrEqual(3);
    // Through the API, as a client sees it.
    const api = await host.hub.call('getServerStatus', {});
    expect(api.sessions.find((s) => s.sessionId === sessionId)!.counters.refusedConnections).toBe(before + refused);
    expect((await server('simdhs')).connected).toBe(true);
  });

  it('a DHS that drops is taken back, and the other carries on', async () => {
    const b = emulators[1]!;
    const connects = (await server('tabledhs')).connects;
    b.dropConnection();
    await expect.poll(async () => (await server('tabledhs')).connects, { timeout: 5000 }).toBeGreaterThan(connects);
    await expect.poll(async () => (await server('tabledhs')).connected, { timeout: 5000 }).toBe(true);
    expect((await server('simdhs')).connected).toBe(true);
    await host.hub.call('sessionAction', { sessionId, action: 'moveMotor', args: { motor: 'table_z', position: -3 } });
    const z = await host.hub.call('sessionAction', { sessionId, action: 'waitMotor', args: { motor: 'table_z', timeoutS: 10 } }) as { position: number };
    expect(z.position).toBe(-3);
  });
});
