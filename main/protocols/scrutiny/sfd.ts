// Scrutiny firmware descriptions (.sfd): a zip holding `firmwareid`, `varmap.json`,
// optional `alias.json` and `metadata.json`. Parsed into a flat variable list (arrays
// expanded to elements with computed addresses, bitfields, enums, pointed-to
// variables) and aliases. Every problem names the file and the entry.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { typeFromName } from './value-types';

export interface SfdEnum { name: string; values: Record<string, number> }

export interface SfdVariable {
  path: string;
  /** Type name as in the description (float32, uint8, ptr32 ...). */
  typeName: string;
  /** Protocol type byte (a pointer is an unsigned integer of its size). */
  type: number;
  /** Null for a pointed-to variable: its address is read from the pointer at run time. */
  address: number | null;
  bitOffset?: number;
  bitSize?: number;
  enum?: SfdEnum;
  pointer?: { path: string; offset: number };
}

export interface SfdAlias {
  path: string;
  target: string;
  targetType: 'var' | 'rpv';
  gain: number;
  offset: number;
  min: number;
  max: number;
}

export interface FirmwareDescription {
  fileName: string;
  firmwareId: string;
  metadata: Record<string, unknown>;
  endianness: 'little' | 'big';
  charBit: number;
  variables: Map<string, SfdVariable>;
  aliases: Map<string, SfdAlias>;
}

export class SfdError extends Error {}

/** Arrays beyond this many elements per variable are refused rather than expanded. */
const MAX_ELEMENTS = 65_536;

type Json = Record<string, unknown>;

function obj(v: unknown, where: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SfdError(`${where}: an object was expected, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v as Json;
}

function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SfdError(`${where}: a number was expected, got ${JSON.stringify(v)?.slice(0, 60)}`);
  return v;
}

function protocolType(name: string): number | null {
  const ptr = /^ptr(8|16|32|64)$/.exec(name);
  if (ptr) return typeFromName(`uint${ptr[1]}`);
  return typeFromName(name);
}

export function parseSfd(bytes: Uint8Array, fileName: string): FirmwareDescription {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new SfdError(`${fileName}: not a readable zip file (${(e as Error).message})`);
  }
  const text = (entry: string, required: boolean): string | null => {
    const f = files[entry];
    if (!f) {
      if (required) throw new SfdError(`${fileName}: the entry "${entry}" is missing (found: ${Object.keys(files).join(', ') || 'nothing'})`);
      return null;
    }
    return strFromU8(f);
  };
  const json = (entry: string, required: boolean): Json | null => {
    const t = text(entry, required);
    if (t === null) return null;
    try {
      return obj(JSON.parse(t), `${fileName}/${entry}`);
    } catch (e) {
      if (e instanceof SfdError) throw e;
      throw new SfdError(`${fileName}/${entry}: bad JSON (${(e as Error).message})`);
    }
  };
  const firmwareId = text('firmwareid', true)!.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(firmwareId)) throw new SfdError(`${fileName}/firmwareid: "${firmwareId.slice(0, 40)}" is not 32 hex characters`);
  const varmap = json('varmap.json', true)!;
  const metadata = json('metadata.json', false) ?? {};
  const aliasJson = json('alias.json', false) ?? {};
  const where = `${fileName}/varmap.json`;
  const endianness = varmap.endianness;
  if (endianness !== 'little' && endianness !== 'big') throw new SfdError(`${where}: endianness "${String(endianness)}" (little or big expected)`);
  const charBit = varmap.char_bit === undefined ? 8 : num(varmap.char_bit, `${where}: char_bit`);
  const typeMap = obj(varmap.type_map ?? {}, `${where}: type_map`);
  const enums = obj(varmap.enums ?? {}, `${where}: enums`);
  const vars = obj(varmap.variables ?? {}, `${where}: variables`);
  const variables = new Map<string, SfdVariable>();
  for (const [path, rawEntry] of Object.entries(vars)) {
    const at = `${where}: variable ${path}`;
    const e = obj(rawEntry, at);
    const typeEntry = obj(typeMap[String(e.type_id)], `${at}: type_id ${String(e.type_id)} in type_map`);
    const typeName = String(typeEntry.type);
    const type = protocolType(typeName);
    if (type === null) throw new SfdError(`${at}: unknown type "${typeName}" (type_id ${String(e.type_id)})`);
    let enumDef: SfdEnum | undefined;
    if (e.enum !== undefined) {
      const en = obj(enums[String(e.enum)], `${at}: enum ${String(e.enum)} in enums`);
      const values = obj(en.values, `${at}: enum values`);
      enumDef = { name: String(en.name), values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, num(v, `${at}: enum value ${k}`)])) };
    }
    const base: Omit<SfdVariable, 'path' | 'address'> = {
      typeName, type,
      ...(e.bitoffset !== undefined ? { bitOffset: num(e.bitoffset, `${at}: bitoffset`) } : {}),
      ...(e.bitsize !== undefined ? { bitSize: num(e.bitsize, `${at}: bitsize`) } : {}),
      ...(enumDef ? { enum: enumDef } : {}),
    };
    let address: number | null = null;
    if (e.pointer !== undefined) {
      const p = obj(e.pointer, `${at}: pointer`);
      base.pointer = { path: String(p.path), offset: num(p.offset ?? 0, `${at}: pointer offset`) };
    } else {
      address = num(e.addr, `${at}: addr`);
    }
    const segments = Object.entries(obj(e.array_segments ?? {}, `${at}: array_segments`))
      .map(([prefix, s]) => {
        const seg = obj(s, `${at}: array segment ${prefix}`);
        const dims = seg.dims;
        if (!Array.isArray(dims) || dims.length === 0) throw new SfdError(`${at}: array segment ${prefix} has no dims`);
        if (!path.startsWith(prefix)) throw new SfdError(`${at}: array segment ${prefix} is not a prefix of the path`);
        return { prefix, dims: dims.map((d, i) => num(d, `${at}: dims[${i}]`)), byteSize: num(seg.byte_size, `${at}: byte_size`) };
      })
      .sort((a, b) => a.prefix.length - b.prefix.length);
    for (const [elementPath, delta] of expand(path, segments, at)) {
      variables.set(elementPath, { path: elementPath, address: address === null ? null : address + delta, ...base });
    }
  }
  const aliases = new Map<string, SfdAlias>();
  for (const [path, raw] of Object.entries(aliasJson)) {
    const at = `${fileName}/alias.json: alias ${path}`;
    const a = obj(raw, at);
    const targetType = a.target_type;
    if (targetType !== 'var' && targetType !== 'rpv') throw new SfdError(`${at}: target_type "${String(targetType)}" (var or rpv expected)`);
    const target = String(a.target);
    if (targetType === 'var' && !variables.has(target)) throw new SfdError(`${at}: target ${target} is not a variable of this description`);
    const gain = a.gain === undefined ? 1 : num(a.gain, `${at}: gain`);
    if (gain === 0) throw new SfdError(`${at}: a gain of 0 cannot be written through`);
    aliases.set(path, {
      path, target, targetType, gain,
      offset: a.offset === undefined ? 0 : num(a.offset, `${at}: offset`),
      min: a.min === undefined || a.min === null ? -Infinity : num(a.min, `${at}: min`),
      max: a.max === undefined || a.max === null ? Infinity : num(a.max, `${at}: max`),
    });
  }
  return { fileName, firmwareId, metadata, endianness, charBit, variables, aliases };
}

/** Element paths and their byte offsets: `/a/arr/x` with segment `/a/arr` dims [2] -> `/a/arr[0]/x`, `/a/arr[1]/x`. */
function expand(path: string, segments: { prefix: string; dims: number[]; byteSize: number }[], at: string): [string, number][] {
  let out: [string, number][] = [[path, 0]];
  let inserted = 0;
  for (const seg of segments) {
    const count = seg.dims.reduce((a, b) => a * b, 1);
    if (out.length * count > MAX_ELEMENTS) throw new SfdError(`${at}: more than ${MAX_ELEMENTS} array elements`);
    const cut = seg.prefix.length + inserted;
    const next: [string, number][] = [];
    let suffixLen = 0;
    for (const [p, delta] of out) {
      for (let flat = 0; flat < count; flat++) {
        let rest = flat;
        const idx = new Array<number>(seg.dims.length);
        for (let k = seg.dims.length - 1; k >= 0; k--) {
          idx[k] = rest % seg.dims[k]!;
          rest = Math.floor(rest / seg.dims[k]!);
        }
        const suffix = idx.map((i) => `[${i}]`).join('');
        suffixLen = suffix.length;
        next.push([`${p.slice(0, cut)}${suffix}${p.slice(cut)}`, delta + flat * seg.byteSize]);
      }
    }
    inserted += suffixLen;
    out = next;
  }
  return out;
}

export interface SfdSource {
  firmwareId: string;
  varmap: Json;
  alias?: Json;
  metadata?: Json;
}

/** Packs a description as a .sfd zip. */
export function buildSfd(src: SfdSource): Uint8Array {
  const files: Record<string, Uint8Array> = {
    firmwareid: strToU8(src.firmwareId),
    'varmap.json': strToU8(JSON.stringify(src.varmap)),
    'metadata.json': strToU8(JSON.stringify(src.metadata ?? {})),
  };
  if (src.alias) files['alias.json'] = strToU8(JSON.stringify(src.alias));
  return zipSync(files);
}
