// The command set of Scrutiny device protocol 1.0 (../shared/protocols/scrutiny.md):
// command and subfunction numbers, response codes, and their names for messages.

export const Cmd = {
  GetInfo: 0x01,
  CommControl: 0x02,
  MemoryControl: 0x03,
  UserCommand: 0x04,
  DataLogControl: 0x05,
} as const;

export const GetInfo = {
  ProtocolVersion: 1, SoftwareId: 2, SupportedFeatures: 3, SpecialMemoryRegionCount: 4,
  SpecialMemoryRegionLocation: 5, RPVCount: 6, RPVDefinition: 7, LoopCount: 8, LoopDefinition: 9,
} as const;
export const CommControl = { Discover: 1, Heartbeat: 2, GetParams: 3, Connect: 4, Disconnect: 5 } as const;
export const MemoryControl = { Read: 1, Write: 2, WriteMasked: 3, ReadRPV: 4, WriteRPV: 5 } as const;
export const DataLogControl = {
  GetSetup: 1, Configure: 2, Arm: 3, Disarm: 4, GetStatus: 5, GetAcquisitionMetadata: 6, ReadAcquisition: 7, Reset: 8,
} as const;

export const ResponseCode = {
  OK: 0, InvalidRequest: 1, UnsupportedFeature: 2, Overflow: 3, Busy: 4, FailureToProceed: 5, Forbidden: 6,
} as const;
export type ResponseCodeName = keyof typeof ResponseCode;
const CODE_NAMES: readonly ResponseCodeName[] = ['OK', 'InvalidRequest', 'UnsupportedFeature', 'Overflow', 'Busy', 'FailureToProceed', 'Forbidden'];

export function responseCodeName(code: number): string {
  return CODE_NAMES[code] ?? `unknown code ${code}`;
}

/** A non-OK response from the device, typed by its code. */
export class DeviceResponseError extends Error {
  readonly codeName: string;
  constructor(readonly cmd: number, readonly subfn: number, readonly code: number) {
    super(`device answered ${commandName(cmd, subfn)} with ${responseCodeName(code)} (${code})`);
    this.codeName = responseCodeName(code);
  }
}

const COMMAND_NAMES: Record<number, [string, Record<number, string>]> = {
  [Cmd.GetInfo]: ['GetInfo', invert(GetInfo)],
  [Cmd.CommControl]: ['CommControl', invert(CommControl)],
  [Cmd.MemoryControl]: ['MemoryControl', invert(MemoryControl)],
  [Cmd.UserCommand]: ['UserCommand', {}],
  [Cmd.DataLogControl]: ['DataLogControl', invert(DataLogControl)],
};

function invert(o: Record<string, number>): Record<number, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
}

export function commandName(cmd: number, subfn: number): string {
  const c = COMMAND_NAMES[cmd & 0x7f];
  if (!c) return `cmd 0x${cmd.toString(16).padStart(2, '0')}/${subfn}`;
  return `${c[0]}.${c[1][subfn] ?? subfn}`;
}

export const DISCOVER_MAGIC = Uint8Array.of(0x7e, 0x18, 0xfc, 0x68);
export const CONNECT_MAGIC = Uint8Array.of(0x82, 0x90, 0x22, 0x66);
