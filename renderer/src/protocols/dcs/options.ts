// The DCS configuration as the New session form holds it: JSON text. The form
// checks its shape; the engine validates it against the full schema.
import type { FieldErrors } from '../../forms/link-draft';

export interface DcsOptionsDraft {
  /** Empty: the default configuration (hardware server "simdhs", the emulator's devices). */
  configuration: string;
}

export const DCS_CONFIGURATION_EXAMPLE = JSON.stringify({
  hardwareServers: [{
    name: 'mydhs', address: '*', protocol: 2,
    realMotors: [{ name: 'table_x', units: 'mm', upperLimit: 50, lowerLimit: -50, scaleFactor: 1000, speed: 5000, acceleration: 100 }],
    shutters: [{ name: 'shutter' }],
    ionChambers: [{ name: 'i0', hwName: 'counter1', counterChannel: 0, timer: 'timer1' }],
    operations: [{ name: 'my_operation' }],
  }],
}, null, 2);

const DEVICE_LISTS = ['realMotors', 'pseudoMotors', 'shutters', 'ionChambers', 'encoders', 'strings', 'operations'];

export function dcsOptionsDraft(): DcsOptionsDraft {
  return { configuration: '' };
}

export function validateDcsOptions(d: DcsOptionsDraft): { ok: true; options: Record<string, unknown> } | { ok: false; errors: FieldErrors } {
  const text = d.configuration.trim();
  if (text === '') return { ok: true, options: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: { configuration: `Not valid JSON: ${(e as Error).message}` } };
  }
  const fail = (m: string) => ({ ok: false as const, errors: { configuration: m } });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('Expected an object {"hardwareServers": [...]}');
  const servers = (value as { hardwareServers?: unknown }).hardwareServers;
  if (!Array.isArray(servers) || servers.length === 0) return fail('"hardwareServers" must be a list of at least one hardware server');
  for (const [i, s] of servers.entries()) {
    if (typeof s !== 'object' || s === null || typeof (s as { name?: unknown }).name !== 'string' || !(s as { name: string }).name.trim()) {
      return fail(`hardwareServers[${i}] needs a "name"`);
    }
    for (const list of DEVICE_LISTS) {
      const l = (s as Record<string, unknown>)[list];
      if (l !== undefined && !Array.isArray(l)) return fail(`hardwareServers[${i}].${list} must be a list`);
    }
  }
  return { ok: true, options: value as Record<string, unknown> };
}
