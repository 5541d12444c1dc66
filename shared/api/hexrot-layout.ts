// The structure layout language of the hexrot protocol: the user describes the
// controller's configuration and telemetry structures as C declarations, names
// their frame ids and the command table, and Benchscope decodes them.
//
//   #pragma endian little                        (or big; little is the default)
//   #pragma config SimpleConfig 3                (struct name, frame id)
//   #pragma telemetry SimpleTelemetry 2
//   #pragma command SET_STATE 1 "state: ENABLE=2, STANDBY=3, CLEAR_ERROR=6, FAULT=8"
//   #pragma command MOVE 4 "position"           (up to six parameter meanings)
//   struct SimpleConfig { bool drives_enabled; double min_position; ... };
//   typedef struct { uint32_t application_status; double pos[6]; } SimpleTelemetry;
//   class SimpleTelemetry(ctypes.Structure):     (or the ctypes class of the controller's own code)
//       _fields_ = [("application_status", ctypes.c_uint), ("pos", ctypes.c_double * 6)]
//
// Structures are packed (no padding); `long` is 8 bytes as on x86-64 Linux.
// A layout with an error is refused with its line, column and reason. The saved
// form is JSON (LayoutJson below), checked by zod and then by compileLayout().
import { z } from 'zod';
import { SIMPLE_LAYOUT_TEXT } from './hexrot';

export { SIMPLE_LAYOUT_TEXT };

export const FIELD_TYPES = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'bool', 'char'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_SIZES: Record<FieldType, number> = {
  int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8, bool: 1, char: 1,
};

/** Largest structure accepted, in bytes, and most numeric values per structure. */
export const MAX_STRUCT_BYTES = 65536;
export const MAX_SIGNALS_PER_STRUCT = 4096;
export const MAX_ARRAY_LENGTH = 4096;
export const COMMAND_PARAMS = 6;

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a C identifier of at most 64 characters');
const frameId = z.number().int().min(0).max(0xffff);

export const FieldJson = z.object({
  name: identifier,
  type: z.enum(FIELD_TYPES),
  /** Array length; absent for a single value. A char array is text, not a signal. */
  count: z.number().int().min(1).max(MAX_ARRAY_LENGTH).optional(),
  unit: z.string().min(1).max(32).optional(),
  /** A state field's value names (value -> name). */
  enum: z.array(z.object({ value: z.number(), name: z.string().min(1).max(64) }).strict()).max(256).optional(),
}).strict();
export type FieldJson = z.infer<typeof FieldJson>;

export const StructJson = z.object({
  name: identifier,
  frameId,
  fields: z.array(FieldJson).min(1).max(MAX_SIGNALS_PER_STRUCT),
}).strict();
export type StructJson = z.infer<typeof StructJson>;

export const CommandJson = z.object({
  name: identifier,
  code: z.number().int().min(0).max(0xffffffff),
  /** What param1..param6 mean, in order; fewer than six means the rest are unused. */
  params: z.array(z.string().max(200)).max(COMMAND_PARAMS),
}).strict();
export type CommandJson = z.infer<typeof CommandJson>;

export const LayoutJson = z.object({
  name: z.string().min(1).max(100),
  endian: z.enum(['little', 'big']).default('little'),
  config: StructJson,
  telemetry: StructJson,
  commands: z.array(CommandJson).max(256),
}).strict();
export type LayoutJson = z.infer<typeof LayoutJson>;

/** One value of a structure, at its byte offset; array elements are separate entries named `name[i]`. */
export interface CompiledField {
  name: string;
  type: FieldType;
  offset: number;
  unit?: string;
  enum?: { value: number; name: string }[];
}

export interface CompiledText {
  name: string;
  offset: number;
  length: number;
}

export interface CompiledStruct {
  name: string;
  frameId: number;
  size: number;
  /** Every numeric value in byte order: these become signals. */
  numeric: CompiledField[];
  /** char arrays: shown as text in the config table, never signals. */
  texts: CompiledText[];
}

export interface CompiledLayout {
  json: LayoutJson;
  littleEndian: boolean;
  config: CompiledStruct;
  telemetry: CompiledStruct;
  commands: CommandJson[];
}

export class LayoutError extends Error {
  constructor(readonly line: number, readonly column: number, readonly reason: string) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'LayoutError';
  }
}

// ---------------------------------------------------------------- compile (JSON -> offsets)

function described(f: FieldJson): Pick<CompiledField, 'unit' | 'enum'> {
  return { ...(f.unit ? { unit: f.unit } : {}), ...(f.enum ? { enum: f.enum } : {}) };
}

function compileStruct(s: StructJson, role: string): CompiledStruct {
  const numeric: CompiledField[] = [];
  const texts: CompiledText[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const f of s.fields) {
    if (seen.has(f.name)) throw new Error(`${role} structure ${s.name}: field "${f.name}" is declared twice`);
    seen.add(f.name);
    const size = FIELD_SIZES[f.type];
    if (f.type === 'char' && f.count !== undefined) {
      texts.push({ name: f.name, offset, length: f.count });
      offset += f.count;
    } else if (f.count !== undefined) {
      for (let i = 0; i < f.count; i++) numeric.push({ name: `${f.name}[${i}]`, type: f.type, offset: offset + i * size, ...described(f) });
      offset += f.count * size;
    } else {
      numeric.push({ name: f.name, type: f.type, offset, ...described(f) });
      offset += size;
    }
    if (offset > MAX_STRUCT_BYTES) throw new Error(`${role} structure ${s.name} is larger than ${MAX_STRUCT_BYTES} bytes`);
  }
  if (numeric.length > MAX_SIGNALS_PER_STRUCT) throw new Error(`${role} structure ${s.name} has ${numeric.length} values, at most ${MAX_SIGNALS_PER_STRUCT}`);
  return { name: s.name, frameId: s.frameId, size: offset, numeric, texts };
}

/** Offsets and sizes from a layout's JSON; throws Error naming the problem. */
export function compileLayout(input: unknown): CompiledLayout {
  const json = LayoutJson.parse(input);
  if (json.config.frameId === json.telemetry.frameId) {
    throw new Error(`config and telemetry share frame id ${json.config.frameId}: the frame id is how they are told apart`);
  }
  const codes = new Map<number, string>();
  const names = new Set<string>();
  for (const c of json.commands) {
    if (names.has(c.name)) throw new Error(`command ${c.name} is declared twice`);
    if (codes.has(c.code)) throw new Error(`commands ${codes.get(c.code)} and ${c.name} share code ${c.code}`);
    names.add(c.name);
    codes.set(c.code, c.name);
  }
  return {
    json,
    littleEndian: json.endian === 'little',
    config: compileStruct(json.config, 'config'),
    telemetry: compileStruct(json.telemetry, 'telemetry'),
    commands: json.commands,
  };
}

// ---------------------------------------------------------------- the C text parser

interface Token {
  kind: 'ident' | 'number' | 'string' | 'punct' | 'pragma' | 'eof';
  text: string;
  line: number;
  column: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (): { line: number; column: number } => ({ line, column: i - lineStart + 1 });
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') { i++; line++; lineStart = i; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '/' && src[i + 1] === '/') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '/' && src[i + 1] === '*') {
      const start = at();
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new LayoutError(start.line, start.column, 'comment "/*" is never closed with "*/"');
      for (let k = i; k < end; k++) if (src[k] === '\n') { line++; lineStart = k + 1; }
      i = end + 2;
      continue;
    }
    const pos = at();
    if (c === '#') {
      // A directive runs to the end of its line; its words are tokenized as usual.
      let j = i + 1;
      while (src[j] === ' ' || src[j] === '\t') j++;
      let k = j;
      while (k < src.length && /[A-Za-z_]/.test(src[k]!)) k++;
      const word = src.slice(j, k);
      if (word !== 'pragma') throw new LayoutError(pos.line, pos.column, `unknown directive "#${word}": only #pragma lines are understood`);
      out.push({ kind: 'pragma', text: word, ...pos });
      i = k;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ kind: 'ident', text: src.slice(i, j), ...pos });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_]/.test(src[j]!)) j++;
      out.push({ kind: 'number', text: src.slice(i, j), ...pos });
      i = j;
      continue;
    }
    if (src.startsWith('"""', i)) {
      // A Python docstring (in a ctypes class): it may span lines.
      const end = src.indexOf('"""', i + 3);
      if (end < 0) throw new LayoutError(pos.line, pos.column, 'text in triple quotes is never closed');
      for (let k = i; k < end; k++) if (src[k] === '\n') { line++; lineStart = k + 1; }
      out.push({ kind: 'string', text: src.slice(i + 3, end), ...pos });
      i = end + 3;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c && src[j] !== '\n') j++;
      if (src[j] !== c) throw new LayoutError(pos.line, pos.column, 'text in quotes is not closed on its line');
      out.push({ kind: 'string', text: src.slice(i + 1, j), ...pos });
      i = j + 1;
      continue;
    }
    if ('{};[]()*,:=.'.includes(c)) {
      out.push({ kind: 'punct', text: c, ...pos });
      i++;
      continue;
    }
    throw new LayoutError(pos.line, pos.column, `unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ kind: 'eof', text: '', line, column: i - lineStart + 1 });
  return out;
}

/** C type spellings, longest first where one is a prefix of another. */
const C_TYPES: [string[], FieldType][] = [
  [['unsigned', 'long', 'long', 'int'], 'uint64'], [['unsigned', 'long', 'long'], 'uint64'],
  [['signed', 'long', 'long', 'int'], 'int64'], [['signed', 'long', 'long'], 'int64'],
  [['long', 'long', 'int'], 'int64'], [['long', 'long'], 'int64'],
  [['unsigned', 'long', 'int'], 'uint64'], [['unsigned', 'long'], 'uint64'],
  [['signed', 'long', 'int'], 'int64'], [['signed', 'long'], 'int64'], [['long', 'int'], 'int64'], [['long'], 'int64'],
  [['unsigned', 'short', 'int'], 'uint16'], [['unsigned', 'short'], 'uint16'],
  [['signed', 'short', 'int'], 'int16'], [['signed', 'short'], 'int16'], [['short', 'int'], 'int16'], [['short'], 'int16'],
  [['unsigned', 'char'], 'uint8'], [['signed', 'char'], 'int8'], [['char'], 'char'],
  [['unsigned', 'int'], 'uint32'], [['signed', 'int'], 'int32'], [['unsigned'], 'uint32'], [['signed'], 'int32'], [['int'], 'int32'],
  [['float'], 'float32'], [['double'], 'float64'], [['bool'], 'bool'], [['_Bool'], 'bool'],
  [['int8_t'], 'int8'], [['uint8_t'], 'uint8'], [['int16_t'], 'int16'], [['uint16_t'], 'uint16'],
  [['int32_t'], 'int32'], [['uint32_t'], 'uint32'], [['int64_t'], 'int64'], [['uint64_t'], 'uint64'],
  // Python ctypes names: the controllers' own structures are written with them (c_long is 8 bytes, as on x86-64 Linux).
  [['c_double'], 'float64'], [['c_float'], 'float32'], [['c_bool'], 'bool'], [['c_char'], 'char'],
  [['c_byte'], 'int8'], [['c_ubyte'], 'uint8'], [['c_int8'], 'int8'], [['c_uint8'], 'uint8'],
  [['c_short'], 'int16'], [['c_ushort'], 'uint16'], [['c_int16'], 'int16'], [['c_uint16'], 'uint16'],
  [['c_int'], 'int32'], [['c_uint'], 'uint32'], [['c_int32'], 'int32'], [['c_uint32'], 'uint32'],
  [['c_long'], 'int64'], [['c_ulong'], 'uint64'], [['c_longlong'], 'int64'], [['c_ulonglong'], 'uint64'],
  [['c_int64'], 'int64'], [['c_uint64'], 'uint64'], [['c_ssize_t'], 'int64'], [['c_size_t'], 'uint64'],
];
const TYPE_WORDS = new Set(C_TYPES.flatMap(([words]) => words));

interface RoleDecl { struct: string; frameId: number; tok: Token }

class Parser {
  private p = 0;
  private endian: 'little' | 'big' = 'little';
  private readonly structs = new Map<string, { fields: FieldJson[]; tok: Token }>();
  private config: RoleDecl | null = null;
  private telemetry: RoleDecl | null = null;
  private readonly commands: CommandJson[] = [];
  private readonly commandTokens = new Map<string, Token>();
  private readonly units = new Map<string, { unit: string; tok: Token }>();
  private readonly enums = new Map<string, { names: { value: number; name: string }[]; tok: Token }>();
  /** ctypes classes that say their byte order (LittleEndianStructure, BigEndianStructure). */
  private readonly classEndians: { endian: 'little' | 'big'; tok: Token }[] = [];

  constructor(private readonly toks: Token[]) {}

  parse(name: string): LayoutJson {
    while (this.peek().kind !== 'eof') {
      const t = this.peek();
      if (t.kind === 'pragma') this.directive();
      else if (t.kind === 'ident' && (t.text === 'struct' || t.text === 'typedef')) this.structDecl();
      else if (t.kind === 'ident' && t.text === 'class') this.ctypesClass();
      else this.fail(t, `expected a struct declaration, a ctypes class or a #pragma line, got ${describe(t)}`);
    }
    for (const c of this.classEndians) {
      if (c.endian !== this.endian) this.fail(c.tok, `${c.tok.text} is ${c.endian}-endian: add "#pragma endian ${c.endian}"`);
    }
    const end = this.peek();
    if (!this.config) this.fail(end, 'no "#pragma config <struct> <frame id>" line: which structure is the configuration?');
    if (!this.telemetry) this.fail(end, 'no "#pragma telemetry <struct> <frame id>" line: which structure is the telemetry?');
    const config = this.role(this.config, 'config');
    const telemetry = this.role(this.telemetry, 'telemetry');
    // #pragma unit / enum annotate the fields they name, in either structure.
    for (const [what, decls] of [['unit', this.units], ['enum', this.enums]] as const) {
      for (const [field, d] of decls) {
        const owners = [config, telemetry].flatMap((st) => st.fields.filter((f) => f.name === field));
        if (!owners.length) this.fail(d.tok, `#pragma ${what} ${field}: no field ${field} in ${config.name} or ${telemetry.name}`);
        for (const f of owners) {
          if ('unit' in d) f.unit = d.unit;
          else f.enum = d.names;
        }
      }
    }
    if (this.config.frameId === this.telemetry.frameId) {
      this.fail(this.telemetry.tok, `telemetry frame id ${this.telemetry.frameId} is already the config's: the frame id is how they are told apart`);
    }
    return { name, endian: this.endian, config, telemetry, commands: this.commands };
  }

  private role(decl: RoleDecl, what: string): StructJson {
    const s = this.structs.get(decl.struct);
    if (!s) this.fail(decl.tok, `${what} structure "${decl.struct}" is not declared`);
    let size = 0;
    for (const f of s.fields) size += FIELD_SIZES[f.type] * (f.count ?? 1);
    if (size > MAX_STRUCT_BYTES) this.fail(s.tok, `structure ${decl.struct} is ${size} bytes, at most ${MAX_STRUCT_BYTES}`);
    const values = s.fields.reduce((n, f) => n + (f.type === 'char' && f.count !== undefined ? 0 : f.count ?? 1), 0);
    if (values > MAX_SIGNALS_PER_STRUCT) this.fail(s.tok, `structure ${decl.struct} has ${values} numeric values, at most ${MAX_SIGNALS_PER_STRUCT} (each becomes a signal)`);
    return { name: decl.struct, frameId: decl.frameId, fields: s.fields };
  }

  private directive(): void {
    this.next();
    const what = this.expectIdent('endian, config, telemetry, command, unit or enum');
    const line = what.line;
    switch (what.text) {
      case 'endian': {
        const e = this.expectIdent('little or big');
        if (e.text !== 'little' && e.text !== 'big') this.fail(e, `endian must be little or big, got "${e.text}"`);
        this.endian = e.text;
        break;
      }
      case 'config':
      case 'telemetry': {
        if (this[what.text]) this.fail(what, `a second "#pragma ${what.text}" line: one ${what.text} structure per layout`);
        const s = this.expectIdent('a struct name');
        const id = this.peek().line === line && this.peek().kind === 'number' ? this.number(this.next(), 0, 0xffff, 'a frame id') : what.text === 'config' ? 3 : 2;
        this[what.text] = { struct: s.text, frameId: id, tok: s };
        break;
      }
      case 'command': {
        const n = this.expectIdent('a command name');
        if (this.commandTokens.has(n.text)) this.fail(n, `command ${n.text} is declared twice`);
        const codeTok = this.next();
        if (codeTok.kind !== 'number') this.fail(codeTok, `expected the code of command ${n.text}, got ${describe(codeTok)}`);
        const code = this.number(codeTok, 0, 0xffffffff, 'a command code');
        const clash = this.commands.find((c) => c.code === code);
        if (clash) this.fail(codeTok, `code ${code} is already command ${clash.name}`);
        const params: string[] = [];
        while (this.peek().line === line && this.peek().kind === 'string') {
          const s = this.next();
          if (params.length === COMMAND_PARAMS) this.fail(s, `a command has at most ${COMMAND_PARAMS} parameters`);
          params.push(s.text);
        }
        this.commands.push({ name: n.text, code, params });
        this.commandTokens.set(n.text, n);
        break;
      }
      case 'unit': {
        const f = this.expectIdent('a field name');
        const u = this.next();
        if (u.line !== line || (u.kind !== 'ident' && u.kind !== 'string')) this.fail(u, `expected the unit of ${f.text} (a word or "text in quotes"), got ${describe(u)}`);
        if (u.text.length < 1 || u.text.length > 32) this.fail(u, 'a unit is 1 to 32 characters');
        this.units.set(f.text, { unit: u.text, tok: f });
        break;
      }
      case 'enum': {
        const f = this.expectIdent('a field name');
        const names: { value: number; name: string }[] = [];
        while (this.peek().line === line && this.peek().kind === 'ident') {
          const n = this.next();
          const eq = this.next();
          if (eq.kind !== 'punct' || eq.text !== '=' || eq.line !== line) this.fail(eq.line === line ? eq : n, `expected "=" and the value after ${n.text} (NAME=value)`);
          const v = this.next();
          if (v.kind !== 'number' || v.line !== line) this.fail(v, `expected the value of ${n.text}, got ${describe(v)}`);
          names.push({ value: this.number(v, 0, 0xffffffff, `the value of ${n.text}`), name: n.text });
        }
        if (!names.length) this.fail(this.peek(), `expected NAME=value pairs for the states of ${f.text}`);
        this.enums.set(f.text, { names, tok: f });
        break;
      }
      case 'pack':
        while (this.peek().line === line && this.peek().kind !== 'eof') this.next();
        break;
      default:
        this.fail(what, `unknown pragma "${what.text}": expected endian, config, telemetry, command, unit or enum`);
    }
    const rest = this.peek();
    if (rest.line === line && rest.kind !== 'eof') this.fail(rest, `unexpected ${describe(rest)} at the end of the #pragma ${what.text} line`);
  }

  private structDecl(): void {
    const first = this.next();
    const typedef = first.text === 'typedef';
    if (typedef) this.expectWord('struct');
    this.skipAttributes();
    let name: Token | null = null;
    if (this.peek().kind === 'ident') name = this.next();
    this.skipAttributes();
    this.expectPunct('{');
    const fields: FieldJson[] = [];
    const names = new Set<string>();
    while (!this.isPunct('}')) {
      if (this.peek().kind === 'eof') this.fail(this.peek(), `structure ${name?.text ?? ''} is not closed with "}"`);
      this.fieldDecl(fields, names);
    }
    const close = this.next();
    if (fields.length === 0) this.fail(close, 'a structure needs at least one field');
    this.skipAttributes();
    if (typedef) name = this.expectIdent('the typedef name');
    this.skipAttributes();
    this.expectPunct(';');
    if (!name) this.fail(first, 'a structure needs a name');
    if (this.structs.has(name.text)) this.fail(name, `structure ${name.text} is declared twice`);
    this.structs.set(name.text, { fields, tok: name });
  }

  /**
   * A structure as the controllers' Python code declares it with ctypes:
   *   class SimpleTelemetry(ctypes.Structure):
   *       """docstring"""
   *       _pack_ = 1
   *       _fields_ = [("application_status", ctypes.c_uint), ("pos", ctypes.c_double * 6)]
   * Docstrings and _pack_ are skipped (layouts are always packed).
   */
  private ctypesClass(): void {
    this.next();
    const name = this.expectIdent('the class name');
    this.expectPunct('(');
    let base = this.expectIdent('the base class (ctypes.Structure)');
    while (this.isPunct('.')) { this.next(); base = this.expectIdent('the base class (ctypes.Structure)'); }
    this.expectPunct(')');
    this.expectPunct(':');
    if (base.text === 'LittleEndianStructure' || base.text === 'BigEndianStructure') this.classEndians.push({ endian: base.text === 'BigEndianStructure' ? 'big' : 'little', tok: base });
    else if (base.text !== 'Structure') this.fail(base, `class ${name.text} must derive from ctypes.Structure, LittleEndianStructure or BigEndianStructure, not ${base.text}`);
    for (;;) {
      const t = this.peek();
      if (t.kind === 'string') { this.next(); continue; }
      if (t.kind === 'ident' && t.text === '_pack_') {
        this.next();
        this.expectPunct('=');
        const n = this.next();
        if (n.kind !== 'number') this.fail(n, `expected a number after _pack_ =, got ${describe(n)}`);
        continue;
      }
      if (t.kind === 'ident' && t.text === '_fields_') break;
      this.fail(t, `expected _fields_ = [...] in class ${name.text}, got ${describe(t)}`);
    }
    this.next();
    this.expectPunct('=');
    this.expectPunct('[');
    const fields: FieldJson[] = [];
    const names = new Set<string>();
    while (!this.isPunct(']')) {
      this.expectPunct('(');
      const f = this.next();
      if (f.kind !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(f.text)) this.fail(f, `expected the field name in quotes, got ${describe(f)}`);
      if (names.has(f.text)) this.fail(f, `field "${f.text}" is declared twice`);
      this.expectPunct(',');
      const type = this.ctypesType();
      let count: number | undefined;
      if (this.isPunct('*')) {
        this.next();
        const c = this.next();
        if (c.kind !== 'number') this.fail(c, `expected an array length after "*", got ${describe(c)}`);
        count = this.number(c, 1, MAX_ARRAY_LENGTH, 'an array length');
        if (this.isPunct('*')) this.fail(this.peek(), 'arrays of arrays are not supported: flatten them into one array');
      }
      this.expectPunct(')');
      names.add(f.text);
      fields.push(count === undefined ? { name: f.text, type } : { name: f.text, type, count });
      if (this.isPunct(',')) { this.next(); continue; }
      if (!this.isPunct(']')) this.fail(this.peek(), `expected "," or "]" after field "${f.text}", got ${describe(this.peek())}`);
    }
    const close = this.next();
    if (fields.length === 0) this.fail(close, 'a structure needs at least one field');
    if (this.structs.has(name.text)) this.fail(name, `structure ${name.text} is declared twice`);
    this.structs.set(name.text, { fields, tok: name });
  }

  /** `ctypes.c_double` or `c_double`. */
  private ctypesType(): FieldType {
    let t = this.next();
    if (t.kind === 'ident' && t.text === 'ctypes' && this.isPunct('.')) {
      this.next();
      t = this.next();
    }
    const type = t.kind === 'ident' && t.text.startsWith('c_') ? C_TYPES.find(([w]) => w.length === 1 && w[0] === t.text)?.[1] : undefined;
    if (!type) this.fail(t, `unknown ctypes type ${describe(t)}: use c_double, c_float, c_bool, c_char, c_byte, c_ubyte, c_short, c_int, c_uint, c_long, c_int8 to c_uint64 ...`);
    return type;
  }

  private fieldDecl(fields: FieldJson[], names: Set<string>): void {
    const start = this.peek();
    const type = this.typeName();
    for (;;) {
      const n = this.expectIdent('a field name');
      if (TYPE_WORDS.has(n.text) || n.text === 'struct') this.fail(n, `"${n.text}" is a type, not a field name`);
      if (names.has(n.text)) this.fail(n, `field "${n.text}" is declared twice`);
      let count: number | undefined;
      if (this.isPunct('[')) {
        this.next();
        const c = this.next();
        if (c.kind !== 'number') this.fail(c, `expected an array length, got ${describe(c)}`);
        count = this.number(c, 1, MAX_ARRAY_LENGTH, 'an array length');
        this.expectPunct(']');
        if (this.isPunct('[')) this.fail(this.peek(), 'arrays of arrays are not supported: flatten them into one array');
      }
      if (this.isPunct(':')) this.fail(this.peek(), 'bit fields are not supported');
      names.add(n.text);
      fields.push(count === undefined ? { name: n.text, type } : { name: n.text, type, count });
      if (this.isPunct(',')) { this.next(); continue; }
      break;
    }
    if (!this.isPunct(';')) this.fail(this.peek(), `expected ";" after the field declaration starting at line ${start.line}, got ${describe(this.peek())}`);
    this.next();
  }

  private typeName(): FieldType {
    const start = this.peek();
    while (this.peek().kind === 'ident' && (this.peek().text === 'const' || this.peek().text === 'volatile')) this.next();
    if (this.peek().kind === 'ident' && this.peek().text === 'struct') this.fail(this.peek(), 'nested structures are not supported: declare their fields in place');
    const words: string[] = [];
    for (let k = this.p; this.toks[k]!.kind === 'ident' && TYPE_WORDS.has(this.toks[k]!.text); k++) words.push(this.toks[k]!.text);
    for (const [spelling, type] of C_TYPES) {
      if (spelling.length <= words.length && spelling.every((w, i) => words[i] === w)) {
        this.p += spelling.length;
        if (this.isPunct('*')) this.fail(this.peek(), 'pointers have no meaning in a structure sent over a link');
        return type;
      }
    }
    const t = this.peek();
    if (t.kind === 'ident') this.fail(t, `unknown type "${t.text}": use an integer type of 8 to 64 bits, float, double, bool or char (C or ctypes names such as c_double, c_uint)`);
    this.fail(start, `expected a field type, got ${describe(t)}`);
  }

  /** `__attribute__((packed))` and `#pragma pack` are accepted and change nothing: layouts are always packed. */
  private skipAttributes(): void {
    while (this.peek().kind === 'ident' && this.peek().text === '__attribute__') {
      this.next();
      let depth = 0;
      do {
        const t = this.next();
        if (t.kind === 'eof') this.fail(t, '__attribute__ is not closed');
        if (t.text === '(') depth++;
        if (t.text === ')') depth--;
      } while (depth > 0);
    }
  }

  private number(t: Token, min: number, max: number, what: string): number {
    const v = /^0[xX][0-9a-fA-F]+$/.test(t.text) ? parseInt(t.text, 16) : /^[0-9]+[uUlL]*$/.test(t.text) ? parseInt(t.text, 10) : NaN;
    if (!Number.isFinite(v)) this.fail(t, `"${t.text}" is not a whole number (${what})`);
    if (v < min || v > max) this.fail(t, `${what} must be from ${min} to ${max}, got ${v}`);
    return v;
  }

  private peek(): Token {
    return this.toks[this.p]!;
  }

  private next(): Token {
    const t = this.toks[this.p]!;
    if (t.kind !== 'eof') this.p++;
    return t;
  }

  private isPunct(c: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === c;
  }

  private expectPunct(c: string): Token {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== c) this.fail(t, `expected "${c}", got ${describe(t)}`);
    return t;
  }

  private expectWord(w: string): Token {
    const t = this.next();
    if (t.kind !== 'ident' || t.text !== w) this.fail(t, `expected "${w}", got ${describe(t)}`);
    return t;
  }

  private expectIdent(what: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, `expected ${what}, got ${describe(t)}`);
    return t;
  }

  private fail(t: Token, reason: string): never {
    throw new LayoutError(t.line, t.column, reason);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'the end of the layout';
    case 'string': return `"${t.text}" in quotes`;
    case 'pragma': return `#${t.text}`;
    default: return `"${t.text}"`;
  }
}

/** Parses layout text into its JSON form; throws LayoutError with line, column and reason. */
export function parseLayoutText(text: string, name = 'custom layout'): LayoutJson {
  return new Parser(tokenize(text)).parse(name);
}

/** Parses and compiles layout text: throws LayoutError for a bad one. */
export function compileLayoutText(text: string, name?: string): CompiledLayout {
  const json = parseLayoutText(text, name);
  try {
    return compileLayout(json);
  } catch (e) {
    throw new LayoutError(1, 1, (e as Error).message);
  }
}

// ---------------------------------------------------------------- built-in layouts (the text is in shared/, where the form starts a custom one from it)

export const BUILTIN_LAYOUTS = {
  simple: SIMPLE_LAYOUT_TEXT,
} as const;
export type BuiltinLayoutName = keyof typeof BUILTIN_LAYOUTS;
export const BUILTIN_LAYOUT_NAMES = Object.keys(BUILTIN_LAYOUTS) as BuiltinLayoutName[];

/**
 * The compiled layout of a built-in name, of layout text, or of saved JSON; throws
 * LayoutError or Error. `name` is the user's name for layout text (JSON carries its own).
 */
export function resolveLayout(layout: string | LayoutJson, name?: string): CompiledLayout {
  if (typeof layout !== 'string') return compileLayout(layout);
  if (Object.prototype.hasOwnProperty.call(BUILTIN_LAYOUTS, layout)) return compileLayoutText(BUILTIN_LAYOUTS[layout as BuiltinLayoutName], layout);
  return compileLayoutText(layout, name);
}

/** Enum values above this are not drawn as a state lane (the lane's states are indexed by value). */
export const MAX_STATE_LANE_VALUE = 255;

/**
 * A state field's names indexed by value, for a state timeline; a value with no name
 * shows as its number. Null for a field without names or with values too large to index.
 */
export function stateNames(f: CompiledField): string[] | null {
  if (!f.enum?.length) return null;
  const top = Math.max(...f.enum.map((e) => e.value));
  if (top > MAX_STATE_LANE_VALUE || f.enum.some((e) => !Number.isInteger(e.value) || e.value < 0)) return null;
  const names = Array.from({ length: top + 1 }, (_, i) => String(i));
  for (const e of f.enum) names[e.value] = e.name;
  return names;
}
