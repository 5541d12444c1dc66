// The demo bench: emulated devices on real loopback links, so that a first
// start shows something moving and a user without hardware can try everything.
import type { LinkSpec } from '../../shared/api/link-config';
import type { ProtocolName } from '../../shared/api/contract';
import { startLinesEmulator } from '../protocols/lines/emulator';

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
    link: { type: 'tcp', config: { host: '127.0.0.1', port: lines.port! } },
    options: {},
    close: () => lines.close(),
  }];
}
