// The demo bench: emulated devices on real loopback links, so that a first
// start shows something moving and a user without hardware can try everything.
// Each device is reached on its protocol's default link (manifests.ts), on the
// port its emulator was given.
import type { LinkSpec } from '../../shared/api/link-config';
import type { ProtocolName } from '../../shared/api/contract';
import { defaultLinkOn } from '../../shared/api/manifests';
import { startLinesEmulator } from '../protocols/lines/emulator';
import { freeDcsPort, startDcsEmulator } from '../protocols/dcs/emulator';
import { startKatcpEmulator } from '../protocols/katcp/emulator';
import { startScrutinyEmulator } from '../protocols/scrutiny/emulator';
import { startHexrotEmulator } from '../protocols/hexrot/emulator';
import { bridgeTcpToCan } from '../links/can/stream-bridge';

export interface DemoDevice {
  name: string;
  protocol: ProtocolName;
  link: LinkSpec;
  options: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startDemoDevices(): Promise<DemoDevice[]> {
  const lines = await startLinesEmulator({ transport: 'tcp', host: '127.0.0.1', port: 0, rate: 200, channels: 4, format: 'csv' });
  return [{
    name: 'Demo waveform generator',
    protocol: 'lines',
    link: defaultLinkOn('lines', lines.port!),
    options: {},
    close: () => lines.close(),
  }, await demoHexapod(), await demoScrutiny(), await demoScrutinyOnCan(), await demoKatcp(), await demoDcs()];
}

/** A current-generation hexapod controller (the reference simple device) on TCP loopback. */
async function demoHexapod(): Promise<DemoDevice> {
  const hexapod = await startHexrotEmulator({ generation: 'current', host: '127.0.0.1', port: 0, rate: 50 });
  return {
    name: 'Demo hexapod controller',
    protocol: 'hexrot',
    link: defaultLinkOn('hexrot', hexapod.port!),
    options: { generation: 'current', layout: 'simple' },
    close: () => hexapod.close(),
  };
}

/** Firmware instrumented with scrutiny-embedded (the emulated device) on UDP loopback, as the Python server would reach it. */
async function demoScrutiny(): Promise<DemoDevice> {
  // Paced like a firmware's main loop: the session polls at the device's pace, which in the engine's own process must not be its whole CPU.
  const device = await startScrutinyEmulator({ transport: 'udp', host: '127.0.0.1', port: 0, requestPeriodMs: 2 });
  return {
    name: 'Demo Scrutiny device',
    protocol: 'scrutiny',
    link: defaultLinkOn('scrutiny', device.port!),
    options: { watchPaths: ['/global/demo/sine', '/global/demo/motor/speed', '/global/demo/motor/mode', '/global/demo/flags/level'] },
    close: () => device.close(),
  };
}

/** The demo CAN bus (in the engine): the CAN monitor shows its traffic. */
export const DEMO_CAN_BUS = 'demo';

/**
 * A second Scrutiny board reached over CAN: the emulated firmware's byte stream on the
 * engine's virtual bus 'demo', host to device on 0x100 and back on 0x200 (classic frames,
 * standard ids), as a board behind a CAN adapter would be.
 */
async function demoScrutinyOnCan(): Promise<DemoDevice> {
  const device = await startScrutinyEmulator({ transport: 'tcp', host: '127.0.0.1', port: 0, requestPeriodMs: 2 });
  const bridge = await bridgeTcpToCan({ bus: DEMO_CAN_BUS, rxid: 0x100, txid: 0x200, extended: false, fd: false }, '127.0.0.1', device.port!);
  return {
    name: 'Demo Scrutiny board on CAN',
    protocol: 'scrutiny',
    link: { type: 'can', config: { interface: 'virtual', txid: 0x100, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, subconfig: { bus: DEMO_CAN_BUS, bitrate: 500000 } } },
    options: { watchPaths: ['/global/demo/sine', '/global/demo/counter'] },
    close: async () => {
      await bridge.close();
      await device.close();
    },
  };
}

/** A KATCP device server (v5, flags MIB) on TCP loopback, with the antenna angles and receiver temperature sampled so they plot. */
async function demoKatcp(): Promise<DemoDevice> {
  const server = await startKatcpEmulator({ host: '127.0.0.1', port: 0 });
  return {
    name: 'Demo KATCP server',
    protocol: 'katcp',
    link: defaultLinkOn('katcp', server.port),
    options: {
      sampling: [
        { sensors: '/^antenna\\./', strategy: 'period', params: [0.05] },
        { sensors: 'rx.temperature', strategy: 'period', params: [0.1] },
        { sensors: 'fan.speed', strategy: 'event', params: [] },
      ],
    },
    close: () => server.close(),
  };
}

/** Benchscope as DCSS listening on loopback, and an emulated DHS that connects to it (retrying until the session listens). */
async function demoDcs(): Promise<DemoDevice> {
  const port = await freeDcsPort('127.0.0.1');
  // The demo's "simdhs" answers the handshake as SSRL's simulated DHS does (its Tcl library's variant).
  const dhs = await startDcsEmulator({ host: '127.0.0.1', port, reconnectMs: 500, library: 'tcl' });
  return {
    name: 'Demo DCS hardware server',
    protocol: 'dcs',
    link: defaultLinkOn('dcs', port),
    options: {},
    close: () => dhs.close(),
  };
}
