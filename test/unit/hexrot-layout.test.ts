import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileLayout, compileLayoutText, LayoutError, LayoutJson, parseLayoutText, resolveLayout, stateNames,
} from '../../shared/api/hexrot-layout';
import { HexrotOptionsSchema } from '../../shared/api/hexrot-options';

const HEAD = '#pragma config C 3\n#pragma telemetry T 2\n';

function refusal(text: string): LayoutError {
  try {
    parseLayoutText(text);
  } catch (e) {
    expect(e).toBeInstanceOf(LayoutError);
    return e as LayoutError;
  }
  throw new Error('layout accepted');
}

describe('hexrot layout language', () => {
  it('builds the reference simple layout with the fact sheet sizes and commands', () => {
    const l = resolveLayout('simple');
    expect(l.config.size).toBe(25);
    expect(l.telemetry.size).toBe(36);
    expect(l.config.frameId).toBe(3);
    expect(l.telemetry.frameId).toBe(2);
    expect(l.telemetry.numeric.map((f) => [f.name, f.offset])).toEqual([
      ['application_status', 0], ['state', 4], ['enabled_substate', 12], ['curr_position', 20], ['cmd_position', 28],
    ]);
    expect(l.commands.map((c) => [c.name, c.code])).toEqual([['SET_STATE', 1], ['ENABLE_DRIVES', 2], ['SET_ENABLED_SUBSTATE', 3], ['MOVE', 4]]);
    expect(l.commands[3]!.params).toEqual(['position']);
    expect(l.littleEndian).toBe(true);
  });

  it('knows every C integer spelling, long as 8 bytes, arrays as name[i], char arrays as text, typedef and attributes', () => {
    const l = compileLayoutText(`#pragma endian big
#pragma config Cfg 10
#pragma telemetry Tel 11
#pragma pack(1)
/* a block
   comment */
typedef struct __attribute__((packed)) { char label[8]; unsigned long long big; } Cfg;
struct Tel {
  int8_t a; uint8_t b; short c; unsigned short d; int e; unsigned f; long g; unsigned long h;
  long long i; float j; double k; bool l; _Bool m; signed char n; unsigned char o[2]; double pos[3], spare;
};`);
    expect(l.littleEndian).toBe(false);
    expect(l.config.texts).toEqual([{ name: 'label', offset: 0, length: 8 }]);
    expect(l.config.numeric).toEqual([{ name: 'big', type: 'uint64', offset: 8 }]);
    const t = l.telemetry.numeric;
    expect(t.map((f) => f.type)).toEqual(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'int64', 'float32', 'float64', 'bool', 'bool', 'int8', 'uint8', 'uint8', 'float64', 'float64', 'float64', 'float64']);
    expect(t.map((f) => f.name).slice(-6)).toEqual(['o[0]', 'o[1]', 'pos[0]', 'pos[1]', 'pos[2]', 'spare']);
    expect(l.telemetry.size).toBe(1 + 1 + 2 + 2 + 4 + 4 + 8 + 8 + 8 + 4 + 8 + 1 + 1 + 1 + 2 + 24 + 8);
  });

  it('takes the ctypes type names the controllers\' own structures are written with', () => {
    const l = compileLayoutText(`${HEAD}struct C { c_bool on; c_char name[4]; c_double lim; };
struct T {
  c_byte a; c_ubyte b; c_int8 c; c_uint8 d; c_short e; c_ushort f; c_int16 g; c_uint16 h;
  c_int i; c_uint j; c_int32 k; c_uint32 l; c_long m; c_ulong n; c_longlong o; c_ulonglong p;
  c_int64 q; c_uint64 r; c_float s; c_double t[2]; c_size_t u; c_ssize_t v;
};`);
    expect(l.config.numeric.map((f) => f.type)).toEqual(['bool', 'float64']);
    expect(l.config.texts).toEqual([{ name: 'name', offset: 1, length: 4 }]);
    expect(l.telemetry.numeric.map((f) => f.type)).toEqual([
      'int8', 'uint8', 'int8', 'uint8', 'int16', 'uint16', 'int16', 'uint16',
      'int32', 'uint32', 'int32', 'uint32', 'int64', 'uint64', 'int64', 'uint64',
      'int64', 'uint64', 'float32', 'float64', 'float64', 'uint64', 'int64',
    ]);
    expect(l.telemetry.size).toBe(4 * 1 + 4 * 2 + 4 * 4 + 6 * 8 + 4 + 2 * 8 + 2 * 8);
  });

  it('reads the structures as the controller\'s own Python declares them: ctypes classes with _fields_', () => {
    const l = compileLayoutText(`#pragma config SimpleConfig 3
#pragma telemetry SimpleTelemetry 2
class SimpleConfig(ctypes.Structure):
    """Configuration,
    over two lines."""
    _pack_ = 1
    _fields_ = [
        ("drives_enabled", ctypes.c_bool),
        ("min_position", ctypes.c_double),
        ('max_position', c_double),
        ("max_velocity", ctypes.c_double),
    ]

class SimpleTelemetry(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("application_status", ctypes.c_uint), ("state", ctypes.c_double), ("enabled_substate", ctypes.c_double),
        ("curr_position", ctypes.c_double), ("cmd_position", ctypes.c_double), ("name", ctypes.c_char * 8), ("pos", ctypes.c_float * 2)]
`);
    const simple = resolveLayout('simple');
    const plain = (fs: { name: string; type: string; offset: number }[]) => fs.map(({ name, type, offset }) => ({ name, type, offset }));
    expect(plain(l.config.numeric)).toEqual(plain(simple.config.numeric));
    expect(l.config.size).toBe(25);
    expect(plain(l.telemetry.numeric.slice(0, 5))).toEqual(plain(simple.telemetry.numeric));
    expect(l.telemetry.texts).toEqual([{ name: 'name', offset: 36, length: 8 }]);
    expect(l.telemetry.numeric.slice(5).map((f) => [f.name, f.type, f.offset])).toEqual([['pos[0]', 'float32', 44], ['pos[1]', 'float32', 48]]);
    expect(compileLayoutText(`#pragma endian big\n${HEAD}class C(ctypes.BigEndianStructure):\n  _fields_ = [("a", ctypes.c_int16)]\nstruct T { int y; };`).littleEndian).toBe(false);
  });

  it.each([
    [`${HEAD}class C(ctypes.Union):\n  _fields_ = [("a", ctypes.c_int)]`, 3, 16, /must derive from ctypes.Structure/],
    [`${HEAD}class C(ctypes.Structure):\n  x = 1`, 4, 3, /expected _fields_ = \[...\] in class C/],
    [`${HEAD}class C(ctypes.Structure):\n  _fields_ = [("a", ctypes.c_doubel)]`, 4, 28, /unknown ctypes type "c_doubel"/],
    [`${HEAD}class C(ctypes.Structure):\n  _fields_ = [("a", ctypes.c_double * 0)]`, 4, 39, /array length must be from 1/],
    [`${HEAD}class C(ctypes.Structure):\n  _fields_ = [("a", ctypes.c_double), ("a", ctypes.c_int)]`, 4, 40, /"a" is declared twice/],
    [`${HEAD}class C(ctypes.Structure):\n  _fields_ = [("a", ctypes.c_double) ("b", ctypes.c_int)]`, 4, 38, /expected "," or "\]" after field "a"/],
    [`${HEAD}class C(ctypes.Structure):\n  _fields_ = []`, 4, 15, /at least one field/],
    [`${HEAD}class C(ctypes.BigEndianStructure):\n  _fields_ = [("a", ctypes.c_int)]\nstruct T { int y; };`, 3, 16, /add "#pragma endian big"/],
    [`${HEAD}class C(ctypes.Structure):\n  """never closed`, 4, 3, /triple quotes is never closed/],
  ])('refuses the ctypes class %j at line %i, column %i', (text, line, column, reason) => {
    const e = refusal(text);
    expect(e.reason).toMatch(reason);
    expect([e.line, e.column]).toEqual([line, column]);
  });

  it('gives fields units and state names from #pragma unit and #pragma enum, in either structure', () => {
    const l = resolveLayout('simple');
    const field = (name: string) => [...l.telemetry.numeric, ...l.config.numeric].find((f) => f.name === name)!;
    expect(field('curr_position').unit).toBe('mm');
    expect(field('max_velocity').unit).toBe('mm/s');
    expect(field('application_status').unit).toBeUndefined();
    expect(field('state').enum).toEqual([{ value: 0, name: 'STANDBY' }, { value: 2, name: 'ENABLED' }, { value: 4, name: 'FAULT' }]);
    expect(stateNames(field('state'))).toEqual(['STANDBY', '1', 'ENABLED', '3', 'FAULT']);
    expect(stateNames(field('curr_position'))).toBeNull();
    const arr = compileLayoutText(`${HEAD}#pragma unit pos "mm"\n#pragma enum mode OFF=0 HUGE=0x10000\nstruct C { double pos[2]; };\nstruct T { c_uint mode; };`);
    expect(arr.config.numeric.map((f) => [f.name, f.unit])).toEqual([['pos[0]', 'mm'], ['pos[1]', 'mm']]);
    // A value too large to index is named in the table but not drawn as a lane.
    expect(stateNames(arr.telemetry.numeric[0]!)).toBeNull();
    // The saved JSON form keeps them.
    expect(compileLayout(JSON.parse(JSON.stringify(l.json))).telemetry.numeric[1]!.enum).toEqual(field('state').enum);
  });

  it.each([
    [`${HEAD}#pragma unit nothere mm\nstruct C { double x; };\nstruct T { int y; };`, 3, 14, /no field nothere in C or T/],
    [`${HEAD}#pragma enum y A=1 B\nstruct C { double x; };\nstruct T { int y; };`, 3, 20, /expected "=" and the value after B/],
    [`${HEAD}#pragma enum y A=1 B=\nstruct C { double x; };\nstruct T { int y; };`, 4, 1, /expected the value of B/],
    [`${HEAD}#pragma enum y\nstruct C { double x; };\nstruct T { int y; };`, 4, 1, /NAME=value pairs/],
    [`${HEAD}#pragma unit y\nstruct C { double x; };\nstruct T { int y; };`, 4, 1, /the unit of y/],
    [`${HEAD}struct C { double x; };\nstruct T { c_doubel y; };`, 4, 12, /unknown type "c_doubel".*ctypes names/],
    [`${HEAD}struct C { double x; };\nstruct T { doubel y; };`, 4, 12, /unknown type "doubel"/],
    [`${HEAD}struct C { double x };\nstruct T { int y; };`, 3, 21, /expected ";"/],
    [`${HEAD}struct C { double x; double x; };\nstruct T { int y; };`, 3, 29, /"x" is declared twice/],
    [`${HEAD}struct C { double *p; };\nstruct T { int y; };`, 3, 19, /pointers/],
    [`${HEAD}struct C { double x[0]; };\nstruct T { int y; };`, 3, 21, /array length must be from 1/],
    [`${HEAD}struct C { double x[2][3]; };\nstruct T { int y; };`, 3, 23, /arrays of arrays/],
    [`${HEAD}struct C { int x : 3; };\nstruct T { int y; };`, 3, 18, /bit fields/],
    [`${HEAD}struct C { double x; };\nstruct T { int y; };\n#include <x.h>`, 5, 1, /only #pragma/],
    [`#pragma endian middle\n`, 1, 16, /little or big/],
    [`#pragma config C 3\n#pragma telemetry T 3\nstruct C { int a; };\nstruct T { int b; };`, 2, 19, /already the config's/],
    [`#pragma config C 3\nstruct C { int a; };`, 2, 21, /no "#pragma telemetry/],
    [`${HEAD}struct C { int a; };`, 2, 19, /structure "T" is not declared/],
    [`${HEAD}#pragma command MOVE 4 "a" "b" "c" "d" "e" "f" "g"`, 3, 48, /at most 6 parameters/],
    [`${HEAD}#pragma command MOVE 4\n#pragma command STOP 4`, 4, 22, /already command MOVE/],
    [`${HEAD}#pragma command MOVE 4 "unterminated`, 3, 24, /not closed/],
    [`${HEAD}/* never closed`, 3, 1, /never closed/],
    [`${HEAD}struct C { double x; } @`, 3, 24, /unexpected character "@"/],
    [`${HEAD}struct C { struct T t; };`, 3, 12, /nested structures/],
    [`${HEAD}struct C { };`, 3, 12, /at least one field/],
    [`${HEAD}struct C { double a[4000]; float b[97]; };\nstruct T { int y; };`, 3, 8, /4097 numeric values, at most 4096/],
    [`${HEAD}struct C { char a[4000]; char b[4000]; char c[4000]; char d[4000]; char e[4000]; char f[4000]; char g[4000]; char h[4000]; char i[4000]; char j[4000]; char k[4000]; char l[4000]; char m[4000]; char n[4000]; char o[4000]; char p[4000]; char q[4000]; };\nstruct T { int y; };`, 3, 8, /68000 bytes, at most 65536/],
  ])('refuses %j at line %i, column %i', (text, line, column, reason) => {
    const e = refusal(text);
    expect(e.reason).toMatch(reason);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toBe(`line ${line}, column ${column}: ${e.reason}`);
  });

  it('never throws anything but LayoutError on arbitrary text', () => {
    const alphabet = fc.constantFrom(...'struct {};[]#pragma config telemetry command int double x 3 "\n/*().*\'='.split(''), 'struct', '#pragma', 'double', '\n', '{', '}', ';',
      'class', '_fields_', '_pack_', 'ctypes', 'c_double', 'Structure', '"""', 'unit', 'enum');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
      try {
        parseLayoutText(parts.join(''));
      } catch (e) {
        expect(e).toBeInstanceOf(LayoutError);
      }
    }), { numRuns: 500 });
  });

  it('round-trips through JSON, the saved form, and refuses bad JSON', () => {
    const json = parseLayoutText(`${HEAD}#pragma command MOVE 4 "x" "y"\nstruct C { double x; };\nstruct T { float v[2]; };`, 'mine');
    const again = compileLayout(JSON.parse(JSON.stringify(json)));
    expect(again.telemetry.numeric.map((f) => f.name)).toEqual(['v[0]', 'v[1]']);
    expect(LayoutJson.safeParse({ ...json, endian: 'middle' }).success).toBe(false);
    expect(() => compileLayout({ ...json, telemetry: { ...json.telemetry, frameId: 3 } })).toThrow(/share frame id 3/);
    expect(() => compileLayout({ ...json, commands: [{ name: 'A', code: 1, params: [] }, { name: 'B', code: 1, params: [] }] })).toThrow(/share code 1/);
  });

  it('session options refuse a bad layout with line and column, and accept JSON or a built-in name', () => {
    const bad = HexrotOptionsSchema.safeParse({ layout: `${HEAD}struct C { int a; };\nstruct T { flaot b; };` });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['layout']);
    expect(bad.error!.issues[0]!.message).toBe('Layout line 4, column 12: unknown type "flaot": use an integer type of 8 to 64 bits, float, double, bool or char (C or ctypes names such as c_double, c_uint)');
    expect(HexrotOptionsSchema.parse({}).layout).toBe('simple');
    const json = parseLayoutText(`${HEAD}struct C { int a; };\nstruct T { int b; };`);
    expect(HexrotOptionsSchema.safeParse({ layout: json }).success).toBe(true);
  });
});
