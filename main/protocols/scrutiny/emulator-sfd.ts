// The firmware description of the emulated device, built from its memory map: what a
// build of its firmware would ship as a .sfd, and what the demo bench uses.
import { EMU_ENUMS, EMU_FIRMWARE_ID, EMU_VARIABLES } from './emulator-memory';
import { buildSfd } from './sfd';

export function emulatorSfdSource() {
  const typeIds = new Map<string, string>();
  const typeMap: Record<string, { name: string; type: string }> = {};
  const typeId = (type: string) => {
    let id = typeIds.get(type);
    if (id === undefined) {
      id = String(typeIds.size);
      typeIds.set(type, id);
      typeMap[id] = { name: type === 'ptr32' ? 'void *' : `${type}_t`, type };
    }
    return id;
  };
  const enumIds = Object.keys(EMU_ENUMS);
  const variables: Record<string, Record<string, unknown>> = {};
  for (const v of EMU_VARIABLES) {
    const isPtr = v.path === '/global/demo/p_motor';
    variables[v.path] = {
      type_id: typeId(isPtr ? 'ptr32' : v.type),
      addr: v.address,
      ...(v.bitSize !== undefined ? { bitoffset: v.bitOffset, bitsize: v.bitSize } : {}),
      ...(v.enumName ? { enum: String(enumIds.indexOf(v.enumName)) } : {}),
      ...(v.elements ? { array_segments: { [v.path]: { dims: [v.elements], byte_size: 4 } } } : {}),
    };
  }
  variables['/global/demo/*p_motor/speed'] = { type_id: typeId('float32'), pointer: { path: '/global/demo/p_motor', offset: 0 } };
  variables['/global/demo/*p_motor/current'] = { type_id: typeId('float32'), pointer: { path: '/global/demo/p_motor', offset: 4 } };
  return {
    firmwareId: EMU_FIRMWARE_ID,
    varmap: {
      version: 1,
      endianness: 'little',
      char_bit: 8,
      type_map: typeMap,
      variables,
      enums: Object.fromEntries(enumIds.map((name, i) => [String(i), { name, values: EMU_ENUMS[name] }])),
    },
    alias: {
      '/alias/sine_percent': { target: '/global/demo/sine', target_type: 'var', gain: 100, offset: 0 },
      '/alias/motor/speed_krpm': { target: '/global/demo/motor/speed', target_type: 'var', gain: 0.001 },
      '/alias/setpoint': { target: '/global/demo/setpoint', target_type: 'var', gain: 0.5, offset: 10, min: -100, max: 100 },
      '/alias/rpv/setpoint_f32': { target: '/rpv/x1006', target_type: 'rpv', gain: 2, offset: 0, min: -10, max: 10 },
    },
    metadata: {
      project_name: 'Benchscope emulated device',
      author: 'Benchscope',
      version: '1.0.0',
      generation_info: { time: 0, python_version: 'n/a', scrutiny_version: '0.0', system_type: 'emulated' },
    },
  };
}

export function emulatorSfd(): Uint8Array {
  return buildSfd(emulatorSfdSource());
}
