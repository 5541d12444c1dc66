// CAN throughput: frames per second through the SLCAN backend on a socat pty pair
// (adapter emulator to host, and host to adapter), and through the virtual bus
// (byte-stream link to byte-stream link). No budget in DESIGN.md yet: figures only.
// A real SLCAN adapter on USB full speed tops out far lower (a 1 Mbit/s bus carries at
// most about 8,000 classic 8-byte frames/s), so these show the engine is not the limit.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LinkSpec, type LinkConfigOf } from '../../shared/api/link-config';
import { createCanLink } from '../../main/links/can/can-factory';
import { encodeSlcanFrame } from '../../main/links/can/slcan-codec';
import { SlcanEmulator } from '../../main/links/can/slcan-emulator';

interface Result { name: string; value: number; unit: string; budget?: number }

const FRAMES = 40_000;

function config(c: Record<string, unknown>): LinkConfigOf<'can'> {
  return LinkSpec.parse({ type: 'can', config: { txid: 0x100, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, ...c } }).config as LinkConfigOf<'can'>;
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('CAN bench: timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function benchSlcan(): Promise<Result[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'benchscope-can-bench-'));
  const hostPath = path.join(dir, 'host');
  const devPath = path.join(dir, 'device');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devPath}`], { stdio: 'ignore' });
  try {
    await until(() => fs.existsSync(hostPath) && fs.existsSync(devPath), 5000);
    const emu = await SlcanEmulator.start({ path: devPath, txAcks: false });
    const link = createCanLink(config({ interface: 'slcan', subconfig: { portname: hostPath, bitrate: 1000000 } }));
    let rxBytes = 0;
    link.setEvents({ onData: (c) => { rxBytes += c.length; } });
    link.open();
    await until(() => link.state === 'Connected', 5000);

    // Adapter to host: FRAMES classic 8-byte frames on the RX id, as fast as the pty takes them.
    const lines = Buffer.concat(Array.from({ length: FRAMES }, (_, i) =>
      encodeSlcanFrame({ id: 0x200, extended: false, rtr: false, fd: false, brs: false, data: Uint8Array.of(i, i >> 8, 1, 2, 3, 4, 5, 6) })));
    let t0 = performance.now();
    emu.injectRaw(lines);
    await until(() => rxBytes === FRAMES * 8);
    const rx = FRAMES / ((performance.now() - t0) / 1000);

    // Host to adapter: a byte stream cut into FRAMES frames.
    t0 = performance.now();
    link.write(new Uint8Array(FRAMES * 8));
    await until(() => emu.sent.length >= FRAMES);
    const tx = FRAMES / ((performance.now() - t0) / 1000);
    await link.close();
    await emu.close();
    return [
      { name: 'CAN: SLCAN on a pty, adapter to host (classic 8-byte frames)', value: rx, unit: 'frames/s' },
      { name: 'CAN: SLCAN on a pty, host to adapter (classic 8-byte frames)', value: tx, unit: 'frames/s' },
    ];
  } finally {
    socat.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function benchVirtual(): Promise<Result[]> {
  const out: Result[] = [];
  for (const fd of [false, true]) {
    const host = createCanLink(config({ interface: 'virtual', fd, subconfig: { bus: `bench-${fd}` } }));
    const dev = createCanLink(config({ interface: 'virtual', fd, subconfig: { bus: `bench-${fd}` }, txid: 0x200, rxid: 0x100 }));
    let rxBytes = 0;
    dev.setEvents({ onData: (c) => { rxBytes += c.length; } });
    host.open();
    dev.open();
    await until(() => host.state === 'Connected' && dev.state === 'Connected', 5000);
    const size = fd ? 64 : 8;
    const frames = FRAMES * 5;
    const t0 = performance.now();
    // In writes of 64 frames, as a protocol writing requests would.
    const chunk = new Uint8Array(size * 64);
    for (let i = 0; i < frames / 64; i++) host.write(chunk);
    await until(() => rxBytes >= frames * size);
    out.push({ name: `CAN: virtual bus, byte-stream link to link (${fd ? '64-byte FD' : 'classic 8-byte'} frames)`, value: frames / ((performance.now() - t0) / 1000), unit: 'frames/s' });
    await host.close();
    await dev.close();
  }
  return out;
}

export async function benchCan(): Promise<Result[]> {
  return [...(await benchSlcan()), ...(await benchVirtual())];
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  for (const r of await benchCan()) console.log(`${r.name}: ${Math.round(r.value).toLocaleString('en-US')} ${r.unit}`);
}
