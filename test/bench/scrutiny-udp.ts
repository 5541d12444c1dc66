// Scrutiny figures (issues 3 and 20): value updates per second and the host's CPU per
// update against the emulated device in a process of its own over UDP loopback (as
// fast as it answers, and paced at one request per 10 ms like the scrutiny-embedded
// test application), full-buffer acquisition download time, and the frame decoder's
// throughput on ReadRPV responses.
import { runAction } from '../support/actions';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLink } from '../../main/links/factory';
import type { AdapterContext } from '../../main/protocols/adapter';
import { encodeResponse, FrameDecoder } from '../../main/protocols/scrutiny/codec';
import { Cmd, MemoryControl } from '../../main/protocols/scrutiny/commands';
import { walkRpvValues } from '../../main/protocols/scrutiny/messages';
import { startScrutinyEmulator, type ScrutinyEmulatorOptions } from '../../main/protocols/scrutiny/emulator';
import { EMU_BASE } from '../../main/protocols/scrutiny/emulator-memory';
import { ScrutinyOptionsSchema } from '../../shared/api/scrutiny-options';
import { ScrutinySession } from '../../main/protocols/scrutiny/session';

type Result = { name: string; value: number; unit: string; budget?: number; lowerIsBetter?: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The emulator in a process of its own (`npm run emulate`), so that the CPU measured here is the host's alone. */
async function emulatorProcess(flags: string[]): Promise<{ port: number; close(): Promise<void> }> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'app/emulate.ts'), 'scrutiny', '--udp', '0', ...flags], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on udp [\d.]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`scrutiny bench: the emulator exited (${code}): ${out}`)));
  });
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function withSession<T>(device: Partial<ScrutinyEmulatorOptions>, options: Record<string, unknown>, fn: (s: ScrutinySession, samples: () => number) => Promise<T>, own?: { port: number; close(): Promise<void> }): Promise<T> {
  const emu = own ?? await startScrutinyEmulator({ transport: 'udp', ...device });
  const link = createLink({ type: 'udp', config: { host: '127.0.0.1', port: emu.port! } });
  let count = 0;
  let next = 0;
  const ctx: AdapterContext = {
    sessionId: 'bench', linkKind: link.kind, signal: () => next++, sample: () => { count++; }, write: (b) => link.write(b),
    consoleWanted: () => false, console: () => {}, event: () => {}, statusChanged: () => {},
  };
  const session = new ScrutinySession(ctx, ScrutinyOptionsSchema.parse(options));
  link.setEvents({ onData: (c, t) => session.onData(c, t), onState: (st) => (st === 'Connected' ? session.onLinkUp() : session.onLinkDown()) });
  link.open();
  try {
    const end = Date.now() + 5000;
    while (!session.ready) {
      if (Date.now() > end) throw new Error('scrutiny bench: the emulator never became ready');
      await sleep(5);
    }
    return await fn(session, () => count);
  } finally {
    session.dispose();
    await link.close();
    await emu.close();
  }
}

/** 64 float32 variables across the emulator's memory (merged into blocks by the planner). */
function variables(n: number) {
  return Array.from({ length: n }, (_, i) => ({ path: `/bench/v${i}`, address: EMU_BASE + 4 * i, type: 'float32' }));
}

/** Polling as fast as the device answers (the default: no rate set). */
const DEVICE_PACE = { pollHz: null };

/** Updates/s, refreshes/s and the host's CPU (this process: session, link, decoding) while watching `n` variables. */
async function watchRate(buffer: number, n: number, requestPeriodMs = 0, seconds = 3): Promise<{ reads: number; cycles: number; cpu: number; usPerUpdate: number }> {
  const emu = await emulatorProcess(['--rx-buffer', String(buffer), '--tx-buffer', String(buffer), '--request-period-ms', String(requestPeriodMs)]);
  return withSession({}, { ...DEVICE_PACE, pollRpvs: false }, async (s, samples) => {
    await runAction('scrutiny', s, 'watch', { variables: variables(n) });
    await sleep(500);
    const c0 = samples();
    const k0 = s.pollCycles;
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const dt = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(u0);
    const cpuS = (u.user + u.system) / 1e6;
    const updates = samples() - c0;
    return { reads: updates / dt, cycles: (s.pollCycles - k0) / dt, cpu: cpuS / dt, usPerUpdate: (cpuS * 1e6) / Math.max(1, updates) };
  }, emu);
}

/** The 7 RPVs polled (the workload raced against the Python server, which watches the same 7): updates/s and host CPU. */
async function rpvRate(requestPeriodMs = 0, seconds = 3): Promise<{ reads: number; cpu: number; usPerUpdate: number }> {
  const emu = await emulatorProcess(['--request-period-ms', String(requestPeriodMs)]);
  return withSession({}, { ...DEVICE_PACE, pollRpvs: true }, async (_s, samples) => {
    await sleep(500);
    const c0 = samples();
    const u0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const dt = (performance.now() - t0) / 1000;
    const u = process.cpuUsage(u0);
    const cpuS = (u.user + u.system) / 1e6;
    const updates = samples() - c0;
    return { reads: updates / dt, cpu: cpuS / dt, usPerUpdate: (cpuS * 1e6) / Math.max(1, updates) };
  }, emu);
}

async function downloadTime(): Promise<number> {
  return withSession({ txBufferSize: 256 }, { pollHz: 0 }, async (s) => {
    await runAction('scrutiny', s, 'dlConfigure', { loopId: 0, probeLocation: 128, condition: 'alwaysTrue', signals: [{ kind: 'rpv', id: 0x1000 }, { kind: 'time' }] });
    await runAction('scrutiny', s, 'dlArm', {});
    await runAction('scrutiny', s, 'dlWait', { timeoutS: 10 });
    const t0 = performance.now();
    await runAction('scrutiny', s, 'dlRead', {});
    return performance.now() - t0;
  });
}

function decodeThroughput(): number {
  // ReadRPV responses of 40 float32 RPVs, as a 256-byte-buffer device sends them.
  const payload = new Uint8Array(40 * 6);
  for (let i = 0; i < 40; i++) payload[i * 6 + 1] = i;
  const frame = encodeResponse(Cmd.MemoryControl, MemoryControl.ReadRPV, 0, payload);
  const stream = new Uint8Array(frame.length * 1000);
  for (let i = 0; i < 1000; i++) stream.set(frame, i * frame.length);
  let samples = 0;
  const types = (id: number) => (id < 40 ? 0x22 : -1);
  const onValue = () => { samples++; };
  const d = new FrameDecoder({ kind: 'response', maxPayload: 1024, rxTimeoutS: 1, source: 'bench' }, (_c, _s, _code, p) => {
    walkRpvValues(p, types, onValue);
  });
  const t0 = performance.now();
  for (let r = 0; r < 50; r++) d.push(stream, 1);
  return samples / ((performance.now() - t0) / 1000);
}

export async function benchScrutiny(): Promise<Result[]> {
  const small = await watchRate(256, 64);
  const large = await watchRate(1024, 64);
  const paced = await watchRate(256, 64, 10, 5);
  const rpv = await rpvRate();
  const rpvPaced = await rpvRate(10, 5);
  const download = await downloadTime();
  return [
    { name: 'scrutiny watch over UDP loopback (emulator in its own process), 64 float32 variables, 256-byte device buffers', value: small.reads, unit: 'variable updates/s' },
    { name: 'scrutiny watch refresh rate, 64 variables, 256-byte buffers', value: small.cycles, unit: 'refreshes/s' },
    { name: 'scrutiny host CPU while watching, 256-byte buffers', value: small.cpu * 100, unit: '% of a core' },
    { name: 'scrutiny host CPU per update, 256-byte buffers', value: small.usPerUpdate, unit: 'us/update', lowerIsBetter: true },
    { name: 'scrutiny watch over UDP loopback, 64 float32 variables, 1024-byte device buffers', value: large.reads, unit: 'variable updates/s' },
    { name: 'scrutiny watch refresh rate, 64 variables, 1024-byte buffers', value: large.cycles, unit: 'refreshes/s' },
    { name: 'scrutiny host CPU while watching, 1024-byte buffers', value: large.cpu * 100, unit: '% of a core' },
    { name: 'scrutiny watch, device answering one request per 10 ms, 64 variables, 256-byte buffers', value: paced.reads, unit: 'variable updates/s' },
    { name: 'scrutiny host CPU per update, device at one request per 10 ms', value: paced.usPerUpdate, unit: 'us/update', lowerIsBetter: true },
    { name: 'scrutiny RPV polling over UDP loopback (emulator in its own process), 7 RPVs', value: rpv.reads, unit: 'RPV updates/s' },
    { name: 'scrutiny host CPU polling 7 RPVs', value: rpv.cpu * 100, unit: '% of a core' },
    { name: 'scrutiny host CPU per RPV update', value: rpv.usPerUpdate, unit: 'us/update', lowerIsBetter: true },
    { name: 'scrutiny RPV polling, device answering one request per 10 ms, 7 RPVs', value: rpvPaced.reads, unit: 'RPV updates/s' },
    { name: 'scrutiny host CPU per RPV update, device at one request per 10 ms', value: rpvPaced.usPerUpdate, unit: 'us/update', lowerIsBetter: true },
    { name: 'scrutiny acquisition download, full 4096-byte buffer, 256-byte chunks, UDP loopback', value: download, unit: 'ms' },
    { name: 'scrutiny frame decode + RPV walk (40 float32 per frame)', value: decodeThroughput(), unit: 'samples/s' },
  ];
}
