// In the host, DCSS lets a refused DHS go: the TCP server link reports the
// peer's address (so the allowed-address rule applies) and drops the peer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../app/host/server';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { connectRawDhs } from './dcs-support';

function v1(text: string): Uint8Array {
  const frame = new Uint8Array(200);
  frame.set(new TextEncoder().encode(text));
  return frame;
}

describe('DCS session on the host: refused DHS are let go', () => {
  let host: RunningHost;
  let port = 0;
  let sessionId = '';
  let dhs: DcsEmulator | undefined;

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    ({ sessionId } = await host.hub.call('createSession', { protocol: 'dcs', name: 'DCSS', linkType: 'tcp-server', linkConfig: { host: '127.0.0.1', port: 0 }, options: {} }));
    for (let i = 0; i < 50 && !port; i++) {
      const endpoint = host.hub.status().sessions.find((s) => s.sessionId === sessionId)!.deviceLink.endpoint;
      port = Number(/:(\d+)$/.exec(endpoint)?.[1] ?? 0);
      if (!port) await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterAll(async () => {
    await dhs?.close();
    await host?.close();
  });

  it('closes the connection of a DHS with an unknown name, then takes the real one', async () => {
    expect(port).toBeGreaterThan(0);
    const raw = await connectRawDhs(port);
    await raw.waitFor((t) => t.startsWith('stoc_send_client_type'));
    raw.send(v1('htos_client_is_hardware nosuchdhs'));
    const closed = await Promise.race([raw.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
    expect(closed).toBe(true);

    dhs = await startDcsEmulator({ host: '127.0.0.1', port, reconnectMs: 100, tickMs: 20 });
    await dhs.whenRegistered();
    const status = host.hub.status().sessions.find((s) => s.sessionId === sessionId)!;
    expect(status.deviceLink.operational).toBe(true);
  });
});
