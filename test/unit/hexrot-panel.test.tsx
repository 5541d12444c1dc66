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
import { SIMPLE_LAYOUT_TEXT } from '../../shared/api/hexrot';
import { stubCanvas } from './canvas-stub';

stubCanvas();
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
    expect(screen.getByRole('alert').textContent).toBe('Layout line 4, column 12: unknown type "dubble": use an integer type of 8 to 64 bits, float, double, bool or char (C or ctypes names such as c_double, c_uint)');
    expect(created).toBeNull();
    fireEvent.change(text, { target: { value: '#pragma config C 3\n#pragma telemetry T 2\nstruct C { int a; };\nstruct T { double b; };' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).not.toBeNull());
    await client.removeSession(created!);
  });

  it('shows live telemetry as field, value and unit, state fields by name', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<HexrotPanel session={status} />);
    const table = await screen.findByRole('table', { name: 'Telemetry' });
    const row = (field: string) => [...table.querySelectorAll(`tr[data-field="${field}"] td`)].map((td) => td.textContent);
    await waitFor(() => expect(row('state')).toEqual(['STANDBY (0)', '']));
    expect(row('application_status')).toEqual(['1024', '']);
    expect(row('enabled_substate')).toEqual(['STATIONARY (0)', '']);
    expect(row('curr_position')[1]).toBe('mm');
    // Live: the emulated controller's position creeps, and the table follows it.
    const first = Number(row('curr_position')[0]);
    await waitFor(() => expect(Number(row('curr_position')[0])).toBeGreaterThan(first), { timeout: 3000 });
    const config = screen.getByRole('table', { name: 'Configuration' });
    expect(within(config).getByText('max_velocity').closest('tr')!.textContent).toBe('max_velocity47mm/s');
  });

  it('starts a custom layout from the built-in one, numbers its lines, marks the refused line, and names the layout as the user did', async () => {
    // A controller of its own: the reference accepts one client at a time.
    const rotator = await startHexrotEmulator({ port: 0, rate: 20 });
    let created: string | null = null;
    render(<NewSessionDialog portList={{ ports: [], error: null, loading: false }} onCreate={async (r) => { created = await client.createSession(r); }} onClose={() => {}} />);
    fireEvent.change(screen.getByLabelText('Protocol'), { target: { value: 'hexrot' } });
    fireEvent.change(screen.getByLabelText('Port'), { target: { value: String(rotator.port) } });
    fireEvent.change(screen.getByLabelText('Layout'), { target: { value: 'custom' } });
    const text = screen.getByLabelText('Layout text') as HTMLTextAreaElement;
    expect(text.value).toBe(SIMPLE_LAYOUT_TEXT);
    const gutter = () => [...screen.getByTestId('layout-line-numbers').querySelectorAll('span')];
    expect(gutter().map((s) => s.textContent)).toEqual(SIMPLE_LAYOUT_TEXT.split('\n').map((_, i) => String(i + 1)));
    // The controllers' own structures are ctypes: c_uint and c_double are type names here.
    const ctypesText = SIMPLE_LAYOUT_TEXT.replace('uint32_t application_status', 'c_uint application_status').replace(/\bdouble (\w+);/g, 'c_doubel $1;');
    fireEvent.change(text, { target: { value: ctypesText } });
    fireEvent.change(screen.getByLabelText('Layout name'), { target: { value: 'Bench rotator' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(text.getAttribute('aria-invalid')).toBe('true'));
    const badLine = ctypesText.split('\n').findIndex((l) => l.includes('c_doubel')) + 1;
    expect(screen.getByRole('alert').textContent).toMatch(new RegExp(`^Layout line ${badLine}, column 3: unknown type "c_doubel"`));
    expect(gutter().filter((s) => s.className === 'layout-error-line').map((s) => s.textContent)).toEqual([String(badLine)]);
    expect(created).toBeNull();
    fireEvent.change(text, { target: { value: ctypesText.replaceAll('c_doubel', 'c_double') } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(created).not.toBeNull());
    try {
      await client.waitDeviceReady(created!, 5);
      const layout = await client.sessionAction<{ json: { name: string } }>(created!, 'layout');
      expect(layout.json.name).toBe('Bench rotator');
      const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === created)!;
      cleanup();
      render(<HexrotPanel session={status} />);
      await waitFor(() => expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('ControllerBench rotator, current generation'));
      const table = await screen.findByRole('table', { name: 'Telemetry' });
      await waitFor(() => expect(table.querySelector('tr[data-field="application_status"] td')!.textContent).toBe('1024'));
    } finally {
      await client.removeSession(created!);
      await rotator.close();
    }
  });

  it('builds session options from the form draft', () => {
    const d = hexrotOptionsDraft();
    expect(validateHexrotOptions(d)).toEqual({ ok: true, options: { generation: 'current', layout: 'simple', commandTimeoutS: 5 } });
    expect(validateHexrotOptions({ ...d, layoutChoice: 'custom', layoutText: ' ' })).toMatchObject({ ok: false, errors: { layoutText: expect.stringMatching(/Paste/) } });
    expect(validateHexrotOptions({ ...d, commandTimeoutS: '0' })).toMatchObject({ ok: false, errors: { commandTimeoutS: expect.any(String) } });
    expect(validateHexrotOptions({ ...d, generation: 'legacy', legacyHeader: 'tai' })).toMatchObject({ ok: true, options: { generation: 'legacy', legacyHeader: 'tai' } });
    expect(validateHexrotOptions({ ...d, layoutChoice: 'custom', layoutName: ' Bench rotator ' })).toEqual({ ok: true, options: { generation: 'current', layout: SIMPLE_LAYOUT_TEXT, layoutName: 'Bench rotator', commandTimeoutS: 5 } });
    expect(validateHexrotOptions({ ...d, layoutChoice: 'custom' })).toEqual({ ok: true, options: { generation: 'current', layout: SIMPLE_LAYOUT_TEXT, commandTimeoutS: 5 } });
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
