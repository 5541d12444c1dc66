// DCSS's database.dat to and from the DCS configuration: a beamline file of our own in
// the public files' layout (dcsconfig/data/*.dat of the SSRL sources), what is not kept
// named by line, malformed files refused with their line, and config -> text -> config
// the identity for any configuration the file can carry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DcsOptionsSchema, type DcsOptions, type DcsOptionsInput } from '../../shared/api/dcs-config';
import {
  DATABASE_FILE_MAX_CHARS, DATABASE_MAX_DEVICES, DATABASE_MAX_LINE, describeNote, formatDatabaseFile, parseDatabaseFile, type DatabaseImport,
} from '../../shared/dcs/database-file';

const FIXTURE = readFileSync(path.join(__dirname, 'dcs-database-file.fixture.dat'), 'utf8');

function imported(text: string): Extract<DatabaseImport, { ok: true }> {
  const r = parseDatabaseFile(text);
  if (!r.ok) throw new Error(`expected the file to import, got ${describeNote(r)}`);
  return r;
}

function refused(text: string): string {
  const r = parseDatabaseFile(text);
  if (r.ok) throw new Error(`expected the file to be refused, it imported ${r.config.hardwareServers.length} hardware servers`);
  return describeNote(r);
}

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;
const server = (c: DcsOptions, name: string) => c.hardwareServers.find((h) => h.name === name)!;
const HOSTS = 'self\n3\nlocalhost 2\n\ngalilA\n3\n192.0.2.21 2\n\n';

describe('database.dat import of a beamline file', () => {
  const { config, notes } = imported(FIXTURE);
  const texts = notes.map(describeNote);

  it('keeps every hardware host but self, in file order, with its address and protocol', () => {
    expect(config.hardwareServers.map((h) => [h.name, h.address, h.protocol])).toEqual([
      ['galilA', '192.0.2.21', 2], ['cryoDhs', '192.0.2.22', 1], ['countDhs', 'localhost', 2],
    ]);
    expect(texts).toContain("line 1: hardware host 'self' is DCSS's own scripting engine, not a DHS: it and the devices it owns are not kept");
  });

  it('reads real motors in both permission-line orders, with units, circle mode and dependencies', () => {
    const g = server(config, 'galilA');
    expect(g.realMotors.map((m) => m.name)).toEqual(['sample_x', 'sample_z', 'gonio_phi', 'gonio_kappa', 'beam_dac', 'table_up']);
    expect(g.realMotors[0]).toEqual({
      name: 'sample_x', units: 'mm', position: 1.25, upperLimit: 40, lowerLimit: -40, scaleFactor: 1000, speed: 20000, acceleration: 100,
      backlash: 25, lowerLimitOn: true, upperLimitOn: true, motorLockOn: false, backlashOn: true, reverseOn: false, dependency: [], children: [],
    });
    // The older order: configuration, dependencies, then the permission lines.
    expect(g.realMotors[1]).toMatchObject({ name: 'sample_z', hwName: 'SAMPLE_Z_AXIS', position: -3.5, scaleFactor: 2500, lowerLimitOn: false, upperLimitOn: true, reverseOn: true });
    expect(g.realMotors[2]).toMatchObject({ name: 'gonio_phi', hwName: 'phi', circle: true, units: 'deg' });
    expect(g.realMotors[3]).toMatchObject({ name: 'gonio_kappa', circle: true });
    expect(g.realMotors[5]).toMatchObject({ name: 'table_up', position: 0.45, dependency: ['table_pitch'] });
    expect(texts).toContain("line 41: real motor 'gonio_kappa': circle mode 2 (-180 to 180) kept as a circular axis, which an export writes as mode 1 (0 to 360)");
  });

  it('raises a speed and acceleration of 0 (a DAC axis) to 1 and says so', () => {
    expect(server(config, 'galilA').realMotors[4]).toMatchObject({ name: 'beam_dac', hwName: 'dac0', speed: 1, acceleration: 1, motorLockOn: true, units: 'V' });
    expect(texts).toContain("line 49: real motor 'beam_dac': speed 0 raised to 1 (Benchscope needs speed above 0); acceleration 0 raised to 1 (Benchscope needs acceleration above 0)");
  });

  it('reads pseudo motors with children, in the older order, and without a children line', () => {
    const g = server(config, 'galilA');
    expect(g.pseudoMotors).toEqual([
      { name: 'table_pitch', units: 'mrad', position: 0.01, upperLimit: 2, lowerLimit: -2, lowerLimitOn: true, upperLimitOn: true, motorLockOn: false, dependency: ['table_up'], children: ['table_up'] },
      { name: 'beam_size', units: 'mm', position: 0.2, upperLimit: 1, lowerLimit: 0.05, lowerLimitOn: true, upperLimitOn: true, motorLockOn: false, dependency: [], children: [] },
      { name: 'gap_request', units: 'mm', position: 8, upperLimit: 30, lowerLimit: 5, lowerLimitOn: true, upperLimitOn: true, motorLockOn: true, dependency: [], children: [] },
    ]);
    expect(texts).toContain("line 92: pseudo motor 'gap_request': no children line (DCSS's dump leaves an empty one, and DCSS's reader then refuses the block): read as no children");
    expect(texts).toContain("line 74: 1 pseudo motor owned by 'self' is not kept: energy");
  });

  it('reads shutters, ion chambers, encoders, strings and operations under their owners', () => {
    const cryo = server(config, 'cryoDhs');
    expect(cryo.shutters).toEqual([{ name: 'shutter', hwName: 'fast_shutter', state: 'closed' }, { name: 'Al_1', state: 'open' }]);
    expect(cryo.strings).toEqual([{ name: 'cryo_status' }, { name: 'robot_state' }]);
    expect(cryo.operations).toEqual([{ name: 'anneal' }, { name: 'flow', hwName: 'set_flow' }]);
    expect(server(config, 'countDhs').ionChambers).toEqual([
      { name: 'i0', hwName: 'counter1', counterChannel: 0, timer: 'timer1', timerType: 'clock' },
      { name: 'i_beamstop', hwName: 'counter1', counterChannel: 3, timer: 'timer1', timerType: 'clock' },
    ]);
    expect(server(config, 'galilA').encoders).toEqual([{ name: 'sample_x_encoder', hwName: 'enc_x' }, { name: 'phi_encoder' }]);
    expect(config.hardwareServers.every((h) => h.objects.length === 0)).toBe(true);
  });

  it('names what it does not keep, each with its line', () => {
    expect(texts).toEqual(expect.arrayContaining([
      "line 33: real motor 'gonio_phi': staff/user permissions (0 1 1 1 1 / 0 0 0 0 0) not kept; an export writes DCSS's default 0 1 1 1 1",
      "line 130: string 'cryo_status': contents 'ready 100.2 K' not kept (Benchscope's strings start empty and hold what the DHS reports)",
      "line 143: 1 string owned by 'self' is not kept: beamline_id",
      "line 148: operation 'anneal': staff/user permissions (1 1 1 1 1 / 0 0 0 1 1) not kept; an export writes DCSS's default 0 1 1 1 1",
      "line 160: 1 operation owned by 'self' is not kept: collectRun",
      "line 168: operation 'lamp' is not kept: its owner 'lampDhs' is not a hardware host in this file, so no DHS can register it",
      "line 172: runs status 'runs' is not kept (runs are DCSS's own data collection, not a DHS's)",
      "line 176: run definition 'run0' is not kept (runs are DCSS's own data collection, not a DHS's)",
    ]));
    // Devices whose permission lines are DCSS's default lose nothing and are not named.
    expect(texts.some((t) => t.includes("'sample_x'"))).toBe(false);
    expect(notes.map((n) => n.line)).toEqual([...notes.map((n) => n.line)].sort((a, b) => a - b));
  });

  it('exports what it imported, and that export imports to the same configuration', () => {
    const out = formatDatabaseFile(config);
    expect(out.notes).toEqual([]);
    const again = imported(out.text);
    expect(again.config).toEqual(config);
    expect(formatDatabaseFile(again.config).text).toBe(out.text);
    // The export has DCSS's self host first and ends with END, as DCSS's own dump does.
    expect(out.text.startsWith('self\n3\nlocalhost 2\n\ngalilA\n3\n192.0.2.21 2\n')).toBe(true);
    expect(out.text.endsWith('\n\nEND\n')).toBe(true);
    expect(again.notes.map(describeNote)).toEqual(["line 1: hardware host 'self' is DCSS's own scripting engine, not a DHS: it and the devices it owns are not kept"]);
  });

  it('writes each device type in the layout DCSS restores', () => {
    const blocks = formatDatabaseFile(config).text.split('\n\n');
    expect(blocks).toContain('sample_z\n1\ngalilA SAMPLE_Z_AXIS\n0 1 1 1 1\n0 1 1 1 1\n0\n-3.5 15 -15 2500 8000 150 0 0 1 0 0 1 0 mm');
    expect(blocks).toContain('table_pitch\n2\ngalilA table_pitch\n0 1 1 1 1\n0 1 1 1 1\ntable_up\n0.01 2 -2 1 1 0 0 mrad\ntable_up');
    expect(blocks).toContain('shutter\n6\ncryoDhs 1 fast_shutter\n0 1 1 1 1\n0 1 1 1 1');
    expect(blocks).toContain('i_beamstop\n4\ncountDhs counter1 3 timer1 clock\n0 1 1 1 1\n0 1 1 1 1');
    expect(blocks).toContain('flow\n11\ncryoDhs set_flow\n0 1 1 1 1\n0 1 1 1 1');
    expect(blocks).toContain('phi_encoder\n12\ngalilA phi_encoder\n0 1 1 1 1\n0 1 1 1 1');
    expect(blocks).toContain('robot_state\n13\ncryoDhs robot_state\n0 1 1 1 1\n0 1 1 1 1');
    expect(blocks).toContain('cryoDhs\n3\n192.0.2.22 1');
  });

  it('accepts CRLF line endings, a byte-order mark and indented lines, as DCSS trims each line', () => {
    const crlf = `\uFEFF${FIXTURE.replace(/\n/g, '\r\n').replace('1.25 40 -40', '   1.25 40 -40')}`;
    expect(imported(crlf).config).toEqual(config);
  });
});

describe('database.dat export of a configuration', () => {
  it('the default configuration goes there and back unchanged', () => {
    const config = DcsOptionsSchema.parse({});
    const out = formatDatabaseFile(config);
    expect(out.notes).toEqual([]);
    expect(imported(out.text).config).toEqual(config);
  });

  it('names what the file cannot carry or DCSS would refuse', () => {
    const config = DcsOptionsSchema.parse({
      maxTextLength: 1024 * 1024,
      hardwareServers: [
        { name: 'anyDhs', address: '*', objects: [{ name: 'robot_object' }],
          realMotors: [{ name: 'a_name_that_is_longer_than_dcss_allows_x', units: 'deg C', children: ['b'], dependency: ['0x'] }],
          pseudoMotors: [{ name: 'pm', children: ['a_name_that_is_longer_than_dcss_allows_x'] }] },
        { name: 'self', address: 'localhost' },
        { name: 'END', address: 'localhost' },
      ],
    });
    const out = formatDatabaseFile(config);
    expect(out.notes).toEqual(expect.arrayContaining([
      "hardware server 'anyDhs': address '*' (any) is Benchscope's; DCSS looks the address up by name and would refuse every connection",
      "object 'robot_object' of anyDhs: not written: DCSS's database reader has no layout for objects (type 14) and refuses them",
      "real motor 'a_name_that_is_longer_than_dcss_allows_x' of anyDhs: DCSS refuses names of more than 39 characters ('a_name_that_is_longer_than_dcss_allows_x' has 40)",
      "real motor 'a_name_that_is_longer_than_dcss_allows_x' of anyDhs: units 'deg C' holds a space, and DCSS reads one word there: written as 'deg_C'",
      "real motor 'a_name_that_is_longer_than_dcss_allows_x' of anyDhs: children (b) are not written: DCSS keeps children for pseudo motors only",
      "real motor 'a_name_that_is_longer_than_dcss_allows_x' of anyDhs: DCSS reads a dependency line starting with 0 as none ('0x')",
      "pseudo motor 'pm' of anyDhs: DCSS sends its children to the DHS only when it has a dependency",
      "hardware server 'self': DCSS's own scripting engine registers as 'self'; an import of this file leaves it and its devices out",
      "a device or server named END ends DCSS's database file: DCSS and an import read nothing after it",
      "the longest DHS text accepted (1048576 bytes) is Benchscope's setting: database.dat has no place for it",
    ]));
    // A server called self is written once, not twice.
    expect(out.text.match(/^self$/gm)).toHaveLength(1);
  });
});

describe('database.dat refused', () => {
  it('an empty or blank file', () => {
    expect(refused('')).toBe('the file holds no device (it is empty or blank)');
    expect(refused('\n  \n\r\n')).toBe('the file holds no device (it is empty or blank)');
    expect(refused('END\n')).toBe('the file holds no device (it is empty or blank)');
  });

  it('garbage: binary bytes, a tab inside a line', () => {
    expect(refused('\x00\x01\x02binary\xff')).toBe('line 1: character U+0000 at column 1; DCSS reads printable ASCII only, and spaces between words');
    expect(refused(`${HOSTS}m\n1\ngalilA\tm\n`)).toBe('line 11: character U+0009 (a tab) at column 7; DCSS reads printable ASCII only, and spaces between words');
    expect(refused('<html>\n<body>not a database</body>\n</html>\n')).toBe("line 2: device '<html>' expects its type number (1 real motor, 2 pseudo motor, 3 hardware host, 4 ion chamber, 6 shutter, 8 run definition, 9 runs status, 11 operation, 12 encoder, 13 string), got '<body>not a database</body>'");
  });

  it('a truncated file: the last block cut short', () => {
    const cut = FIXTURE.slice(0, FIXTURE.indexOf('0 1 1 1 1\n0\n1.25 40'));
    expect(refused(cut)).toBe("line 20: real motor 'sample_x' has 4 lines; a real motor has 7 lines (name, type, host and hardware name, staff and user permissions, dependencies, configuration)");
    expect(refused(`${HOSTS}lonely\n`)).toBe("line 9: device 'lonely' has no type line; a block is a name, a type number (1 real motor, 2 pseudo motor, 3 hardware host, 4 ion chamber, 6 shutter, 8 run definition, 9 runs status, 11 operation, 12 encoder, 13 string), then the lines of its type");
  });

  it('a complete file without END imports, and says it may be cut short', () => {
    const r = imported(FIXTURE.slice(0, FIXTURE.indexOf('END')));
    expect(r.notes[0]).toEqual({ line: 0, text: 'the file has no END line (DCSS warns about this): it may have been cut short' });
    const stray = FIXTURE.split('\n').length + 1;
    expect(imported(`${FIXTURE}\nstray\n1\n`).notes.map(describeNote)).toContain(`line ${stray}: 1 block after END is ignored, as DCSS ignores them`);
  });

  it('a wrong type number', () => {
    expect(refused(`${HOSTS}old\n10\nx\n`)).toMatch(/^line 10: device 'old' has type 10 \(blank or obsolete: DCSS's database reader refuses it\); the types are 1 real motor/);
    expect(refused(`${HOSTS}obj\n14\ngalilA obj\n`)).toMatch(/^line 10: device 'obj' has type 14 \(object: DCSS's database reader has no layout for it and refuses the file\)/);
    expect(refused(`${HOSTS}what\n99\nx\n`)).toMatch(/^line 10: device 'what' has type 99 \(not a DCS device type\)/);
    expect(refused(`${HOSTS}m\nmotor\nx\n`)).toMatch(/^line 10: device 'm' expects its type number \(1 real motor, .*\), got 'motor'$/);
  });

  it('words where numbers belong, and too few numbers', () => {
    const motor = (config: string) => `${HOSTS}x\n1\ngalilA x\n0 1 1 1 1\n0 1 1 1 1\n0\n${config}\n\nEND\n`;
    expect(refused(motor('0 10 abc 1000 2000 100 0 1 1 0 0 0 0 mm'))).toBe("line 15: real motor 'x' expects 13 numbers then units (position, upper limit, lower limit, scale factor, speed, acceleration, backlash, lower limit on, upper limit on, lock, backlash on, reverse on, circle mode) on line 15; its lower limit (word 3) is 'abc', not a number");
    expect(refused(motor('0 10 -10 1000 2000.5 100 0 1 1 0 0 0 0 mm'))).toMatch(/^line 15: real motor 'x' expects 13 numbers .*; its speed \(word 5\) is '2000.5', not a whole number$/);
    expect(refused(motor('0 10 -10 1000 2000 100 0 1 1'))).toMatch(/^line 15: real motor 'x' expects 13 numbers then units .* on line 15, got 9 words: '0 10 -10 1000 2000 100 0 1 1'$/);
    expect(refused(motor('nan 10 -10 1000 2000 100 0 1 1 0 0 0 0'))).toMatch(/its position \(word 1\) is 'nan', not a number$/);
    expect(refused(motor('0 10 -10 1000 99999999999 100 0 1 1 0 0 0 0'))).toMatch(/its speed \(word 5\) is '99999999999', not a whole number$/);
    expect(refused(`${HOSTS}i0\n4\ngalilA counter1 one timer1 clock\n`)).toBe("line 11: ion chamber 'i0' expects host, counter, channel, timer and timer type on line 11; its channel (word 3) is 'one', not a whole number");
    expect(refused(`${HOSTS}s\n6\ngalilA shut\n`)).toBe("line 11: shutter 's' expects its host, its state (0 open, 1 closed) and optionally its hardware name on line 11, got 'galilA shut'");
    expect(refused('dhs\n3\nlocalhost two\n')).toBe("line 3: hardware host 'dhs' expects the computer it connects from and its protocol version (1 or 2) on line 3, got 'localhost two'");
  });

  it('wrong permission lines and wrong line counts', () => {
    expect(refused(`${HOSTS}op\n11\ngalilA op\n1 1 1 1\n0 1 1 1 1\n`)).toBe("line 12: operation 'op' expects a permission line (five 0/1 flags: passive remote local in-hutch closed-hutch) on line 12, got '1 1 1 1'");
    expect(refused(`${HOSTS}op\n11\ngalilA op\n`)).toBe("line 11: operation 'op' has 3 lines; an operation has 5 lines (name, type, host and hardware name, staff and user permissions)");
    expect(refused(`${HOSTS}x\n1\ngalilA x\n2 1 1 1 1\n0 1 1 1 1\n0\n0 1 -1 1 1 1 0 0 0 0 0 0 0\n`)).toMatch(/^line 12: real motor 'x' expects its staff and user permission lines .* on lines 12 and 13 \(or, in the older order, last\), got '2 1 1 1 1' and '0 1 1 1 1'$/);
    expect(refused(`${HOSTS}${'x\n'.repeat(11)}`)).toBe("line 19: block 'x' (line 9) has more than 10 lines; is a blank line missing before the next device?");
  });

  it('a name used twice, a motor owned by no hardware host, no hardware host at all', () => {
    expect(refused(`${HOSTS}enc\n12\ngalilA enc\n\nenc\n12\ngalilA enc\n`)).toBe("line 13: device 'enc' is already defined on line 9; DCSS device names are unique");
    expect(refused(`${HOSTS}m\n2\nnodhs m\n0 1 1 1 1\n0 1 1 1 1\n0\n0 1 -1 1 1 0 0\n0\n`)).toBe("line 11: pseudo motor 'm' is owned by 'nodhs', which is not a hardware host in this file (DCSS refuses to start with it)");
    expect(refused('self\n3\nlocalhost 2\n\nenergy\n2\nself energy\n0 1 1 1 1\n0 1 1 1 1\n0\n0 1 -1 1 1 0 0\n0\n')).toBe("the file defines no hardware host (type 3) other than 'self': there is no DHS to connect");
  });

  it('an oversized file, an overlong line, too many devices', () => {
    expect(refused('x'.repeat(DATABASE_FILE_MAX_CHARS + 1))).toBe(`the file is ${DATABASE_FILE_MAX_CHARS + 1} characters; a DCS database file is read up to ${DATABASE_FILE_MAX_CHARS} (4 MiB)`);
    expect(refused(`${HOSTS}s\n13\ngalilA s\n${'y'.repeat(DATABASE_MAX_LINE + 1)}\n`)).toBe(`line 12: the line is ${DATABASE_MAX_LINE + 1} characters long; a database file's lines are at most ${DATABASE_MAX_LINE} (DCSS reads 1022)`);
    const many = Array.from({ length: DATABASE_MAX_DEVICES }, (_, i) => `e${i}\n12\ngalilA\n`).join('\n');
    expect(refused(`${HOSTS}${many}`)).toBe(`line ${9 + 4 * (DATABASE_MAX_DEVICES - 2)}: more than ${DATABASE_MAX_DEVICES} devices; DCSS holds at most ${DATABASE_MAX_DEVICES}`);
  });
});

describe('database.dat values DCSS takes and Benchscope cannot hold', () => {
  it('a device or host the configuration refuses is left out and named; the rest imports', () => {
    const text = `${HOSTS}gap\n13\ngalilA SR:C19{Gap}-Mtr\n\ni9\n4\ngalilA counter1 2048 timer1 clock\n\nbad{dhs}\n3\nlocalhost 2\n\nshut\n6\nbad{dhs} 0\n\nok\n12\ngalilA\n\nEND\n`;
    const r = imported(text);
    expect(r.config.hardwareServers.map((h) => h.name)).toEqual(['galilA']);
    expect(server(r.config, 'galilA').encoders).toEqual([{ name: 'ok' }]);
    expect(r.notes.map(describeNote)).toEqual(expect.arrayContaining([
      "line 9: string 'gap' is not kept: hwName \"SR:C19{Gap}-Mtr\" refused: DCS names are one token: letters, digits and _ . : + -",
      "line 13: ion chamber 'i9' is not kept: counterChannel 2048 refused: Too big: expected number to be <=1023",
      "line 17: hardware host 'bad{dhs}' and its devices are not kept: name \"bad{dhs}\" refused: DCS names are one token: letters, digits and _ . : + -",
      "line 21: shutter 'shut' is not kept: its hardware host 'bad{dhs}' (line 17) is not",
    ]));
  });

  it('a protocol other than 1 or 2 is read as 1, as DCSS does; a shutter state other than 0 or 1 as open', () => {
    const r = imported('dhs\n3\nlocalhost 7\n\ns\n6\ndhs 5\n\nEND\n');
    expect(r.config.hardwareServers[0]).toMatchObject({ protocol: 1, shutters: [{ name: 's', state: 'open' }] });
    expect(r.notes.map(describeNote)).toEqual([
      "line 3: hardware host 'dhs': protocol 7 is read as 1, as DCSS speaks v2 only with 2",
      "line 5: shutter 's': state 5 read as open, as DCSS reads it",
    ]);
  });
});

describe('database.dat from anywhere', () => {
  it('any text, and any cut or corruption of a good file, imports or is refused with a line: never an exception', () => {
    const corrupted = fc.tuple(fc.nat({ max: FIXTURE.length }), fc.nat({ max: FIXTURE.length }), fc.string({ maxLength: 12 }))
      .map(([at, cut, junk]) => FIXTURE.slice(0, at) + junk + FIXTURE.slice(Math.max(at, cut)));
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), corrupted, fc.constantFrom(FIXTURE.slice(0, 1), '\n\n\n', 'END')), (text) => {
      const r = parseDatabaseFile(text);
      if (r.ok) expect(DcsOptionsSchema.safeParse(r.config).success).toBe(true);
      else expect(r.error.length).toBeGreaterThan(0);
    }), { numRuns: 500 });
  });
});

describe('config -> database.dat -> config', () => {
  const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.:+-]{0,11}$/);
  const real = fc.double({ noNaN: true, noDefaultInfinity: true });
  const int = (min: number) => fc.integer({ min, max: 2 ** 31 - 1 });
  const hw = fc.option(token.map((t) => `hw_${t}`), { nil: undefined });
  const motor = {
    hwName: hw, units: fc.option(fc.stringMatching(/^[A-Za-z%/]{1,8}$/), { nil: undefined }),
    position: real, upperLimit: real, lowerLimit: real, lowerLimitOn: fc.boolean(), upperLimitOn: fc.boolean(), motorLockOn: fc.boolean(),
    dependency: fc.array(token, { maxLength: 3 }),
  };
  const realMotor = fc.record({
    ...motor, scaleFactor: real, speed: int(1), acceleration: int(1), backlash: int(-(2 ** 31 - 1)), backlashOn: fc.boolean(), reverseOn: fc.boolean(),
    circle: fc.option(fc.constant(true as const), { nil: undefined }),
  });
  const pseudoMotor = fc.record({ ...motor, children: fc.array(token, { maxLength: 3 }) });
  const simple = fc.record({ hwName: hw });
  const hardwareServer = fc.record({
    address: fc.constantFrom('localhost', '192.0.2.7', 'bench-pc.example.org'),
    protocol: fc.constantFrom(1 as const, 2 as const),
    realMotors: fc.array(realMotor, { maxLength: 4 }),
    pseudoMotors: fc.array(pseudoMotor, { maxLength: 3 }),
    shutters: fc.array(fc.record({ hwName: hw, state: fc.constantFrom('open' as const, 'closed' as const) }), { maxLength: 2 }),
    ionChambers: fc.array(fc.record({ hwName: token, counterChannel: fc.integer({ min: 0, max: 1023 }), timer: token, timerType: token }), { maxLength: 3 }),
    encoders: fc.array(simple, { maxLength: 2 }), strings: fc.array(simple, { maxLength: 2 }), operations: fc.array(simple, { maxLength: 3 }),
  });

  /** DCS names are one namespace: every server and device gets a name of its own. */
  function named(servers: Generated<typeof hardwareServer>[]): DcsOptionsInput {
    let n = 0;
    const name = <T extends object>(d: T, prefix: string) => ({ name: `${prefix}${n++}`, ...d });
    return {
      hardwareServers: servers.map((h, i) => ({
        ...h, name: `dhs${i}`,
        realMotors: h.realMotors.map((m) => name(m, 'motor')), pseudoMotors: h.pseudoMotors.map((m) => name(m, 'pseudo')),
        shutters: h.shutters.map((s) => name(s, 'shutter')), ionChambers: h.ionChambers.map((c) => name(c, 'ion')),
        encoders: h.encoders.map((e) => name(e, 'enc')), strings: h.strings.map((s) => name(s, 'str')), operations: h.operations.map((o) => name(o, 'op')),
      })),
    };
  }

  it('is the identity for every configuration the file can carry', () => {
    fc.assert(fc.property(fc.array(hardwareServer, { minLength: 1, maxLength: 4 }), (servers) => {
      const config = DcsOptionsSchema.parse(named(servers));
      const out = formatDatabaseFile(config);
      const back = parseDatabaseFile(out.text);
      expect(back.ok ? back.config : describeNote(back)).toEqual(config);
    }), { numRuns: 300 });
  });
});
