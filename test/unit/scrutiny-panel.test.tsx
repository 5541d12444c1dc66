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
import { scrutinyOptionsDraft, validateScrutinyOptions } from '../../renderer/src/protocols/scrutiny/options';

afterEach(cleanup);

describe('Scrutiny options form', () => {
  it('turns the draft into engine options and names each bad field', () => {
    expect(validateScrutinyOptions({ ...scrutinyOptionsDraft(), watchPaths: '/global/demo/sine, /rpv/x1000' })).toEqual({
      ok: true, options: { pollHz: 20, pollRpvs: true, requestTimeoutMs: 500, memoryEndianness: 'little', watchPaths: ['/global/demo/sine', '/rpv/x1000'] },
    });
    expect(validateScrutinyOptions({ ...scrutinyOptionsDraft(), pollHz: 'fast', requestTimeoutMs: '10', watchPaths: 'sine' })).toEqual({
      ok: false,
      errors: {
        pollHz: 'Poll rate is 0 to 10000 cycles/s (0 stops polling)',
        requestTimeoutMs: 'Request timeout is a whole number from 50 to 10000 ms',
        watchPaths: '"sine" is not a path (paths start with /, e.g. /global/demo/sine or /rpv/x1000)',
      },
    });
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
    fireEvent.change(screen.getByLabelText('Search variables'), { target: { value: 'motor/speed' } });
    const item = (await screen.findByText('/global/demo/motor/speed')).closest('li')!;
    fireEvent.click(within(item as HTMLElement).getByRole('button', { name: 'Watch' }));
    await waitFor(async () => {
      const signals = await client.listSignals(sessionId);
      expect(signals.find((s) => s.name === '/global/demo/motor/speed')?.total ?? 0).toBeGreaterThan(0);
    }, { timeout: 3000 });
  });
});
