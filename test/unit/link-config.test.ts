import { describe, expect, it } from 'vitest';
import { LinkSpec, LINK_DEFAULTS, describeLink } from '../../shared/api/link-config';

describe('link configuration schemas', () => {
  it('fills the seed defaults for a serial link', () => {
    const spec = LinkSpec.parse({ type: 'serial', config: { portname: '/dev/ttyUSB0', baudrate: 9600 } });
    expect(spec).toEqual({ type: 'serial', config: { portname: '/dev/ttyUSB0', baudrate: 9600, databits: 8, parity: 'none', stopbits: '1', start_delay: 0 } });
    expect(describeLink(spec)).toBe('serial /dev/ttyUSB0 @ 9600');
  });
  it('refuses a standard CAN id above 0x7FF and a bitrate switch without FD', () => {
    const r = LinkSpec.safeParse({ type: 'can', config: { ...LINK_DEFAULTS.can, txid: 0x800, bitrate_switch: true } });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('config.txid');
    expect(paths).toContain('config.bitrate_switch');
  });
  it('accepts an extended CAN id up to 29 bits', () => {
    expect(LinkSpec.safeParse({ type: 'can', config: { ...LINK_DEFAULTS.can, extended_id: true, txid: 0x1fffffff } }).success).toBe(true);
  });
  it('refuses wrong types, out-of-range ports, unknown fields and unknown link types', () => {
    expect(LinkSpec.safeParse({ type: 'tcp', config: { host: 'x', port: '80' } }).success).toBe(false);
    expect(LinkSpec.safeParse({ type: 'tcp', config: { host: 'x', port: 70000 } }).success).toBe(false);
    expect(LinkSpec.safeParse({ type: 'udp', config: { host: 'x', port: 1, extra: 1 } }).success).toBe(false);
    expect(LinkSpec.safeParse({ type: 'spi', config: {} }).success).toBe(false);
    expect(LinkSpec.safeParse({ type: 'serial', config: { portname: '/dev/x', baudrate: 9600, databits: 9 } }).success).toBe(false);
  });
  it('every default configuration is valid', () => {
    for (const [type, config] of Object.entries(LINK_DEFAULTS)) {
      if (type === 'serial' || type === 'rtt') continue; // need a port / chip chosen by the user
      expect(LinkSpec.safeParse({ type, config }).success, type).toBe(true);
    }
  });
});
