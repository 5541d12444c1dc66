// DCSS's beamline database file (database.dat, the text `dcss -r` restores and
// `dcss -d` dumps) to and from the DCS configuration Benchscope plays DCSS with.
// Pure: text in, configuration and notes out, and back.
//
// The layout follows DCSS's own reader and writer (dcss_main.c: restore_database,
// dump_one_device): blocks of non-blank lines separated by blank lines, each line
// trimmed; a block is a device name, its type number, then lines by type; a block
// named END ends the file. What DCSS refuses, this refuses with the line number;
// what the configuration has no place for is named in the notes.
import {
  DcsOptionsSchema, HardwareServerSchema, IonChamberSchema, PseudoMotorSchema, RealMotorSchema, ShutterSchema, SimpleDeviceSchema, type DcsOptions,
} from '../api/dcs-config';
import type { z } from 'zod';
import { issuesOf } from '../api/contract';

/** Longest file read, in characters: the largest beamline files are about 150 kB. */
export const DATABASE_FILE_MAX_CHARS = 4 * 1024 * 1024;
/** DCSS's MAX_DEVICES. */
export const DATABASE_MAX_DEVICES = 1000;
/** DCSS reads lines with fgets into 1024 bytes: 1022 characters and the newline; a longer line it splits in two. */
export const DCSS_MAX_LINE = 1022;
/** Longest line read at all: DCSS's longest field (a string's contents) is 1880 characters. */
export const DATABASE_MAX_LINE = 8192;
/** DCSS's MAX_NUM_LINE: lines in one block. */
const MAX_BLOCK_LINES = 10;
/** DCSS's DEVICE_NAME_SIZE and DEPENDENCIES_SIZE, each with its terminating NUL. */
const DCSS_NAME_MAX = 39;
const DCSS_DEPENDENCIES_MAX = 159;
const INT_MAX = 2 ** 31 - 1;

/** DCSS's device_type_t. 5, 7 and 10 are obsolete; DCSS's reader refuses 0, them and 14. */
export const DEVICE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'real motor', 2: 'pseudo motor', 3: 'hardware host', 4: 'ion chamber', 6: 'shutter',
  8: 'run definition', 9: 'runs status', 11: 'operation', 12: 'encoder', 13: 'string',
};
const TYPE_LIST = Object.entries(DEVICE_TYPE_NAMES).map(([n, what]) => `${n} ${what}`).join(', ');

/** DCSS's default permission line (defaultStaffPermit and defaultUserPermit), written for every device. */
const DEFAULT_PERMIT = '0 1 1 1 1';
/** The hardware host DCSS's own scripting engine registers as. */
const SELF = 'self';

export interface DatabaseNote {
  /** The line the note is about (1-based); 0 for the file as a whole. */
  line: number;
  text: string;
}

export type DatabaseImport =
  | { ok: true; config: DcsOptions; notes: DatabaseNote[] }
  | { ok: false; line: number; error: string };

export interface DatabaseExport {
  text: string;
  /** What the file does not carry, or what DCSS would refuse in it. */
  notes: string[];
}

/** A note or an error, as a user reads it. */
export function describeNote(n: { line: number; text?: string; error?: string }): string {
  const text = n.text ?? n.error ?? '';
  return n.line > 0 ? `line ${n.line}: ${text}` : text;
}

class FileError extends Error {
  constructor(readonly line: number, message: string) { super(message); }
}

interface Block { lines: string[]; at: number[] }

function splitBlocks(text: string, notes: DatabaseNote[]): Block[] {
  const raw = text.split('\n');
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    const rawLine = raw[i]!;
    if (rawLine.length > DATABASE_MAX_LINE) {
      throw new FileError(lineNo, `the line is ${rawLine.length} characters long; a database file's lines are at most ${DATABASE_MAX_LINE} (DCSS reads ${DCSS_MAX_LINE})`);
    }
    if (rawLine.length > DCSS_MAX_LINE) {
      notes.push({ line: lineNo, text: `the line is ${rawLine.length} characters long: read whole here, but DCSS reads ${DCSS_MAX_LINE} characters per line and would split it` });
    }
    const line = rawLine.replace(/^[ \t\v\f\r]+|[ \t\v\f\r]+$/g, '');
    const bad = /[^\x20-\x7e]/.exec(line);
    if (bad) {
      const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new FileError(lineNo, `character U+${code}${bad[0] === '\t' ? ' (a tab)' : ''} at column ${rawLine.indexOf(bad[0]) + 1}; DCSS reads printable ASCII only, and spaces between words`);
    }
    if (line === '') { current = null; continue; }
    if (!current) { current = { lines: [], at: [] }; blocks.push(current); }
    if (current.lines.length === MAX_BLOCK_LINES) {
      throw new FileError(lineNo, `block '${current.lines[0]}' (line ${current.at[0]}) has more than ${MAX_BLOCK_LINES} lines; is a blank line missing before the next device?`);
    }
    current.lines.push(line);
    current.at.push(lineNo);
  }
  const end = blocks.findIndex((b) => b.lines[0] === 'END');
  if (end < 0) {
    notes.push({ line: 0, text: 'the file has no END line (DCSS warns about this): it may have been cut short' });
    return blocks;
  }
  const after = blocks.slice(end + 1);
  if (after.length) {
    notes.push({ line: after[0]!.at[0]!, text: `${after.length} block${after.length > 1 ? 's' : ''} after END ${after.length > 1 ? 'are' : 'is'} ignored, as DCSS ignores them` });
  }
  if (blocks[end]!.lines.length > 1) notes.push({ line: blocks[end]!.at[1]!, text: 'the lines after END are ignored, as DCSS ignores them' });
  return blocks.slice(0, end);
}

type Kind = 'realMotors' | 'pseudoMotors' | 'shutters' | 'ionChambers' | 'encoders' | 'strings' | 'operations';

const KIND_WORDS: Record<Kind | 'objects', [string, string]> = {
  realMotors: ['real motor', 'real motors'], pseudoMotors: ['pseudo motor', 'pseudo motors'], shutters: ['shutter', 'shutters'],
  ionChambers: ['ion chamber', 'ion chambers'], encoders: ['encoder', 'encoders'], strings: ['string', 'strings'],
  operations: ['operation', 'operations'], objects: ['object', 'objects'],
};

/** A device read from its block, before it is placed under its hardware server. */
interface FileDevice {
  kind: Kind;
  name: string;
  line: number;
  host: string;
  hostLine: number;
  record: Record<string, unknown>;
  /** What of this device the configuration does not keep, or keeps changed. */
  lost: string[];
}

interface FileHost { name: string; line: number; address: string; protocol: 1 | 2 }

/** Reads one block's lines by the rules of its type. */
class BlockReader {
  readonly name: string;
  readonly what: string;
  constructor(private readonly b: Block, readonly type: number) {
    this.name = b.lines[0]!;
    this.what = `${DEVICE_TYPE_NAMES[type]} '${this.name}'`;
  }
  get count(): number { return this.b.lines.length; }
  line(i: number): string { return this.b.lines[i]!; }
  at(i: number): number { return this.b.at[i]!; }
  fail(i: number, message: string): never { throw new FileError(this.at(Math.min(i, this.count - 1)), `${this.what} ${message}`); }

  expectCount(allowed: number[], layout: string): void {
    if (allowed.includes(this.count)) return;
    const n = allowed.length === 1 ? `${allowed[0]} lines` : `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)} lines`;
    const kind = DEVICE_TYPE_NAMES[this.type]!;
    throw new FileError(this.at(this.count - 1), `${this.what} has ${this.count} lines; ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} has ${n} (${layout})`);
  }

  isPermit(i: number): boolean { return /^[01] [01] [01] [01] [01]$/.test(this.line(i)); }

  /** The staff and users permission lines at i and i + 1, noted when they are not DCSS's default. */
  permits(i: number, lost: string[]): void {
    for (const k of [i, i + 1]) {
      if (!this.isPermit(k)) this.fail(k, `expects a permission line (five 0/1 flags: passive remote local in-hutch closed-hutch) on line ${this.at(k)}, got '${this.line(k)}'`);
    }
    const staff = this.line(i);
    const users = this.line(i + 1);
    if (staff !== DEFAULT_PERMIT || users !== DEFAULT_PERMIT) lost.push(`staff/user permissions (${staff} / ${users}) not kept; an export writes DCSS's default ${DEFAULT_PERMIT}`);
  }

  /** readHostAndLocalName: the owning host, then the name the DHS knows the device by. */
  hostAndName(i: number, lost: string[]): { host: string; hwName: string } {
    const t = this.line(i).split(/ +/);
    if (t.length > 2) lost.push(`the words after the host and hardware name on line ${this.at(i)} ('${t.slice(2).join(' ')}') ignored, as DCSS ignores them`);
    return { host: t[0]!, hwName: t[1] ?? this.name };
  }

  /** Numbers of a configuration line, each named so an error can say which one is wrong. */
  numbers(i: number, fields: readonly (readonly [string, 'real' | 'int'])[], tail: string): { values: number[]; rest: string[] } {
    const t = this.line(i).split(/ +/);
    const expect = `${fields.length} numbers${tail ? ` then ${tail}` : ''} (${fields.map(([f]) => f).join(', ')})`;
    if (t.length < fields.length) this.fail(i, `expects ${expect} on line ${this.at(i)}, got ${t.length} word${t.length > 1 ? 's' : ''}: '${this.line(i)}'`);
    const values = fields.map(([field, form], k) => {
      const word = t[k]!;
      const ok = form === 'int' ? /^[+-]?\d+$/.test(word) && Math.abs(Number(word)) <= INT_MAX : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(word) && Number.isFinite(Number(word));
      if (!ok) this.fail(i, `expects ${expect} on line ${this.at(i)}; its ${field} (word ${k + 1}) is '${word}', not ${form === 'int' ? 'a whole number' : 'a number'}`);
      return Number(word);
    });
    return { values, rest: t.slice(fields.length) };
  }
}

const REAL_FIELDS = [
  ['position', 'real'], ['upper limit', 'real'], ['lower limit', 'real'], ['scale factor', 'real'], ['speed', 'int'],
  ['acceleration', 'int'], ['backlash', 'int'], ['lower limit on', 'int'], ['upper limit on', 'int'], ['lock', 'int'],
  ['backlash on', 'int'], ['reverse on', 'int'], ['circle mode', 'int'],
] as const;
const PSEUDO_FIELDS = [
  ['position', 'real'], ['upper limit', 'real'], ['lower limit', 'real'], ['lower limit on', 'int'], ['upper limit on', 'int'],
  ['lock', 'int'], ['circle mode', 'int'],
] as const;
const CIRCLE_MODES: Record<number, string> = { 1: '0 to 360', 2: '-180 to 180', 3: '0 to 360, shown to clients only', 4: '-180 to 180, shown to clients only' };

/** A dependency or children line: "0" (or, as DCSS reads it, anything starting with 0) is none. */
function nameList(r: BlockReader, i: number, what: string, lost: string[]): string[] {
  const text = r.line(i);
  if (text.startsWith('0')) {
    if (text !== '0') lost.push(`the ${what} line '${text}' read as none, as DCSS reads a line starting with 0`);
    return [];
  }
  return text.split(/ +/);
}

function units(rest: string[], r: BlockReader, i: number, lost: string[]): { units?: string } {
  if (rest.length > 1) lost.push(`the words after the units on line ${r.at(i)} ('${rest.slice(1).join(' ')}') ignored, as DCSS ignores them`);
  return rest.length ? { units: rest[0] } : {};
}

function circle(mode: number, real: boolean, lost: string[]): { circle?: true } {
  if (mode === 0) return {};
  const range = CIRCLE_MODES[mode] ?? 'not a mode DCSS knows';
  if (!real) { lost.push(`circle mode ${mode} (${range}) not kept: Benchscope keeps a circle mode for real motors only`); return {}; }
  if (mode !== 1) lost.push(`circle mode ${mode} (${range}) kept as a circular axis, which an export writes as mode 1 (0 to 360)`);
  return { circle: true };
}

/** Benchscope needs a speed and an acceleration above 0; DCSS files hold 0 for axes that are not stepped (a DAC, say). */
function atLeastOne(value: number, what: string, lost: string[]): number {
  if (value >= 1) return value;
  lost.push(`${what} ${value} raised to 1 (Benchscope needs ${what} above 0)`);
  return 1;
}

function readMotor(r: BlockReader, real: boolean): FileDevice {
  const lost: string[] = [];
  // DCSS's dump writes a pseudo motor's empty children as an empty line, which ends the block a line early.
  const noChildren = !real && r.count === 7 && r.isPermit(3) && r.isPermit(4);
  if (noChildren) lost.push('no children line (DCSS\'s dump leaves an empty one, and DCSS\'s reader then refuses the block): read as no children');
  r.expectCount(noChildren ? [7] : [real ? 7 : 8], real
    ? 'name, type, host and hardware name, staff and user permissions, dependencies, configuration'
    : 'name, type, host and hardware name, staff and user permissions, dependencies, configuration, children');
  const { host, hwName } = r.hostAndName(2, lost);
  // DCSS reads two orders: permissions right after the host line, or, in older files, last.
  let permit: number; let deps: number; let config: number; let children: number;
  if (r.isPermit(3) && r.isPermit(4)) { permit = 3; deps = 5; config = 6; children = 7; }
  else if (real && r.isPermit(5) && r.isPermit(6)) { permit = 5; deps = 4; config = 3; children = -1; }
  else if (!real && r.isPermit(6) && r.isPermit(7)) { permit = 6; deps = 4; config = 3; children = 5; }
  else r.fail(3, `expects its staff and user permission lines (five 0/1 flags each) on lines ${r.at(3)} and ${r.at(4)} (or, in the older order, last), got '${r.line(3)}' and '${r.line(4)}'`);
  r.permits(permit, lost);
  const dependency = nameList(r, deps, 'dependency', lost);
  const { values: v, rest } = r.numbers(config, real ? REAL_FIELDS : PSEUDO_FIELDS, 'units');
  const record: Record<string, unknown> = real
    ? {
        name: r.name, ...(hwName !== r.name ? { hwName } : {}), ...units(rest, r, config, lost),
        position: v[0], upperLimit: v[1], lowerLimit: v[2], scaleFactor: v[3],
        speed: atLeastOne(v[4]!, 'speed', lost), acceleration: atLeastOne(v[5]!, 'acceleration', lost), backlash: v[6],
        lowerLimitOn: v[7] !== 0, upperLimitOn: v[8] !== 0, motorLockOn: v[9] !== 0, backlashOn: v[10] !== 0, reverseOn: v[11] !== 0,
        ...circle(v[12]!, true, lost), dependency, children: [],
      }
    : {
        name: r.name, ...(hwName !== r.name ? { hwName } : {}), ...units(rest, r, config, lost),
        position: v[0], upperLimit: v[1], lowerLimit: v[2], lowerLimitOn: v[3] !== 0, upperLimitOn: v[4] !== 0, motorLockOn: v[5] !== 0,
        ...circle(v[6]!, false, lost), dependency, children: noChildren ? [] : nameList(r, children, 'children', lost),
      };
  return { kind: real ? 'realMotors' : 'pseudoMotors', name: r.name, line: r.at(0), host, hostLine: r.at(2), record, lost };
}

function readIonChamber(r: BlockReader): FileDevice {
  const lost: string[] = [];
  r.expectCount([3, 5], 'name, type, then host, counter, channel, timer and timer type, then optionally the staff and user permissions');
  if (r.count === 5) r.permits(3, lost);
  const t = r.line(2).split(/ +/);
  const layout = 'host, counter, channel, timer and timer type';
  if (t.length < 5) r.fail(2, `expects 5 words (${layout}) on line ${r.at(2)}, got '${r.line(2)}'`);
  if (!/^[+-]?\d+$/.test(t[2]!)) r.fail(2, `expects ${layout} on line ${r.at(2)}; its channel (word 3) is '${t[2]}', not a whole number`);
  if (t.length > 5) lost.push(`the words after the timer type on line ${r.at(2)} ('${t.slice(5).join(' ')}') ignored, as DCSS ignores them`);
  return {
    kind: 'ionChambers', name: r.name, line: r.at(0), host: t[0]!, hostLine: r.at(2), lost,
    record: { name: r.name, hwName: t[1], counterChannel: Number(t[2]), timer: t[3], timerType: t[4] },
  };
}

function readShutter(r: BlockReader): FileDevice {
  const lost: string[] = [];
  r.expectCount([3, 5], 'name, type, then host, state (0 open, 1 closed) and hardware name, then optionally the staff and user permissions');
  if (r.count === 5) r.permits(3, lost);
  const t = r.line(2).split(/ +/);
  if (t.length < 2 || !/^[+-]?\d+$/.test(t[1]!)) r.fail(2, `expects its host, its state (0 open, 1 closed) and optionally its hardware name on line ${r.at(2)}, got '${r.line(2)}'`);
  const state = Number(t[1]);
  // DCSS's SHUTTER_CLOSED is 1; it shows every other value as open.
  if (state !== 0 && state !== 1) lost.push(`state ${state} read as open, as DCSS reads it`);
  if (t.length > 3) lost.push(`the words after the hardware name on line ${r.at(2)} ('${t.slice(3).join(' ')}') ignored, as DCSS ignores them`);
  const hwName = t[2] ?? r.name;
  return {
    kind: 'shutters', name: r.name, line: r.at(0), host: t[0]!, hostLine: r.at(2), lost,
    record: { name: r.name, ...(hwName !== r.name ? { hwName } : {}), state: state === 1 ? 'closed' : 'open' },
  };
}

function readSimple(r: BlockReader, kind: 'operations' | 'encoders' | 'strings'): FileDevice {
  const lost: string[] = [];
  const layout = 'name, type, host and hardware name';
  if (kind === 'operations') r.expectCount([5], `${layout}, staff and user permissions`);
  else if (kind === 'encoders') r.expectCount([3, 5], `${layout}, then optionally the staff and user permissions`);
  else r.expectCount([3, 4, 5, 6], `${layout}, then optionally the staff and user permissions, then optionally the contents`);
  let contentsAt = 3;
  if (r.count >= 5) { r.permits(3, lost); contentsAt = 5; }
  if (kind === 'strings' && contentsAt < r.count) lost.push(`contents '${r.line(contentsAt)}' not kept (Benchscope's strings start empty and hold what the DHS reports)`);
  const { host, hwName } = r.hostAndName(2, lost);
  return { kind, name: r.name, line: r.at(0), host, hostLine: r.at(2), lost, record: { name: r.name, ...(hwName !== r.name ? { hwName } : {}) } };
}

function readHost(r: BlockReader, notes: DatabaseNote[]): FileHost {
  r.expectCount([3], 'name, type, then the computer it connects from and its protocol version');
  const t = r.line(2).split(/ +/);
  if (t.length < 2 || !/^[+-]?\d+$/.test(t[1]!)) r.fail(2, `expects the computer it connects from and its protocol version (1 or 2) on line ${r.at(2)}, got '${r.line(2)}'`);
  const version = Number(t[1]);
  // DCSS speaks v2 with protocol 2 and 200-byte v1 frames with anything else.
  if (version !== 1 && version !== 2) notes.push({ line: r.at(2), text: `hardware host '${r.name}': protocol ${version} is read as 1, as DCSS speaks v2 only with 2` });
  if (t.length > 2) notes.push({ line: r.at(2), text: `hardware host '${r.name}': the words after the protocol ('${t.slice(2).join(' ')}') are ignored, as DCSS ignores them` });
  return { name: r.name, line: r.at(0), address: t[0]!, protocol: version === 2 ? 2 : 1 };
}

/** Where in the file each part of the configuration came from, for the schema's errors. */
interface Origins { servers: number[]; devices: Map<string, { line: number; what: string }> }

function readBlocks(blocks: Block[], notes: DatabaseNote[]): { config: { hardwareServers: Record<string, unknown>[] }; origins: Origins } {
  if (blocks.length === 0) throw new FileError(0, 'the file holds no device (it is empty or blank)');
  if (blocks.length > DATABASE_MAX_DEVICES) throw new FileError(blocks[DATABASE_MAX_DEVICES]!.at[0]!, `more than ${DATABASE_MAX_DEVICES} devices; DCSS holds at most ${DATABASE_MAX_DEVICES}`);
  const seen = new Map<string, number>();
  const hosts: FileHost[] = [];
  const devices: FileDevice[] = [];
  for (const b of blocks) {
    const name = b.lines[0]!;
    const first = seen.get(name);
    if (first !== undefined) throw new FileError(b.at[0]!, `device '${name}' is already defined on line ${first}; DCSS device names are unique`);
    seen.set(name, b.at[0]!);
    if (b.lines.length < 2) throw new FileError(b.at[0]!, `device '${name}' has no type line; a block is a name, a type number (${TYPE_LIST}), then the lines of its type`);
    const typeText = b.lines[1]!;
    if (!/^[+-]?\d+$/.test(typeText)) throw new FileError(b.at[1]!, `device '${name}' expects its type number (${TYPE_LIST}), got '${typeText}'`);
    const type = Number(typeText);
    if (DEVICE_TYPE_NAMES[type] === undefined) {
      const why = type === 14 ? 'object: DCSS\'s database reader has no layout for it and refuses the file'
        : [0, 5, 7, 10].includes(type) ? 'blank or obsolete: DCSS\'s database reader refuses it' : 'not a DCS device type';
      throw new FileError(b.at[1]!, `device '${name}' has type ${type} (${why}); the types are ${TYPE_LIST}`);
    }
    const r = new BlockReader(b, type);
    switch (type) {
      case 1: devices.push(readMotor(r, true)); break;
      case 2: devices.push(readMotor(r, false)); break;
      case 3: hosts.push(readHost(r, notes)); break;
      case 4: devices.push(readIonChamber(r)); break;
      case 6: devices.push(readShutter(r)); break;
      case 8: case 9:
        r.expectCount([3, 6], 'name, type, then its values; or name, type, host, staff and user permissions, then its values');
        if (r.count === 6) r.permits(3, []);
        notes.push({ line: r.at(0), text: `${r.what} is not kept (runs are DCSS's own data collection, not a DHS's)` });
        break;
      case 11: devices.push(readSimple(r, 'operations')); break;
      case 12: devices.push(readSimple(r, 'encoders')); break;
      case 13: devices.push(readSimple(r, 'strings')); break;
    }
  }
  return place(hosts, devices, notes);
}

const KINDS: readonly Kind[] = ['realMotors', 'pseudoMotors', 'shutters', 'ionChambers', 'encoders', 'strings', 'operations'];

const SCHEMA_OF: Record<Kind, z.ZodType> = {
  realMotors: RealMotorSchema, pseudoMotors: PseudoMotorSchema, shutters: ShutterSchema, ionChambers: IonChamberSchema,
  encoders: SimpleDeviceSchema, strings: SimpleDeviceSchema, operations: SimpleDeviceSchema,
};

/** Why Benchscope's schema refuses a value DCSS accepts (a name with braces, a channel past 1023), or null. */
function refusal(schema: z.ZodType, record: Record<string, unknown>): string | null {
  const r = schema.safeParse(record);
  if (r.success) return null;
  return issuesOf(r.error).map((i) => {
    const got = i.path ? record[i.path.split('.')[0]!] : undefined;
    return `${i.path ? `${i.path} ` : ''}${got === undefined || typeof got === 'object' ? '' : `${JSON.stringify(got)} `}refused: ${i.message}`;
  }).join('; ');
}

function place(hosts: FileHost[], devices: FileDevice[], notes: DatabaseNote[]): { config: { hardwareServers: Record<string, unknown>[] }; origins: Origins } {
  const self = hosts.find((h) => h.name === SELF);
  const refused = new Map<string, number>();
  const servers = hosts.filter((h) => {
    if (h.name === SELF) return false;
    const why = refusal(HardwareServerSchema, { name: h.name, address: h.address, protocol: h.protocol });
    if (why) { notes.push({ line: h.line, text: `hardware host '${h.name}' and its devices are not kept: ${why}` }); refused.set(h.name, h.line); }
    return !why;
  });
  const byName = new Map(servers.map((h) => [h.name, { host: h, devices: Object.fromEntries(KINDS.map((k) => [k, [] as Record<string, unknown>[]])) as Record<Kind, Record<string, unknown>[]> }]));
  const origins: Origins = { servers: servers.map((h) => h.line), devices: new Map() };
  const ownedBySelf = new Map<Kind, FileDevice[]>();
  for (const d of devices) {
    const what = `${KIND_WORDS[d.kind][0]} '${d.name}'`;
    if (d.host === SELF && self) {
      const mine = ownedBySelf.get(d.kind);
      if (mine) mine.push(d); else ownedBySelf.set(d.kind, [d]);
      continue;
    }
    const owner = byName.get(d.host);
    if (refused.has(d.host)) { notes.push({ line: d.line, text: `${what} is not kept: its hardware host '${d.host}' (line ${refused.get(d.host)}) is not` }); continue; }
    if (!owner) {
      if (d.kind === 'realMotors' || d.kind === 'pseudoMotors') {
        throw new FileError(d.hostLine, `${what} is owned by '${d.host}', which is not a hardware host in this file (DCSS refuses to start with it)`);
      }
      notes.push({ line: d.hostLine, text: `${what} is not kept: its owner '${d.host}' is not a hardware host in this file, so no DHS can register it` });
      continue;
    }
    const why = refusal(SCHEMA_OF[d.kind], d.record);
    if (why) { notes.push({ line: d.line, text: `${what} is not kept: ${why}` }); continue; }
    const list = owner.devices[d.kind];
    origins.devices.set(`hardwareServers.${servers.indexOf(owner.host)}.${d.kind}.${list.length}`, { line: d.line, what });
    list.push(d.record);
    if (d.lost.length) notes.push({ line: d.line, text: `${what}: ${d.lost.join('; ')}` });
  }
  if (self) {
    notes.push({ line: self.line, text: `hardware host '${SELF}' is DCSS's own scripting engine, not a DHS: it and the devices it owns are not kept` });
    for (const k of KINDS) {
      const mine = ownedBySelf.get(k);
      if (mine?.length) {
        notes.push({ line: mine[0]!.line, text: `${mine.length} ${KIND_WORDS[k][mine.length > 1 ? 1 : 0]} owned by '${SELF}' ${mine.length > 1 ? 'are' : 'is'} not kept: ${mine.map((d) => d.name).join(', ')}` });
      }
    }
  }
  if (servers.length === 0) throw new FileError(0, `the file defines no hardware host (type 3)${self ? ` other than '${SELF}'` : ''}: there is no DHS to connect`);
  return {
    config: {
      hardwareServers: servers.map((h) => ({ name: h.name, address: h.address, protocol: h.protocol, ...byName.get(h.name)!.devices, objects: [] })),
    },
    origins,
  };
}

/** Reads a database.dat into a DCS configuration, naming everything the configuration does not keep. */
export function parseDatabaseFile(text: string): DatabaseImport {
  if (text.length > DATABASE_FILE_MAX_CHARS) {
    return { ok: false, line: 0, error: `the file is ${text.length} characters; a DCS database file is read up to ${DATABASE_FILE_MAX_CHARS} (${DATABASE_FILE_MAX_CHARS / 1024 / 1024} MiB)` };
  }
  const notes: DatabaseNote[] = [];
  try {
    const { config, origins } = readBlocks(splitBlocks(text.replace(/^\uFEFF/, ''), notes), notes);
    const parsed = DcsOptionsSchema.safeParse(config);
    if (!parsed.success) {
      const issue = issuesOf(parsed.error)[0]!;
      const [, server, kind, index] = issue.path.split('.');
      const device = origins.devices.get(`hardwareServers.${server}.${kind}.${index}`);
      const field = issue.path.split('.').slice(device ? 4 : 2).join('.');
      const line = device?.line ?? origins.servers[Number(server)] ?? 0;
      const what = device?.what ?? (server !== undefined ? `hardware host '${String(config.hardwareServers[Number(server)]?.name)}'` : 'the configuration');
      const got = issue.path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], config);
      const value = got === undefined || typeof got === 'object' ? '' : `, got ${JSON.stringify(got)}`;
      return { ok: false, line, error: `${what}${field ? ` (${field})` : ''}: ${issue.message}${value}` };
    }
    return { ok: true, config: parsed.data, notes: notes.sort((a, b) => a.line - b.line) };
  } catch (e) {
    if (e instanceof FileError) return { ok: false, line: e.line, error: e.message };
    throw e;
  }
}

/** -0 survives the trip; every finite double prints so that strtod reads it back exactly. */
function num(n: number): string { return Object.is(n, -0) ? '-0' : String(n); }
function flag(b: boolean | undefined): string { return b ? '1' : '0'; }

/** A DCS configuration as a database.dat that DCSS restores (`dcss <beamline> -r file`). */
export function formatDatabaseFile(config: DcsOptions): DatabaseExport {
  const notes: string[] = [];
  const blocks: string[][] = [];
  const word = (value: string, what: string): string => {
    if (!/\s/.test(value)) return value;
    const w = value.replace(/\s+/g, '_');
    notes.push(`${what} '${value}' holds a space, and DCSS reads one word there: written as '${w}'`);
    return w;
  };
  const checkName = (name: string, what: string): void => {
    if (name.length > DCSS_NAME_MAX) notes.push(`${what}: DCSS refuses names of more than ${DCSS_NAME_MAX} characters ('${name}' has ${name.length})`);
  };
  const checkInt = (n: number, field: string, what: string): void => {
    if (Math.abs(n) > INT_MAX) notes.push(`${what}: ${field} ${n} does not fit DCSS's C int`);
  };
  const list = (names: string[], field: string, what: string): string => {
    const text = names.length ? names.join(' ') : '0';
    if (names[0]?.startsWith('0')) notes.push(`${what}: DCSS reads a ${field} line starting with 0 as none ('${text}')`);
    if (text.length > DCSS_DEPENDENCIES_MAX) notes.push(`${what}: DCSS refuses a ${field} line of more than ${DCSS_DEPENDENCIES_MAX} characters (this one has ${text.length})`);
    return text;
  };
  const permits = [DEFAULT_PERMIT, DEFAULT_PERMIT];
  // One namespace in DCSS's database: hardware hosts and devices alike.
  const everyName = new Map<string, number>();
  for (const h of config.hardwareServers) {
    for (const n of [h.name, ...[h.realMotors, h.pseudoMotors, h.shutters, h.ionChambers, h.encoders, h.strings, h.operations].flat().map((d) => d.name)]) {
      everyName.set(n, (everyName.get(n) ?? 0) + 1);
    }
  }
  for (const [n, count] of everyName) {
    if (count > 1) notes.push(`'${n}' names a hardware server and a device: DCSS's database holds one namespace and refuses the file`);
    if (n === 'END') notes.push(`a device or server named END ends DCSS's database file: DCSS and an import read nothing after it`);
  }

  if (!config.hardwareServers.some((h) => h.name === SELF)) blocks.push([SELF, '3', 'localhost 2']);
  for (const h of config.hardwareServers) {
    const what = `hardware server '${h.name}'`;
    checkName(h.name, what);
    if (h.name === SELF) notes.push(`${what}: DCSS's own scripting engine registers as '${SELF}'; an import of this file leaves it and its devices out`);
    if (h.address === '*') notes.push(`${what}: address '*' (any) is Benchscope's; DCSS looks the address up by name and would refuse every connection`);
    blocks.push([h.name, '3', `${word(h.address, `${what}: address`)} ${h.protocol}`]);
  }
  for (const h of config.hardwareServers) {
    const device = (kind: Kind | 'objects', name: string) => {
      const what = `${KIND_WORDS[kind][0]} '${name}' of ${h.name}`;
      checkName(name, what);
      return what;
    };
    for (const m of h.realMotors) {
      const what = device('realMotors', m.name);
      for (const [field, v] of [['speed', m.speed], ['acceleration', m.acceleration], ['backlash', m.backlash]] as const) checkInt(v, field, what);
      if (m.children.length) notes.push(`${what}: children (${m.children.join(' ')}) are not written: DCSS keeps children for pseudo motors only`);
      const tail = [num(m.position), num(m.upperLimit), num(m.lowerLimit), num(m.scaleFactor), m.speed, m.acceleration, m.backlash,
        flag(m.lowerLimitOn), flag(m.upperLimitOn), flag(m.motorLockOn), flag(m.backlashOn), flag(m.reverseOn), m.circle ? 1 : 0];
      if (m.units) tail.push(word(m.units, `${what}: units`));
      blocks.push([m.name, '1', `${h.name} ${m.hwName ?? m.name}`, ...permits, list(m.dependency, 'dependency', what), tail.join(' ')]);
    }
    for (const m of h.pseudoMotors) {
      const what = device('pseudoMotors', m.name);
      if (m.children.length && !m.dependency.length) notes.push(`${what}: DCSS sends its children to the DHS only when it has a dependency`);
      const tail = [num(m.position), num(m.upperLimit), num(m.lowerLimit), flag(m.lowerLimitOn), flag(m.upperLimitOn), flag(m.motorLockOn), 0];
      if (m.units) tail.push(word(m.units, `${what}: units`));
      blocks.push([m.name, '2', `${h.name} ${m.hwName ?? m.name}`, ...permits, list(m.dependency, 'dependency', what), tail.join(' '), list(m.children, 'children', what)]);
    }
    for (const s of h.shutters) {
      device('shutters', s.name);
      blocks.push([s.name, '6', `${h.name} ${s.state === 'closed' ? 1 : 0} ${s.hwName ?? s.name}`, ...permits]);
    }
    for (const c of h.ionChambers) {
      device('ionChambers', c.name);
      blocks.push([c.name, '4', `${h.name} ${c.hwName} ${c.counterChannel} ${c.timer} ${c.timerType}`, ...permits]);
    }
    const simple = (kind: 'encoders' | 'strings' | 'operations', type: string) => {
      for (const d of h[kind]) {
        device(kind, d.name);
        blocks.push([d.name, type, `${h.name} ${d.hwName ?? d.name}`, ...permits]);
      }
    };
    simple('operations', '11');
    simple('encoders', '12');
    simple('strings', '13');
    for (const o of h.objects) notes.push(`${device('objects', o.name)}: not written: DCSS's database reader has no layout for objects (type 14) and refuses them`);
  }
  if (config.maxTextLength !== DcsOptionsSchema.parse({}).maxTextLength) {
    notes.push(`the longest DHS text accepted (${config.maxTextLength} bytes) is Benchscope's setting: database.dat has no place for it`);
  }
  return { text: `${blocks.map((b) => `${b.join('\n')}\n`).join('\n')}\nEND\n`, notes };
}
