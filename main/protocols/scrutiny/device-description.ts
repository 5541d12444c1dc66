// What the info poll learns of a device (../shared/protocols/scrutiny.md: GetInfo, GetParams,
// regions, RPVs, loops, datalogging setup), and how the API reports it.
import type { DeviceInfo } from '../../../shared/api/contract';
import type {
  CommParams, DataloggingSetup, DiscoverInfo, LoopDefinition, RegionLocation, RpvDefinition, SupportedFeatures,
} from './messages';

export interface RpvEntry extends RpvDefinition { signalId: number; name: string }

export interface DeviceDescription {
  discover: DiscoverInfo;
  sessionId: number;
  protocol: { major: number; minor: number };
  params: CommParams;
  features: SupportedFeatures;
  readonlyRegions: RegionLocation[];
  forbiddenRegions: RegionLocation[];
  rpvs: RpvEntry[];
  loops: LoopDefinition[];
  datalogSetup: DataloggingSetup | null;
}

export function rpvSignalName(id: number): string {
  return `/rpv/x${id.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** What the session adds of its own to the device's description. */
export interface DeviceUsage { watchedVariables: number; refreshRateHz: number; reconnects: number }

export function deviceInfoOf(d: DeviceDescription, deviceSessionId: string, usage: DeviceUsage): DeviceInfo {
  const p = d.params;
  const region = (r: RegionLocation) => ({ start: r.start, end: r.end });
  return {
    sessionId: deviceSessionId,
    deviceId: d.discover.firmwareId,
    displayName: d.discover.displayName,
    maxTxDataSize: p.txBufferSize,
    maxRxDataSize: p.rxBufferSize,
    maxBitrateBps: p.maxBitrate > 0 ? p.maxBitrate : null,
    rxTimeoutUs: p.rxTimeoutUs,
    heartbeatTimeout: p.heartbeatTimeoutUs / 1e6,
    addressSizeBits: p.addressSize * 8,
    protocolMajor: d.protocol.major,
    protocolMinor: d.protocol.minor,
    supportedFeatures: { ...d.features },
    forbiddenMemoryRegions: d.forbiddenRegions.map(region),
    readonlyMemoryRegions: d.readonlyRegions.map(region),
    dataloggingCapabilities: d.datalogSetup
      ? {
        encoding: 'RAW',
        bufferSize: d.datalogSetup.bufferSize,
        maxNbSignal: d.datalogSetup.maxSignals,
        samplingRates: d.loops.map((l) => ({
          identifier: l.id, name: l.name, frequency: l.timestep100ns ? 1e7 / l.timestep100ns : null,
        })),
      }
      : null,
    extra: {
      deviceSessionId: `0x${d.sessionId.toString(16).padStart(8, '0')}`,
      charBit: p.charBit,
      rpvCount: d.rpvs.length,
      loops: d.loops.map((l) => `${l.id}:${l.name}${l.dataloggingAllowed ? '' : ' (no datalogging)'}`).join(', '),
      watchedVariables: usage.watchedVariables,
      refreshRateHz: Math.round(usage.refreshRateHz * 10) / 10,
      reconnects: usage.reconnects,
    },
  };
}
