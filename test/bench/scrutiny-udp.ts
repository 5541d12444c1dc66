// Scrutiny figures (issue 3): variable reads per second and watch refresh rate against
// the emulated device over UDP loopback, full-buffer acquisition download time, and the
// frame decoder's throughput on ReadRPV responses.
import { createLink } from '../../main/links/factory';
import type { AdapterContext } from '../../main/protocols/adapter';
import { encodeResponse, FrameDecoder, MemoryControl, Cmd, walkRpvValues } from '../../main/protocols/scrutiny/codec';
import { startScrutinyEmulator, type ScrutinyEmulatorOptions } from '../../main/protocols/scrutiny/emulator';
import { EMU_BASE } from '../../main/protocols/scrutiny/emulator-memory';
import { ScrutinyOptionsSchema } from '../../main/protocols/scrutiny/options';
import { ScrutinySession } from '../../main/protocols/scrutiny/session';

type Result = { name: string; value: number; unit: string; budget?: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withSession<T>(device: Partial<ScrutinyEmulatorOptions>, options: Record<string, unknown>, fn: (s: ScrutinySession, samples: () => number) => Promise<T>): Promise<T> {
  const emu = await startScrutinyEmulator({ transport: 'udp', ...device });
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

async function watchRate(buffer: number, n: number): Promise<{ reads: number; cycles: number }> {
  return withSession({ rxBufferSize: buffer, txBufferSize: buffer }, { pollHz: 10_000, pollRpvs: false }, async (s, samples) => {
    await s.action('watch', { variables: variables(n) });
    await sleep(300);
    const c0 = samples();
    const k0 = s.pollCycles;
    const t0 = performance.now();
    await sleep(2000);
    const dt = (performance.now() - t0) / 1000;
    return { reads: (samples() - c0) / dt, cycles: (s.pollCycles - k0) / dt };
  });
}

async function rpvRate(): Promise<number> {
  return withSession({}, { pollHz: 10_000, pollRpvs: true }, async (_s, samples) => {
    await sleep(300);
    const c0 = samples();
    const t0 = performance.now();
    await sleep(2000);
    return (samples() - c0) / ((performance.now() - t0) / 1000);
  });
}

async function downloadTime(): Promise<number> {
  return withSession({ txBufferSize: 256 }, { pollHz: 0 }, async (s) => {
    await s.action('dlConfigure', { loopId: 0, probeLocation: 128, condition: 'alwaysTrue', signals: [{ kind: 'rpv', id: 0x1000 }, { kind: 'time' }] });
    await s.action('dlArm', {});
    await s.action('dlWait', { timeoutS: 10 });
    const t0 = performance.now();
    await s.action('dlRead', {});
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
  const rpv = await rpvRate();
  const download = await downloadTime();
  return [
    { name: 'scrutiny watch over UDP loopback, 64 float32 variables, 256-byte device buffers', value: small.reads, unit: 'variable reads/s' },
    { name: 'scrutiny watch refresh rate, 64 variables, 256-byte buffers', value: small.cycles, unit: 'refreshes/s' },
    { name: 'scrutiny watch over UDP loopback, 64 float32 variables, 1024-byte device buffers', value: large.reads, unit: 'variable reads/s' },
    { name: 'scrutiny watch refresh rate, 64 variables, 1024-byte buffers', value: large.cycles, unit: 'refreshes/s' },
    { name: 'scrutiny RPV polling over UDP loopback, 7 RPVs', value: rpv, unit: 'RPV reads/s' },
    { name: 'scrutiny acquisition download, full 4096-byte buffer, 256-byte chunks, UDP loopback', value: download, unit: 'ms' },
    { name: 'scrutiny frame decode + RPV walk (40 float32 per frame)', value: decodeThroughput(), unit: 'samples/s' },
  ];
}
