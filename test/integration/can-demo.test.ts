// The demo bench has a CAN device: a Scrutiny board whose byte stream runs over the
// engine's virtual bus. Its session becomes ready over CAN, and its CAN monitor has
// counted the traffic from the start, without being asked first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHost, type RunningHost } from '../../app/host/server';
import { BenchscopeClient, type WebSocketCtor } from '../../shared/client';

describe('CAN on the demo bench', () => {
  let host: RunningHost;
  const client = new BenchscopeClient();

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, statusMs: 200 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
  });

  afterAll(async () => {
    client.disconnect();
    await host?.close();
  });

  it('runs a Scrutiny board over the virtual bus and monitors its frames from the first one', async () => {
    await expect.poll(() => client.getLatestServerStatus()?.sessions.find((s) => s.name === 'Demo Scrutiny board on CAN')?.deviceCommState, { timeout: 15_000 }).toBe('ConnectedReady');
    const session = client.getLatestServerStatus()!.sessions.find((s) => s.name === 'Demo Scrutiny board on CAN')!;
    expect(session.deviceLink).toMatchObject({ type: 'can', demoMode: true, operational: true });
    expect(session.deviceLink.endpoint).toBe('can virtual demo tx 0x100 rx 0x200');
    const snap = await client.request('canMonitor', { sessionId: session.sessionId });
    const tx = snap.rows.find((r) => r.id === 0x100 && r.dir === 'tx');
    const rx = snap.rows.find((r) => r.id === 0x200 && r.dir === 'rx');
    // The handshake (Discover, Connect, the info poll) went by before this first request, and was counted.
    expect(tx?.count).toBeGreaterThan(10);
    expect(rx?.count).toBeGreaterThan(10);
    // The watched variables stream over CAN into the store.
    const signals = await client.listSignals(session.sessionId);
    const sine = signals.find((s) => s.name === '/global/demo/sine')!;
    await expect.poll(async () => (await client.listSignals(session.sessionId)).find((s) => s.id === sine.id)!.total, { timeout: 5000 }).toBeGreaterThan(5);
  });
});
