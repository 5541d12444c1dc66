// @vitest-environment happy-dom
// The CAN link form's SLCAN and virtual-bus blocks: what they send, and bad ids,
// bitrates and names refused beside their fields before anything is sent.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LINK_DEFAULTS, type LinkSpec } from '../../shared/api/link-config';
import { LinkForm } from '../../renderer/src/forms/LinkForm';
import { draftFromSpec, validateLinkDraft } from '../../renderer/src/forms/link-draft';

afterEach(cleanup);

function renderForm(initial: LinkSpec) {
  const onSubmit = vi.fn();
  render(<LinkForm idPrefix="t" initial={initial} submitLabel="Apply" onSubmit={onSubmit} portList={{ ports: [], error: null, loading: false }} />);
  return onSubmit;
}
const type = (label: string | RegExp, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const apply = () => fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
function errorOf(label: string | RegExp): string | null {
  const input = screen.getByLabelText(label);
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert')?.textContent ?? null;
}
const can: LinkSpec = { type: 'can', config: LINK_DEFAULTS.can };

describe('CAN form: SLCAN and virtual bus', () => {
  it('sends an SLCAN FD configuration with the chosen bitrates and extended ids', () => {
    const onSubmit = renderForm(can);
    type('CAN interface', 'slcan');
    expect(screen.getByTestId('can-subform-slcan')).toBeTruthy();
    type('Serial port', '/dev/ttyACM0');
    type('CAN bitrate', '1000000');
    fireEvent.click(screen.getByLabelText('CAN FD'));
    fireEvent.click(screen.getByLabelText('Bitrate switch'));
    fireEvent.click(screen.getByLabelText('Extended id (29-bit)'));
    type('TX id', '0x18DA00F1');
    type('RX id', '0x18DAF100');
    type('FD data bitrate (bit/s)', '2000000');
    fireEvent.click(screen.getByLabelText('Adapter timestamps'));
    apply();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit.mock.calls[0][0]).toEqual({
      type: 'can',
      config: {
        interface: 'slcan', txid: 0x18da00f1, rxid: 0x18daf100, extended_id: true, fd: true, bitrate_switch: true,
        subconfig: { portname: '/dev/ttyACM0', baudrate: 115200, bitrate: 1000000, data_bitrate: 2000000, timestamps: true },
      },
    });
  });

  it('refuses an empty port, an FD data bitrate SLCAN has not, and one without FD', () => {
    const onSubmit = renderForm(can);
    type('CAN interface', 'slcan');
    type('FD data bitrate (bit/s)', '3000000');
    apply();
    expect(errorOf('Serial port')).toBe('Choose the adapter\'s serial port');
    expect(errorOf('FD data bitrate (bit/s)')).toBe('SLCAN FD data bitrates are 1, 2, 4 or 5 Mbit/s');
    type('FD data bitrate (bit/s)', '2000000');
    type('Serial port', '/dev/ttyUSB1');
    apply();
    expect(errorOf('FD data bitrate (bit/s)')).toBe('A data bitrate needs CAN FD (leave it empty for classic CAN)');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('refuses bad ids on a virtual bus and an empty bus name', () => {
    const onSubmit = renderForm(can);
    type('CAN interface', 'virtual');
    type('Bus name', ' ');
    type('TX id', '0x800');
    type('RX id', 'twelve');
    apply();
    expect(errorOf('Bus name')).toBe('Bus name is required');
    expect(errorOf('RX id')).toBe('CAN id must be a number');
    // The id range depends on the extended flag: checked once each field is well formed.
    type('Bus name', 'bench');
    type('RX id', '0x10');
    apply();
    expect(errorOf('TX id')).toBe('TX id too large: standard (11-bit) ids go up to 0x7FF');
    expect(onSubmit).not.toHaveBeenCalled();
    type('TX id', '0x7E0');
    type('RX id', '2024');
    apply();
    expect(onSubmit.mock.calls[0][0].config).toMatchObject({ interface: 'virtual', txid: 0x7e0, rxid: 2024, subconfig: { bus: 'bench', bitrate: 500000 } });
  });

  it('keeps every seed field of the vendor interfaces and round-trips an SLCAN spec through the draft', () => {
    const spec: LinkSpec = { type: 'can', config: { ...LINK_DEFAULTS.can, interface: 'slcan', subconfig: { portname: '/dev/ttyACM1', baudrate: 921600, bitrate: 250000, timestamps: false } } };
    const back = validateLinkDraft(draftFromSpec(spec));
    expect(back).toEqual({ ok: true, spec });
    const kvaser: LinkSpec = { type: 'can', config: { ...LINK_DEFAULTS.can, interface: 'kvaser', subconfig: { channel: 2, bitrate: 250000, data_bitrate: 1000000, fd_non_iso: true } } };
    expect(validateLinkDraft(draftFromSpec(kvaser))).toEqual({ ok: true, spec: kvaser });
  });
});
