// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SerialPortInfo } from '../../shared/api/contract';
import { LINK_DEFAULTS, LinkConfigSchemas, type LinkSpec } from '../../shared/api/link-config';
import { InvalidValueError } from '../../shared/client/errors';
import { LinkForm } from '../../renderer/src/forms/LinkForm';
import type { SerialPortList } from '../../renderer/src/forms/SerialLinkFields';

afterEach(cleanup);

const noPorts: SerialPortList = { ports: [], error: null, loading: false };

/** The config of the n-th submitted link, loosely typed for field checks. */
const sentConfig = (onSubmit: ReturnType<typeof vi.fn>, n: number) => (onSubmit.mock.calls[n][0] as LinkSpec).config as Record<string, unknown>;

function renderForm(initial: LinkSpec, opts: { onSubmit?: (s: LinkSpec) => unknown; ports?: SerialPortInfo[] } = {}) {
  const onSubmit = vi.fn(opts.onSubmit ?? (() => undefined));
  render(
    <LinkForm idPrefix="t" initial={initial} submitLabel="Apply" onSubmit={onSubmit as (s: LinkSpec) => void}
      portList={{ ...noPorts, ports: opts.ports ?? [] }} />,
  );
  return onSubmit;
}

const type = (label: string | RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const apply = () => fireEvent.click(screen.getByRole('button', { name: 'Apply' }));

/** The inline error of a field: the role="alert" element its aria-describedby names. */
function errorOf(label: string | RegExp): string | null {
  const input = screen.getByLabelText(label);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  const alert = ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert');
  if (alert) expect(input.getAttribute('aria-invalid')).toBe('true');
  return alert?.textContent ?? null;
}

const tcp: LinkSpec = { type: 'tcp', config: { host: '127.0.0.1', port: 5000 } };

describe('link form: inline errors, nothing sent', () => {
  it('refuses port 70000 and an empty host beside their fields', async () => {
    const onSubmit = renderForm(tcp);
    type('Port', '70000');
    type('Host', '   ');
    apply();
    expect(await screen.findAllByRole('alert')).toHaveLength(2);
    expect(errorOf('Port')).toBe('Port must be 1 to 65535');
    expect(errorOf('Host')).toBe('Host is required');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('refuses a port that is not a number', () => {
    const onSubmit = renderForm(tcp);
    type('Port', '50x');
    apply();
    expect(errorOf('Port')).toBe('Port must be a number');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('refuses CAN txid 0x800 with standard ids and a bitrate switch without FD', () => {
    const onSubmit = renderForm({ type: 'can', config: LINK_DEFAULTS.can });
    type('TX id', '0x800');
    fireEvent.click(screen.getByLabelText('Bitrate switch'));
    apply();
    expect(errorOf('TX id')).toMatch(/TX id too large: standard \(11-bit\) ids go up to 0x7FF/);
    expect(errorOf('Bitrate switch')).toBe('Bitrate switch needs CAN FD');
    expect(errorOf('RX id')).toBeNull();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('clears an error as soon as the value is fixed, then sends', () => {
    const onSubmit = renderForm(tcp);
    type('Port', '70000');
    apply();
    expect(errorOf('Port')).not.toBeNull();
    type('Port', '7000');
    expect(errorOf('Port')).toBeNull();
    apply();
    expect(onSubmit).toHaveBeenCalledWith({ type: 'tcp', config: { host: '127.0.0.1', port: 7000 } });
  });

  it('shows a hub refusal beside the field it names, and other failures in a banner naming the link', async () => {
    renderForm(tcp, { onSubmit: () => { throw new InvalidValueError('bad', [{ path: 'linkConfig.port', message: 'Port 5000 is in use' }]); } });
    apply();
    expect(await screen.findByText('Port 5000 is in use')).toBeTruthy();
    expect(errorOf('Port')).toBe('Port 5000 is in use');
    cleanup();
    renderForm(tcp, { onSubmit: () => { throw new Error('Session is gone'); } });
    apply();
    expect((await screen.findByText(/Session is gone/)).textContent).toBe('Link not applied (tcp 127.0.0.1:5000): Session is gone');
  });

  it('reverts to the link as it was on Escape', () => {
    renderForm(tcp);
    type('Port', '70000');
    apply();
    fireEvent.keyDown(screen.getByLabelText('Port'), { key: 'Escape' });
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('5000');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('link form: valid values give exactly the schema configuration', () => {
  it('sends UDP host and port as numbers', () => {
    const onSubmit = renderForm(tcp);
    type('Link type', 'udp');
    type('Host', '10.0.0.7');
    type('Port', '9000');
    apply();
    expect(onSubmit).toHaveBeenCalledWith({ type: 'udp', config: { host: '10.0.0.7', port: 9000 } });
  });

  it('lets a TCP server listen on port 0 (any free port)', () => {
    const onSubmit = renderForm({ type: 'none', config: {} });
    type('Link type', 'tcp-server');
    type('Listen address', '0.0.0.0');
    type('Port', '0');
    apply();
    expect(onSubmit).toHaveBeenCalledWith({ type: 'tcp-server', config: { host: '0.0.0.0', port: 0 } });
  });

  it('sets up the legacy hexapod two-port server: the telemetry port, commands on the next', () => {
    const onSubmit = renderForm({ type: 'none', config: {} });
    type('Link type', 'hexrot-legacy-server');
    type('Listen address', '127.0.0.1');
    type('Telemetry port', '65535');
    apply();
    expect(errorOf('Telemetry port')).toMatch(/0 to 65534 \(the command port is one more\)/);
    expect(onSubmit).not.toHaveBeenCalled();
    type('Telemetry port', '5000');
    apply();
    expect(onSubmit).toHaveBeenCalledWith({ type: 'hexrot-legacy-server', config: { host: '127.0.0.1', port: 5000 } });
  });

  it('sends every serial field, with a custom baud rate', () => {
    const onSubmit = renderForm({ type: 'none', config: {} });
    type('Link type', 'serial');
    type('Port path', '/dev/pts/7');
    type('Baud rate', 'custom');
    type('Custom baud rate', '250000');
    type('Data bits', '7');
    type('Parity', 'even');
    type('Stop bits', '1.5');
    type('Start delay (s)', '0.5');
    apply();
    const expected = { portname: '/dev/pts/7', baudrate: 250000, databits: 7, parity: 'even', stopbits: '1.5', start_delay: 0.5 };
    expect(onSubmit).toHaveBeenCalledWith({ type: 'serial', config: expected });
    expect(LinkConfigSchemas.serial.parse(expected)).toEqual(expected);
  });

  it('sends RTT target and J-Link interface', () => {
    const onSubmit = renderForm({ type: 'none', config: {} });
    type('Link type', 'rtt');
    apply();
    expect(errorOf('Target device')).toMatch(/Target device is required/);
    type('Target device', 'STM32F407VG');
    type('J-Link interface', 'jtag');
    apply();
    expect(onSubmit).toHaveBeenCalledWith({ type: 'rtt', config: { target_device: 'STM32F407VG', jlink_interface: 'jtag' } });
  });

  it('reads CAN ids in hex or decimal and sends the interface block', () => {
    const onSubmit = renderForm({ type: 'can', config: LINK_DEFAULTS.can });
    type('TX id', '0x1ABCDEF');
    type('RX id', '291');
    fireEvent.click(screen.getByLabelText('Extended id (29-bit)'));
    fireEvent.click(screen.getByLabelText('CAN FD'));
    fireEvent.click(screen.getByLabelText('Bitrate switch'));
    type('CAN interface', 'kvaser');
    type('Channel', '1');
    type('Bitrate (bit/s)', '250000');
    fireEvent.click(screen.getByLabelText('FD non-ISO'));
    apply();
    expect(onSubmit).toHaveBeenCalledWith({
      type: 'can',
      config: {
        interface: 'kvaser', txid: 0x1abcdef, rxid: 291, extended_id: true, fd: true, bitrate_switch: true,
        subconfig: { channel: 1, bitrate: 250000, data_bitrate: 2000000, fd_non_iso: true },
      },
    });
  });

  it('keeps a Vector channel name as text and an index as a number', async () => {
    const onSubmit = renderForm({ type: 'can', config: LINK_DEFAULTS.can });
    type('CAN interface', 'vector');
    type('Channel', 'CANcaseXL 1');
    apply();
    expect(sentConfig(onSubmit, 0).subconfig).toEqual({ channel: 'CANcaseXL 1', bitrate: 500000, data_bitrate: 2000000 });
    // Apply is disabled while the first request is in flight.
    await waitFor(() => expect((screen.getByRole('button', { name: 'Apply' }) as HTMLButtonElement).disabled).toBe(false));
    type('Channel', '2');
    apply();
    expect((sentConfig(onSubmit, 1).subconfig as { channel: number }).channel).toBe(2);
  });
});

describe('serial form', () => {
  const ports: SerialPortInfo[] = [
    { path: '/dev/ttyUSB0', manufacturer: 'FTDI', serialNumber: 'A50285BI' },
    { path: '/dev/ttyACM0', friendlyName: 'STM32 Virtual COM Port' },
  ];

  it('lists the given ports and picks one into the path', () => {
    const onSubmit = renderForm({ type: 'serial', config: LINK_DEFAULTS.serial }, { ports });
    const select = screen.getByLabelText('Serial port') as HTMLSelectElement;
    const labels = [...select.options].map((o) => o.textContent);
    expect(labels).toEqual(['Other: type the path', '/dev/ttyUSB0 (FTDI, S/N A50285BI)', '/dev/ttyACM0 (STM32 Virtual COM Port)']);
    type('Serial port', '/dev/ttyACM0');
    expect((screen.getByLabelText('Port path') as HTMLInputElement).value).toBe('/dev/ttyACM0');
    apply();
    expect(sentConfig(onSubmit, 0).portname).toBe('/dev/ttyACM0');
  });

  it('accepts a free-typed path that is not listed (a pty)', () => {
    const onSubmit = renderForm({ type: 'serial', config: LINK_DEFAULTS.serial }, { ports });
    apply();
    expect(errorOf('Port path')).toBe('Choose a serial port');
    type('Port path', '/tmp/benchscope-pty-A');
    expect((screen.getByLabelText('Serial port') as HTMLSelectElement).value).toBe('');
    apply();
    expect(onSubmit).toHaveBeenCalledWith({ type: 'serial', config: { ...LINK_DEFAULTS.serial, portname: '/tmp/benchscope-pty-A' } });
  });

  it('offers every common baud rate and the data bits, parity and stop bits of the schema', () => {
    renderForm({ type: 'serial', config: LINK_DEFAULTS.serial });
    const values = (label: string) => [...(screen.getByLabelText(label) as HTMLSelectElement).options].map((o) => o.value);
    expect(values('Baud rate')).toContain('115200');
    expect(values('Baud rate')).toContain('custom');
    expect(values('Data bits')).toEqual(['5', '6', '7', '8']);
    expect(values('Parity')).toEqual(['none', 'even', 'odd', 'mark', 'space']);
    expect(values('Stop bits')).toEqual(['1', '1.5', '2']);
  });
});

describe('CAN form', () => {
  it('swaps the interface block when the interface changes', () => {
    renderForm({ type: 'can', config: LINK_DEFAULTS.can });
    expect(screen.getByTestId('can-subform-socketcan')).toBeTruthy();
    expect((screen.getByLabelText('Channel') as HTMLInputElement).value).toBe('can0');
    expect(screen.queryByLabelText('Bitrate (bit/s)')).toBeNull();

    type('CAN interface', 'pcan');
    expect(screen.queryByTestId('can-subform-socketcan')).toBeNull();
    expect((screen.getByLabelText('Channel') as HTMLInputElement).value).toBe('PCAN_USBBUS1');
    expect(screen.getByLabelText('Bitrate (bit/s)')).toBeTruthy();
    expect(screen.queryByLabelText('Data bitrate (bit/s)')).toBeNull();

    type('CAN interface', 'kvaser');
    expect(screen.getByLabelText('FD non-ISO')).toBeTruthy();
    expect(screen.getByLabelText('Data bitrate (bit/s)')).toBeTruthy();

    type('CAN interface', 'etas');
    expect(screen.queryByLabelText('FD non-ISO')).toBeNull();
    expect(screen.getByTestId('can-subform-etas')).toBeTruthy();
  });

  it('shows a sub-form error beside the sub-form field', () => {
    const onSubmit = renderForm({ type: 'can', config: LINK_DEFAULTS.can });
    type('Channel', '');
    apply();
    expect(errorOf('Channel')).toBe('Channel is required (e.g. can0)');
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
