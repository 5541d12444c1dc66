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
import { useState } from 'react';
import { DcsOptionsFields } from '../../renderer/src/protocols/dcs/DcsOptionsFields';
import { dcsOptionsDraft, numberFromInput, validateDcsOptions, type DcsOptionsDraft } from '../../renderer/src/protocols/dcs/options';

afterEach(cleanup);

describe('DCS options form', () => {
  it('validates with the engine\'s own schema, errors keyed by the field\'s path', () => {
    expect(validateDcsOptions(dcsOptionsDraft())).toMatchObject({ ok: true });
    const draft = dcsOptionsDraft();
    const motors = draft.config.hardwareServers[0]!.realMotors as Record<string, unknown>[];
    motors[0]!.speed = 'fast';
    const r = validateDcsOptions(draft);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors['hardwareServers.0.realMotors.0.speed']).toBe('Speed must be a number');
    motors[0]!.speed = 100;
    motors[1]!.name = 'sample_x';
    const dup = validateDcsOptions(draft);
    expect(dup.ok ? null : dup.errors['hardwareServers.0.realMotors.1.name']).toMatch(/already defined/);
    expect(validateDcsOptions({ config: { hardwareServers: [] } })).toMatchObject({ ok: false, errors: { hardwareServers: expect.stringMatching(/At least one/) } });
    expect(numberFromInput(' 12.5 ')).toBe(12.5);
    expect(numberFromInput('12,5')).toBe('12,5');
  });

  it('edits servers and devices in forms, shows each error beside its field, and takes pasted JSON', async () => {
    function Harness() {
      const [draft, setDraft] = useState<DcsOptionsDraft>(dcsOptionsDraft());
      const v = validateDcsOptions(draft);
      return (
        <>
          <DcsOptionsFields idPrefix="t" draft={draft} errors={v.ok ? {} : v.errors} onChange={setDraft} />
          <output data-testid="result">{v.ok ? JSON.stringify(v.options) : 'invalid'}</output>
        </>
      );
    }
    render(<Harness />);
    const server = screen.getByRole('group', { name: 'Hardware server simdhs' });
    fireEvent.change(within(server).getByLabelText('Speed of real motor 1'), { target: { value: 'fast' } });
    expect(within(server).getByRole('alert').textContent).toContain('real motor 1, speed: Speed must be a number');
    expect(within(server).getByLabelText('Speed of real motor 1').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('result').textContent).toBe('invalid');
    fireEvent.change(within(server).getByLabelText('Speed of real motor 1'), { target: { value: '5000' } });
    expect(screen.getByTestId('result').textContent).not.toBe('invalid');

    // A second hardware server with a motor of its own, in protocol 1.
    fireEvent.click(screen.getByRole('button', { name: 'Add hardware server' }));
    const second = screen.getByRole('group', { name: 'Hardware server dhs2' });
    fireEvent.change(within(second).getByLabelText('Protocol'), { target: { value: '1' } });
    fireEvent.click(within(second).getByRole('button', { name: 'Add real motor' }));
    fireEvent.change(within(second).getByLabelText('Name of real motor 1'), { target: { value: 'table_z' } });
    fireEvent.change(within(second).getByLabelText('Upper limit of real motor 1'), { target: { value: '10' } });
    const options = JSON.parse(screen.getByTestId('result').textContent!) as { hardwareServers: { name: string; protocol: number; realMotors: { name: string; upperLimit: number; speed: number }[] }[] };
    expect(options.hardwareServers.map((h) => [h.name, h.protocol])).toEqual([['simdhs', 2], ['dhs2', 1]]);
    expect(options.hardwareServers[0]!.realMotors[0]!.speed).toBe(5000);
    expect(options.hardwareServers[1]!.realMotors[0]).toMatchObject({ name: 'table_z', upperLimit: 10 });

    // Pasted JSON replaces the configuration; bad JSON is refused with a reason.
    const json = screen.getByLabelText('DCS configuration as JSON');
    fireEvent.change(json, { target: { value: '{"hardwareServers": [' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this JSON' }));
    expect(screen.getByText(/Not a DCS configuration/)).toBeTruthy();
    fireEvent.change(json, { target: { value: JSON.stringify({ hardwareServers: [{ name: 'only', address: '*', shutters: [{ name: 'bs' }] }] }) } });
    fireEvent.click(screen.getByRole('button', { name: 'Use this JSON' }));
    expect(screen.getByRole('group', { name: 'Hardware server only' })).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Hardware server simdhs' })).toBeNull();
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

  it('refuses operation arguments DCS cannot carry (a quoted one holding a space, an empty one) beside the field, and sends nothing', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<DcsPanel session={status} />);
    const field = await screen.findByLabelText('Operation arguments');
    const start = screen.getByRole('button', { name: 'Start' }) as HTMLButtonElement;
    const sentBefore = ((await client.request('getConsole', { sessionId, limit: 1000 })) as { text: string }[]).filter((l) => l.text.startsWith('stoh_start_operation')).length;
    fireEvent.change(field, { target: { value: '3 "two words"' } });
    expect(screen.getByRole('alert').textContent).toBe('argument 2 ("two words") holds a space: DCS carries operation arguments as space-separated tokens, it would arrive as 2 arguments');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(start.disabled).toBe(true);
    fireEvent.click(start);
    fireEvent.change(field, { target: { value: "3 ''" } });
    expect(screen.getByRole('alert').textContent).toMatch(/^argument 2 is empty: .* an empty one cannot be sent$/);
    fireEvent.change(field, { target: { value: '3 "ok"' } });
    expect(screen.queryByRole('alert')).toBeNull();
    expect(start.disabled).toBe(false);
    const sentAfter = ((await client.request('getConsole', { sessionId, limit: 1000 })) as { text: string }[]).filter((l) => l.text.startsWith('stoh_start_operation')).length;
    expect(sentAfter).toBe(sentBefore);
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
