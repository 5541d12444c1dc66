// Firmware descriptions (.sfd): the variable tree from a real zip, and clear errors
// naming the file and the entry for every kind of broken file.
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { emulatorSfd, emulatorSfdSource } from '../../main/protocols/scrutiny/emulator-sfd';
import { EMU_BASE, EMU_FIRMWARE_ID } from '../../main/protocols/scrutiny/emulator-memory';
import { buildSfd, parseSfd, type SfdSource } from '../../main/protocols/scrutiny/sfd';

describe('scrutiny firmware descriptions', () => {
  it('reads the emulator description: arrays expanded, bitfields, enums, pointers, aliases', () => {
    const sfd = parseSfd(emulatorSfd(), 'emu.sfd');
    expect(sfd.firmwareId).toBe(EMU_FIRMWARE_ID);
    expect(sfd.endianness).toBe('little');
    expect(sfd.metadata).toMatchObject({ project_name: 'Benchscope emulated device', version: '1.0.0' });
    expect(sfd.variables.has('/global/demo/samples')).toBe(false);
    expect(sfd.variables.get('/global/demo/samples[0]')!.address).toBe(EMU_BASE + 0x20);
    expect(sfd.variables.get('/global/demo/samples[7]')!.address).toBe(EMU_BASE + 0x3c);
    expect(sfd.variables.get('/global/demo/flags/level')).toMatchObject({ typeName: 'uint32', bitOffset: 1, bitSize: 4 });
    expect(sfd.variables.get('/global/demo/motor/mode')!.enum).toEqual({ name: 'MotorMode', values: { IDLE: 0, STARTING: 1, RUNNING: 2, FAULT: 3 } });
    expect(sfd.variables.get('/global/demo/*p_motor/current')).toMatchObject({ address: null, pointer: { path: '/global/demo/p_motor', offset: 4 } });
    expect(sfd.variables.get('/global/demo/p_motor')!.type).toBe(0x12);
    expect(sfd.aliases.get('/alias/setpoint')).toEqual({ path: '/alias/setpoint', target: '/global/demo/setpoint', targetType: 'var', gain: 0.5, offset: 10, min: -100, max: 100 });
    expect(sfd.aliases.get('/alias/motor/speed_krpm')).toMatchObject({ offset: 0, min: -Infinity, max: Infinity });
  });

  it('expands multi-dimensional and nested arrays with computed addresses', () => {
    const src: SfdSource = emulatorSfdSource();
    src.varmap = {
      endianness: 'big',
      type_map: { 0: { name: 'int16_t', type: 'sint16' } },
      variables: {
        '/global/grid/cells/v': { type_id: 0, addr: 1000, array_segments: { '/global/grid': { dims: [2], byte_size: 24 }, '/global/grid/cells': { dims: [2, 3], byte_size: 4 } } },
      },
    };
    const sfd = parseSfd(buildSfd({ ...src, alias: {} }), 'grid.sfd');
    expect(sfd.variables.size).toBe(12);
    expect(sfd.variables.get('/global/grid[0]/cells[0][0]/v')!.address).toBe(1000);
    expect(sfd.variables.get('/global/grid[0]/cells[1][2]/v')!.address).toBe(1000 + 5 * 4);
    expect(sfd.variables.get('/global/grid[1]/cells[0][1]/v')!.address).toBe(1000 + 24 + 4);
  });

  it('names the file and the entry for a corrupt zip, a missing entry, bad JSON, an unknown type or a bad alias', () => {
    expect(() => parseSfd(strToU8('PK not a zip'), 'broken.sfd')).toThrow(/^broken\.sfd: not a readable zip file/);
    expect(() => parseSfd(zipSync({ 'varmap.json': strToU8('{}') }), 'a.sfd')).toThrow('a.sfd: the entry "firmwareid" is missing (found: varmap.json)');
    expect(() => parseSfd(zipSync({ firmwareid: strToU8('xyz') }), 'b.sfd')).toThrow('b.sfd/firmwareid: "xyz" is not 32 hex characters');
    expect(() => parseSfd(zipSync({ firmwareid: strToU8(EMU_FIRMWARE_ID), 'varmap.json': strToU8('{"endianness": "little",') }), 'c.sfd')).toThrow(/^c\.sfd\/varmap\.json: bad JSON/);
    const src = emulatorSfdSource();
    const badType = { ...src, varmap: { ...src.varmap, type_map: { ...src.varmap.type_map, 0: { name: 'q', type: 'quaternion128' } } } };
    expect(() => parseSfd(buildSfd(badType), 'd.sfd')).toThrow(/^d\.sfd\/varmap\.json: variable \/global\/demo\/sine: unknown type "quaternion128"/);
    const badAlias = { ...src, alias: { '/alias/x': { target: '/global/nothing', target_type: 'var' } } };
    expect(() => parseSfd(buildSfd(badAlias), 'e.sfd')).toThrow('e.sfd/alias.json: alias /alias/x: target /global/nothing is not a variable of this description');
    const badEndian = { ...src, varmap: { ...src.varmap, endianness: 'middle' } };
    expect(() => parseSfd(buildSfd(badEndian), 'f.sfd')).toThrow('f.sfd/varmap.json: endianness "middle" (little or big expected)');
  });
});
