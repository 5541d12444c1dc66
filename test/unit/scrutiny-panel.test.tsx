// @vitest-environment happy-dom
// The Scrutiny options form and panel against a real headless host and the emulated
// device on UDP loopback: device info, RPV values and writes, variable search and watch.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketCtor } from '../../shared/client/client';
import { startHost, type RunningHost } from '../../app/host/server';
import { startScrutinyEmulator, type ScrutinyEmulator } from '../../main/protocols/scrutiny/emulator';
import { EMU_FIRMWARE_ID } from '../../main/protocols/scrutiny/emulator-memory';
import { client } from '../../renderer/src/hub';
import { ScrutinyPanel } from '../../renderer/src/protocols/scrutiny/ScrutinyPanel';
import { treeRows } from '../../renderer/src/protocols/scrutiny/VariableBrowser';
import { scrutinyOptionsDraft, validateScrutinyOptions } from '../../renderer/src/protocols/scrutiny/options';

afterEach(cleanup);

describe('Scrutiny options form', () => {
  it('turns the draft into engine options and names each bad field', () => {
    expect(validateScrutinyOptions({ ...scrutinyOptionsDraft(), watchPaths: '/global/demo/sine, /rpv/x1000' })).toEqual({
      ok: true, options: { pollHz: null, pollRpvs: true, requestTimeoutMs: 500, memoryEndianness: 'little', watchPaths: ['/global/demo/sine', '/rpv/x1000'] },
    });
    expect(validateScrutinyOptions({ ...scrutinyOptionsDraft(), pollHz: '50' })).toMatchObject({ ok: true, options: { pollHz: 50 } });
    expect(validateScrutinyOptions({ ...scrutinyOptionsDraft(), pollHz: 'fast', requestTimeoutMs: '10', watchPaths: 'sine' })).toEqual({
      ok: false,
      errors: {
        pollHz: 'Poll rate is 0 to 10000 cycles/s (0 stops polling; empty: as fast as the device answers)',
        requestTimeoutMs: 'Request timeout is a whole number from 50 to 10000 ms',
        watchPaths: '"sine" is not a path (paths start with /, e.g. /global/demo/sine or /rpv/x1000)',
      },
    });
  });
});

describe('Scrutiny variable tree', () => {
  const leaf = (path: string) => ({ path, kind: 'var' as const });
  const entries = [leaf('/global/demo/sine'), leaf('/rpv/x1000'), leaf('/global/demo/motor/speed'), leaf('/global/demo/motor/mode'), leaf('/global/top')];
  const show = (open: (f: string) => boolean) => treeRows(entries, open).map((r) => `${' '.repeat(r.depth)}${'folder' in r ? `${r.open ? '-' : '+'}${r.name}` : r.name}`);

  it('groups leaves under their folders in path order, closed folders hiding their content', () => {
    expect(show(() => true)).toEqual(['-global', ' -demo', '  -motor', '   mode', '   speed', '  sine', ' top', '-rpv', ' x1000']);
    expect(show((f) => f !== '/global/demo')).toEqual(['-global', ' +demo', ' top', '-rpv', ' x1000']);
    expect(show(() => false)).toEqual(['+global', '+rpv']);
  });
});

describe('Scrutiny panel', () => {
  let host: RunningHost;
  let emu: ScrutinyEmulator;
  let sessionId: string;

  beforeAll(async () => {
    emu = await startScrutinyEmulator({ transport: 'udp' });
    host = await startHost({ port: 0, userDataDir: null, demoOnFirstStart: false, statusMs: 100 });
    await client.connect('127.0.0.1', host.port, { token: host.token, WebSocket: WebSocket as unknown as WebSocketCtor });
    sessionId = await client.createSession({ protocol: 'scrutiny', linkType: 'udp', linkConfig: { host: '127.0.0.1', port: emu.port! } });
    await client.waitDeviceReady(sessionId, 5);
  });

  afterAll(async () => {
    client.disconnect();
    await host.close();
    await emu.close();
  });

  it('shows the device, writes an RPV from the table and watches a variable found by search', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<ScrutinyPanel session={status} />);
    await screen.findByText(EMU_FIRMWARE_ID);
    const table = await screen.findByRole('table');
    const row = (await within(table).findByText('/rpv/x1006')).closest('tr')!;
    fireEvent.click(await within(row as HTMLElement).findByRole('button', { name: '1.50000' }));
    fireEvent.change(within(row as HTMLElement).getByLabelText('New value of /rpv/x1006'), { target: { value: '4.25' } });
    fireEvent.click(within(row as HTMLElement).getByRole('button', { name: 'Write' }));
    await waitFor(() => expect(emu.device.memory.rpv.get(0x1006)).toBe(4.25));
    // An out-of-range integer write is refused beside its field, and nothing is written; saturating is a choice.
    const u8 = (await within(table).findByText('/rpv/x1005')).closest('tr') as HTMLElement;
    fireEvent.click(within(u8).getByRole('button', { name: '0' }));
    fireEvent.change(within(u8).getByLabelText('New value of /rpv/x1005'), { target: { value: '300' } });
    fireEvent.click(within(u8).getByRole('button', { name: 'Write' }));
    expect((await within(u8).findByRole('alert')).textContent).toMatch(/300 is out of range for uint8 \(0 to 255\)/);
    expect(emu.device.memory.rpv.get(0x1005)).toBe(0);
    fireEvent.click(within(u8).getByLabelText(/saturate/));
    fireEvent.click(within(u8).getByRole('button', { name: 'Write' }));
    await waitFor(() => expect(emu.device.memory.rpv.get(0x1005)).toBe(255));
    fireEvent.change(screen.getByLabelText('Search variables'), { target: { value: 'motor/speed' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Watch /global/demo/motor/speed' }));
    await waitFor(async () => {
      const signals = await client.listSignals(sessionId);
      expect(signals.find((s) => s.name === '/global/demo/motor/speed')?.total ?? 0).toBeGreaterThan(0);
    }, { timeout: 3000 });
  });

  it('watches an enum and a bit range in the watch table, writes from it with errors on the row, runs a user command', async () => {
    const status = (await client.requestServerStatusUpdate())!.sessions.find((s) => s.sessionId === sessionId)!;
    render(<ScrutinyPanel session={status} />);
    fireEvent.change(await screen.findByLabelText('Search variables'), { target: { value: '/global/demo/motor/mode' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Watch /global/demo/motor/mode' }));
    const watch = screen.getByTestId('scrutiny-watch');
    const row = () => watch.querySelector('tr[data-path="/global/demo/motor/mode"]') as HTMLElement | null;
    await waitFor(() => expect(row()).not.toBeNull(), { timeout: 3000 });
    // Shown by its enum name.
    await waitFor(() => expect(within(row()!).getByTestId('scrutiny-value').textContent).toMatch(/^(IDLE|STARTING|RUNNING|FAULT) \(\d\)$/), { timeout: 3000 });
    fireEvent.change(within(row()!).getByLabelText('New value of /global/demo/motor/mode'), { target: { value: 'FAULT' } });
    fireEvent.click(within(row()!).getByRole('button', { name: 'Write' }));
    await waitFor(() => expect(within(row()!).getByTestId('scrutiny-value').textContent).toBe('FAULT (3)'), { timeout: 3000 });
    fireEvent.change(within(row()!).getByLabelText('New value of /global/demo/motor/mode'), { target: { value: 'SIDEWAYS' } });
    fireEvent.click(within(row()!).getByRole('button', { name: 'Write' }));
    expect((await within(row()!).findByRole('alert')).textContent).toMatch(/"SIDEWAYS" is not a number.*IDLE, STARTING, RUNNING, FAULT/);
    fireEvent.change(within(row()!).getByLabelText('New value of /global/demo/motor/mode'), { target: { value: '300' } });
    fireEvent.click(within(row()!).getByRole('button', { name: 'Write' }));
    await waitFor(() => expect(within(row()!).getByRole('alert').textContent).toMatch(/motor\/mode: 300 is out of range for uint8 \(0 to 255\)/));

    fireEvent.change(screen.getByLabelText('Search variables'), { target: { value: 'flags/phase' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Watch /global/demo/flags/phase' }));
    await waitFor(() => expect(watch.querySelector('tr[data-path="/global/demo/flags/phase"] [data-testid="scrutiny-value"]')?.textContent).toMatch(/^\d+ \(0b[01]{8}\)$/), { timeout: 3000 });
    expect(screen.getByTestId('scrutiny-refresh-rate').textContent).toMatch(/refreshes\/s/);

    fireEvent.change(screen.getByLabelText('User command subfunction'), { target: { value: '3' } });
    fireEvent.change(screen.getByLabelText('User command payload'), { target: { value: '01 02 03' } });
    fireEvent.click(within(screen.getByRole('form', { name: 'User command' })).getByRole('button', { name: 'Send' }));
    expect((await screen.findByLabelText('User command reply')).textContent).toBe('03 02 01');
    fireEvent.change(screen.getByLabelText('User command payload'), { target: { value: '0g' } });
    fireEvent.click(within(screen.getByRole('form', { name: 'User command' })).getByRole('button', { name: 'Send' }));
    expect((await screen.findByText(/Payload is hex bytes/)).textContent).toMatch(/pairs of digits/);
  });
});
