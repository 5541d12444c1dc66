// @vitest-environment happy-dom
// The hexrot panel against a real headless host and the emulated controller:
// config table, command form built from the layout, history with outcomes.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketCtor } from '../../shared/client/client';
import { startHost, type RunningHost } from '../../app/host/server';
import { startHexrotEmulator, type HexrotEmulator } from '../../main/protocols/hexrot/emulator';
import { NewSessionDialog } from '../../renderer/src/forms/NewSessionDialog';
import { client } from '../../renderer/src/hub';
import { HexrotPanel } from '../../renderer/src/protocols/hexrot/HexrotPanel';
import { hexrotOptionsDraft, validateHexrotOptions } from '../../renderer/src/protocols/hexrot/options';

afterEach(cleanup);

describe('hexrot panel', () => {
  let host: RunningHost;
  let emulator: HexrotEmulator;
  let sessionId: string;

  beforeAll(async () => {
    emulator = await startHexrotEmulator({ port: 0, rate: 20 });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    sessionId = await client.createSession({ protocol: 'hexrot', linkType: 'tcp', linkConfig: { host: '127.0.0.1', port: emulator.port! } });
    await client.waitDeviceReady(sessionId, 5);
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emulator.close();
  });

  it('shows the config, names the parameters from the layout, and lists commands with their outcome', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<HexrotPanel session={status} />);
    const config = await screen.findByRole('table', { name: 'Configuration' });
    await waitFor(() => expect(within(config).getByText('max_velocity').closest('tr')!.textContent).toContain('47'));
    const select = await screen.findByLabelText('Command');
    await waitFor(() => expect((select as HTMLSelectElement).value).toBe('SET_STATE'));
    expect(screen.getByLabelText('param1: state: ENABLE=2, STANDBY=3, CLEAR_ERROR=6, FAULT=8')).toBeTruthy();
    fireEvent.change(select, { target: { value: 'MOVE' } });
    fireEvent.change(screen.getByLabelText('param1: position'), { target: { value: '40' } });
    expect(screen.getByLabelText('param2 (unused)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const alert = await screen.findByTestId('hexrot-command-error');
    expect(alert.textContent).toMatch(/MOVE: NO_ACK: state=STANDBY \(0\); must be ENABLED \(2\)/);
    const history = screen.getByRole('table', { name: 'Command history' });
    await waitFor(() => expect(within(history).getByText('NO_ACK')).toBeTruthy());
    expect(within(history).getByText('MOVE')).toBeTruthy();
  });

  it('creates a session from the New session dialog, and shows a refused layout inline with line and column', async () => {
    let created: string | null = null;
    render(<NewSessionDialog portList={{ ports: [], error: null, loading: false }} onCreate={async (r) => { created = await client.createSession(r); }} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText('Protocol'), { target: { value: 'hexrot' } });
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('6210');
    fireEvent.change(screen.getByLabelText('Port'), { target: { value: String(emulator.port) } });
    fireEvent.change(screen.getByLabelText('Layout'), { target: { value: 'custom' } });
    fireEvent.change(screen.getByLabelText('Layout text'), { target: { value: '#pragma config C 3\n#pragma telemetry T 2\nstruct C { int a; };\nstruct T { dubble b; };' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const text = screen.getByLabelText('Layout text');
    await waitFor(() => expect(text.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByRole('alert').textContent).toBe('Layout line 4, column 12: unknown type "dubble": use an integer type of 8 to 64 bits, float, double, bool or char');
    expect(created).toBeNull();
    fireEvent.change(text, { target: { value: '#pragma config C 3\n#pragma telemetry T 2\nstruct C { int a; };\nstruct T { double b; };' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).not.toBeNull());
    await client.removeSession(created!);
  });

  it('builds session options from the form draft', () => {
    const d = hexrotOptionsDraft();
    expect(validateHexrotOptions(d)).toEqual({ ok: true, options: { generation: 'current', layout: 'simple', commandTimeoutS: 5 } });
    expect(validateHexrotOptions({ ...d, layoutChoice: 'custom', layoutText: ' ' })).toMatchObject({ ok: false, errors: { layoutText: expect.stringMatching(/Paste/) } });
    expect(validateHexrotOptions({ ...d, commandTimeoutS: '0' })).toMatchObject({ ok: false, errors: { commandTimeoutS: expect.any(String) } });
    expect(validateHexrotOptions({ ...d, generation: 'legacy', legacyHeader: 'tai' })).toMatchObject({ ok: true, options: { generation: 'legacy', legacyHeader: 'tai' } });
  });
  it('shows each socket of a legacy two-port link, waiting then connected', async () => {
    const legacyId = await client.createSession({ protocol: 'hexrot', name: 'legacy', linkType: 'hexrot-legacy-server', linkConfig: { host: '127.0.0.1', port: 0 } });
    let status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === legacyId)!;
    for (let i = 0; i < 50 && !status.deviceLink.sockets?.[1]?.port; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === legacyId)!;
    }
    const { rerender } = render(<HexrotPanel session={status} />);
    const sockets = screen.getByRole('list', { name: 'Sockets' });
    expect(sockets.textContent).toMatch(/telemetry socket \(port \d+\): waiting for the controller/);
    expect(sockets.textContent).toMatch(/command socket \(port \d+\): waiting for the controller/);
    const [telemetry, command] = status.deviceLink.sockets!;
    const legacy = await startHexrotEmulator({ generation: 'legacy', host: '127.0.0.1', port: telemetry!.port!, commandPort: command!.port!, rate: 20 });
    try {
      await client.waitDeviceReady(legacyId, 10);
      status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === legacyId)!;
      rerender(<HexrotPanel session={status} />);
      expect(screen.getByRole('list', { name: 'Sockets' }).textContent).not.toMatch(/waiting/);
      expect(screen.getByRole('list', { name: 'Sockets' }).querySelectorAll('li').length).toBe(2);
    } finally {
      await legacy.close();
      await client.removeSession(legacyId);
    }
  });
});
