import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DcsOptionsSchema } from '../../main/protocols/dcs/config';
import { htos, parseHtos, parseStoh, stoh } from '../../main/protocols/dcs/messages';

describe('DCS message texts', () => {
  it('formats stoh_configure_real_motor with hwHost and hwName and 16 values ending with the device status, as DCSS sends it, and reads it back', () => {
    const config = {
      name: 'sample_x', hwHost: 'simdhs', hwName: 'sx', position: 1.5, upperLimit: 40, lowerLimit: -40, scaleFactor: 1000,
      speed: 20000, acceleration: 100, backlash: 25, lowerLimitOn: true, upperLimitOn: false, motorLockOn: false,
      backlashOn: true, reverseOn: false, status: 1,
    };
    const text = stoh.configureRealMotor(config);
    expect(text).toBe('stoh_configure_real_motor sample_x simdhs sx 1.5 40 -40 1000 20000 100 25 1 0 0 1 0 1');
    expect(text.split(' ')).toHaveLength(17);
    expect(parseStoh(text)).toEqual({ ok: true, message: { type: 'stoh_configure_real_motor', config } });
  });

  it('formats stoh_configure_pseudo_motor with 10 values ending with the device status', () => {
    const config = { name: 'energy', hwHost: 'simdhs', hwName: 'energy', position: 12000, upperLimit: 17000, lowerLimit: 6000, lowerLimitOn: true, upperLimitOn: true, motorLockOn: false, status: 0 };
    const text = stoh.configurePseudoMotor(config);
    expect(text).toBe('stoh_configure_pseudo_motor energy simdhs energy 12000 17000 6000 1 1 0 0');
    expect(parseStoh(text)).toEqual({ ok: true, message: { type: 'stoh_configure_pseudo_motor', config } });
  });

  it('refuses a configure message with fewer or more values than DCSS sends, as SSRL\'s Tcl DHS does', () => {
    const r = parseStoh('stoh_configure_real_motor sample_x simdhs sx 1.5 40 -40 1000 20000 100 25 1 0 0 1 0');
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toMatch(/expected stoh_configure_real_motor .* reverseOn status \(16 values\)/);
    expect(parseStoh('stoh_configure_real_motor sample_x simdhs sx 1.5 40 -40 1000 20000 100 25 1 0 0 1 0 0 1').ok).toBe(false);
    expect(parseStoh('stoh_configure_pseudo_motor energy simdhs energy 12000 17000 6000 1 1 0').ok).toBe(false);
    expect(DcsOptionsSchema.safeParse({ hardwareServers: [{ name: 'a', realMotors: [{ name: 'm', speed: 2000.5 }] }] }).success).toBe(false);
  });

  it('reads back every stoh_ message it formats (property on names and numbers)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
    const num = fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => Math.round(v * 1000) / 1000 + 0);
    fc.assert(fc.property(name, num, fc.array(name, { maxLength: 4 }), fc.boolean(), (n, v, args, b) => {
      expect(parseStoh(stoh.startMotorMove(n, v))).toEqual({ ok: true, message: { type: 'stoh_start_motor_move', name: n, position: v } });
      expect(parseStoh(stoh.correctMotorPosition(n, v))).toEqual({ ok: true, message: { type: 'stoh_correct_motor_position', name: n, correction: v } });
      expect(parseStoh(stoh.setShutterState(n, b))).toEqual({ ok: true, message: { type: 'stoh_set_shutter_state', name: n, open: b } });
      expect(parseStoh(stoh.startOperation(n, '1.7', args))).toEqual({ ok: true, message: { type: 'stoh_start_operation', operation: n, handle: '1.7', args } });
      expect(parseStoh(stoh.abortAll(b))).toEqual({ ok: true, message: { type: 'stoh_abort_all', hard: b } });
      expect(parseStoh(stoh.readIonChambers(0.5, false, [n, ...args]))).toEqual({ ok: true, message: { type: 'stoh_read_ion_chambers', time: 0.5, repeat: false, chambers: [n, ...args] } });
    }), { numRuns: 200 });
  });

  it('reads every htos_ message of the fact sheet', () => {
    const ok = (text: string) => {
      const r = parseHtos(text);
      expect(r.ok, text).toBe(true);
      return (r as { message: unknown }).message;
    };
    expect(ok(htos.updateMotorPosition('m', -2.5, 'moving'))).toEqual({ type: 'htos_update_motor_position', motor: 'm', position: -2.5, status: 'moving' });
    expect(ok(htos.motorMoveCompleted('m', 3, 'cw_hw_limit'))).toEqual({ type: 'htos_motor_move_completed', motor: 'm', position: 3, status: 'cw_hw_limit' });
    expect(ok(htos.reportIonChambers(1, [['i0', 100], ['i1', 50]]))).toEqual({ type: 'htos_report_ion_chambers', time: 1, counts: [{ name: 'i0', counts: 100 }, { name: 'i1', counts: 50 }] });
    expect(ok('htos_set_string_completed s normal two  words')).toEqual({ type: 'htos_set_string_completed', name: 's', status: 'normal', value: 'two  words' });
    expect(ok('htos_operation_completed op 1.3 error_busy a b')).toEqual({ type: 'htos_operation_completed', operation: 'op', handle: '1.3', status: 'error_busy', args: ['a', 'b'] });
    expect(ok('htos_report_shutter_state sh open jammed')).toEqual({ type: 'htos_report_shutter_state', shutter: 'sh', open: true, result: 'jammed' });
    expect(ok('htos_limit_hit m cw')).toEqual({ type: 'htos_limit_hit', args: ['m', 'cw'] });
    expect(ok('htos_log   spaced   text')).toEqual({ type: 'htos_log', text: 'spaced   text' });
  });

  it('names what was received and expected for a non-numeric position or a missing status, and flags unknown commands', () => {
    const r = parseHtos('htos_update_motor_position m abc moving');
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toMatch(/"htos_update_motor_position m abc moving": expected .*position a number/);
    expect(parseHtos('htos_motor_move_completed m 1').ok).toBe(false);
    // Any status word is one (DCSS reads it with "%s").
    expect(parseHtos('htos_motor_move_completed m 1 too_fast')).toEqual({ ok: true, message: { type: 'htos_motor_move_completed', motor: 'm', position: 1, status: 'too_fast' } });
    expect(parseHtos('htos_report_ion_chambers 1 i0').ok).toBe(false);
    expect(parseHtos('htos_update_motor_position m 0x10 normal').ok).toBe(false);
    const u = parseHtos('htos_frobnicate 1 2');
    expect(u).toEqual({ ok: false, unknown: true, reason: 'unrecognised command "htos_frobnicate"' });
  });

  it('fills a configuration from defaults and refuses duplicate names', () => {
    const o = DcsOptionsSchema.parse({});
    expect(o.hardwareServers[0]!.name).toBe('simdhs');
    expect(o.hardwareServers[0]!.realMotors.map((m) => m.name)).toEqual(['sample_x', 'sample_y', 'gonio_phi']);
    const bad = DcsOptionsSchema.safeParse({ hardwareServers: [{ name: 'a', shutters: [{ name: 'x' }] }, { name: 'a', strings: [{ name: 'x' }] }] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message).join(' ')).toMatch(/listed twice.*already defined|already defined.*listed twice/);
    expect(DcsOptionsSchema.safeParse({ hardwareServers: [{ name: 'two words' }] }).success).toBe(false);
    expect(DcsOptionsSchema.safeParse({ hardwareServers: [{ name: 'a', protocol: 3 }] }).success).toBe(false);
  });
});
