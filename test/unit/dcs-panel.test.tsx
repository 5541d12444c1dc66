// @vitest-environment happy-dom
// The DCS panel against a real headless host listening as DCSS and the emulated DHS:
// device tree, a motor move to completion, an operation and its timeline, the log.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketCtor } from '../../shared/client/client';
import { startHost, type RunningHost } from '../../app/host/server';
import { startDcsEmulator, type DcsEmulator } from '../../main/protocols/dcs/emulator';
import { client } from '../../renderer/src/hub';
import { DcsPanel } from '../../renderer/src/protocols/dcs/DcsPanel';
import { validateDcsOptions } from '../../renderer/src/protocols/dcs/options';

afterEach(cleanup);

describe('DCS options form', () => {
  it('takes empty text for the default configuration and checks the JSON shape', () => {
    expect(validateDcsOptions({ configuration: '  ' })).toEqual({ ok: true, options: {} });
    expect(validateDcsOptions({ configuration: '{"hardwareServers": [' })).toMatchObject({ ok: false, errors: { configuration: expect.stringMatching(/Not valid JSON/) } });
    expect(validateDcsOptions({ configuration: '{"hardwareServers": []}' })).toMatchObject({ ok: false, errors: { configuration: expect.stringMatching(/at least one/) } });
    expect(validateDcsOptions({ configuration: '{"hardwareServers": [{"name": "a", "shutters": {}}]}' })).toMatchObject({ ok: false, errors: { configuration: 'hardwareServers[0].shutters must be a list' } });
    const good = validateDcsOptions({ configuration: '{"hardwareServers": [{"name": "a", "realMotors": [{"name": "m"}]}]}' });
    expect(good).toEqual({ ok: true, options: { hardwareServers: [{ name: 'a', realMotors: [{ name: 'm' }] }] } });
  });
});

describe('DCS panel', () => {
  let host: RunningHost;
  let dhs: DcsEmulator;
  let sessionId: string;

  beforeAll(async () => {
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    sessionId = await client.createSession({ protocol: 'dcs', linkType: 'tcp-server', linkConfig: { host: '127.0.0.1', port: 0 } });
    let port = 0;
    for (let i = 0; i < 50 && !port; i++) {
      const s = (await client.requestServerStatusUpdate({ wait: true }))!.sessions.find((x) => x.sessionId === sessionId)!;
      port = Number(s.deviceLink.endpoint.split(':').pop());
    }
    dhs = await startDcsEmulator({ port, reconnectMs: 100, tickMs: 20 });
    await client.waitDeviceReady(sessionId, 5);
    await dhs.whenRegistered();
    await client.request('subscribeConsole', { sessionId });
  });

  afterAll(async () => {
    await dhs.close();
    client.disconnect();
    await host.close();
  });

  it('moves a motor from the panel until completion, and runs an operation with its timeline', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<DcsPanel session={status} />);
    const servers = await screen.findByRole('table', { name: 'Hardware servers' });
    await waitFor(() => expect(within(servers).getByText(/^connected from/)).toBeTruthy());
    const motors = screen.getByRole('table', { name: 'Motors' });
    const row = within(motors).getByText('sample_x').closest('tr')!;
    fireEvent.change(within(row as HTMLElement).getByLabelText('Target of sample_x'), { target: { value: '3' } });
    fireEvent.click(within(row as HTMLElement).getByRole('button', { name: 'Move' }));
    await waitFor(() => expect(screen.getByTestId('dcs-position-sample_x').textContent).toBe('3 mm'), { timeout: 5000 });
    const timeline = screen.getByRole('table', { name: 'Timeline' });
    await waitFor(() => expect(within(timeline).getByText('sample_x at 3 (normal)')).toBeTruthy());

    fireEvent.change(screen.getByLabelText('Operation arguments'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(within(timeline).getByText(/^sim_scan 1\.\d+ normal 2 peak 1$/)).toBeTruthy(), { timeout: 5000 });
    expect(within(timeline).getAllByText('operation update')).toHaveLength(2);

    fireEvent.change(screen.getByLabelText('Filter messages'), { target: { value: 'stoh_start_operation' } });
    await waitFor(() => expect(screen.getByText(/^stoh_start_operation sim_scan 1\.\d+ 2$/)).toBeTruthy());
  });

  it('shows a refused request inline', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<DcsPanel session={status} />);
    const motors = await screen.findByRole('table', { name: 'Motors' });
    const row = within(motors).getByText('sample_x').closest('tr') as HTMLElement;
    fireEvent.change(within(row).getByLabelText('Target of sample_x'), { target: { value: '400' } });
    fireEvent.click(within(row).getByRole('button', { name: 'Move' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/moveMotor: move refused: 400 is above the upper limit 40 of sample_x/);
  });
});
