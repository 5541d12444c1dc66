// What the emulated firmware holds: its memory map (variables that move, a struct,
// an enum, bitfields, an array, a read-only and a forbidden region), its RPVs and its
// loops. The .sfd description of the emulator is built from the same tables.
import { typeByte } from './value-types';

export const EMU_BASE = 0x2000_0000;
export const EMU_MEMORY_SIZE = 0x1000;
export const EMU_READONLY = { start: EMU_BASE + 0x800, end: EMU_BASE + 0x8ff };
export const EMU_FORBIDDEN = { start: EMU_BASE + 0xc00, end: EMU_BASE + 0xcff };
/** The emulated firmware id (16 bytes as hex): what its .sfd carries too. */
export const EMU_FIRMWARE_ID = 'b5c7a0e1d2f34a6b8c9d0e1f2a3b4c5d';
export const EMU_DISPLAY_NAME = 'Benchscope emulated scrutiny device';

export interface EmuVariable {
  path: string;
  type: string;
  address: number;
  bitOffset?: number;
  bitSize?: number;
  enumName?: string;
  /** Array length, for arrays (element type is `type`). */
  elements?: number;
}

export const EMU_ENUMS: Record<string, Record<string, number>> = {
  MotorMode: { IDLE: 0, STARTING: 1, RUNNING: 2, FAULT: 3 },
};

/** Device memory is little-endian, as on the Cortex-M parts scrutiny mostly runs on. */
export const EMU_VARIABLES: readonly EmuVariable[] = [
  { path: '/global/demo/sine', type: 'float32', address: EMU_BASE + 0x00 },
  { path: '/global/demo/counter', type: 'uint32', address: EMU_BASE + 0x04 },
  { path: '/global/demo/countdown', type: 'sint16', address: EMU_BASE + 0x08 },
  { path: '/global/demo/motor/speed', type: 'float32', address: EMU_BASE + 0x0c },
  { path: '/global/demo/motor/current', type: 'float32', address: EMU_BASE + 0x10 },
  { path: '/global/demo/motor/mode', type: 'uint8', address: EMU_BASE + 0x14, enumName: 'MotorMode' },
  { path: '/global/demo/flags/enabled', type: 'uint32', address: EMU_BASE + 0x18, bitOffset: 0, bitSize: 1 },
  { path: '/global/demo/flags/level', type: 'uint32', address: EMU_BASE + 0x18, bitOffset: 1, bitSize: 4 },
  { path: '/global/demo/flags/phase', type: 'uint32', address: EMU_BASE + 0x18, bitOffset: 8, bitSize: 8 },
  { path: '/global/demo/samples', type: 'float32', address: EMU_BASE + 0x20, elements: 8 },
  { path: '/global/demo/gain', type: 'float32', address: EMU_BASE + 0x40 },
  { path: '/global/demo/setpoint', type: 'sint32', address: EMU_BASE + 0x44 },
  { path: '/static/main.c/version', type: 'uint32', address: EMU_READONLY.start },
  /** Points at the motor struct: the .sfd describes `/global/demo/*p_motor/...` through it. */
  { path: '/global/demo/p_motor', type: 'uint32', address: EMU_BASE + 0x48 },
];

export interface EmuRpv { id: number; type: number; name: string; writable: boolean }
export const EMU_RPVS: readonly EmuRpv[] = [
  { id: 0x1000, type: typeByte('float', 4), name: 'sine', writable: false },
  { id: 0x1001, type: typeByte('uint', 4), name: 'counter', writable: false },
  { id: 0x1002, type: typeByte('bool', 1), name: 'enabled', writable: false },
  { id: 0x1003, type: typeByte('sint', 2), name: 'countdown', writable: false },
  { id: 0x1004, type: typeByte('float', 8), name: 'uptime', writable: false },
  { id: 0x1005, type: typeByte('uint', 1), name: 'setpoint u8', writable: true },
  { id: 0x1006, type: typeByte('float', 4), name: 'setpoint f32', writable: true },
];

export interface EmuLoop { id: number; name: string; timestep100ns: number | null; dataloggingAllowed: boolean }
export const EMU_LOOPS: readonly EmuLoop[] = [
  { id: 0, name: 'Control 1kHz', timestep100ns: 10_000, dataloggingAllowed: true },
  { id: 1, name: 'Idle task', timestep100ns: null, dataloggingAllowed: true },
  { id: 2, name: 'Comms 100Hz', timestep100ns: 100_000, dataloggingAllowed: false },
];

export function emuVariable(path: string): EmuVariable {
  const v = EMU_VARIABLES.find((x) => x.path === path);
  if (!v) throw new Error(`no emulated variable ${path}`);
  return v;
}

/** The firmware's state: memory image and RPV values, advanced by the 1 kHz loop. */
export class EmuMemory {
  readonly bytes = new Uint8Array(EMU_MEMORY_SIZE);
  readonly view = new DataView(this.bytes.buffer);
  readonly rpv = new Map<number, number>();
  /** Device time in seconds (1 kHz loop iterations / 1000). */
  time = 0;
  iterations = 0;
  private lastMode = 0;
  private modeOverride: number | null = null;

  constructor() {
    this.f32(0x40, 1); // gain
    this.view.setUint32(0x48, EMU_BASE + 0x0c, true); // p_motor = &motor
    this.view.setUint32(EMU_READONLY.start - EMU_BASE, 0x0001_0203, true);
    new TextEncoder().encodeInto('BENCHSCOPE-EMU', this.bytes.subarray(EMU_READONLY.start - EMU_BASE + 4));
    for (const r of EMU_RPVS) this.rpv.set(r.id, 0);
    this.rpv.set(0x1006, 1.5);
    this.tick();
  }

  private f32(off: number, v: number): void {
    this.view.setFloat32(off, v, true);
  }

  /** One iteration of the 1 kHz control loop. */
  tick(): void {
    this.iterations++;
    this.time = this.iterations / 1000;
    const t = this.time;
    const v = this.view;
    const gain = v.getFloat32(0x40, true);
    const sine = gain * Math.sin(2 * Math.PI * 0.5 * t);
    this.f32(0x00, sine);
    v.setUint32(0x04, this.iterations >>> 0, true);
    v.setInt16(0x08, (1000 - (this.iterations % 2000)), true);
    const cycle = t % 20;
    // A mode written by the host (FAULT, say) holds until the host writes IDLE.
    if (this.bytes[0x14] !== this.lastMode) this.modeOverride = this.bytes[0x14] === 0 ? null : this.bytes[0x14]!;
    const mode = this.modeOverride ?? (cycle < 2 ? 0 : cycle < 5 ? 1 : cycle < 18 ? 2 : 3);
    this.lastMode = mode;
    const speed = mode === 0 ? 0 : mode === 1 ? (cycle - 2) * 500 : mode === 2 ? 1500 + 20 * Math.sin(t * 3) : 1500 * (20 - cycle) / 2;
    this.f32(0x0c, speed);
    this.f32(0x10, speed / 300 + 0.05 * Math.sin(t * 50));
    this.bytes[0x14] = mode;
    const enabled = mode === 1 || mode === 2 ? 1 : 0;
    const level = Math.floor(t) % 16;
    const phase = this.iterations % 256;
    v.setUint32(0x18, (enabled | (level << 1) | (phase << 8)) >>> 0, true);
    if (this.iterations % 10 === 0) {
      // The array holds the last 8 sine values taken every 10 ms.
      this.bytes.copyWithin(0x20, 0x24, 0x40);
      this.f32(0x3c, sine);
    }
    this.rpv.set(0x1000, Math.fround(sine));
    this.rpv.set(0x1001, this.iterations >>> 0);
    this.rpv.set(0x1002, enabled);
    this.rpv.set(0x1003, v.getInt16(0x08, true));
    this.rpv.set(0x1004, t);
  }
}
