// DCS figures: v2 frames decoded per second (framing only), and motor position
// updates per second through the whole DCSS path (framing, the byte-level
// htos_update_motor_position reader, the motor state) into the telemetry store.
import { DcsDecoder, encodeV1, encodeV2 } from '../../main/protocols/dcs/codec';
import { DcsOptionsSchema } from '../../main/protocols/dcs/config';
import { Dcss } from '../../main/protocols/dcs/dcss';
import { TelemetryStore } from '../../main/telemetry/store';

const MESSAGES = 200_000;
const CHUNK = 64 * 1024;
const RUNS = 5;
const MOTORS = ['sample_x', 'sample_y', 'gonio_phi'];

function updateStream(n: number): Uint8Array {
  const frames: Uint8Array[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const f = encodeV2(`htos_update_motor_position ${MOTORS[i % 3]} ${(i * 0.0125 - 1000).toFixed(4)} moving`);
    frames.push(f);
    bytes += f.length;
  }
  const out = new Uint8Array(bytes);
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

function push(stream: Uint8Array, into: (chunk: Uint8Array) => void): number {
  const start = performance.now();
  for (let at = 0; at < stream.length; at += CHUNK) into(stream.subarray(at, at + CHUNK));
  return (performance.now() - start) / 1000;
}

function framesPerSecond(stream: Uint8Array): number {
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    let count = 0;
    const d = new DcsDecoder({ mode: 2, source: 'bench' }, { message: () => { count++; } });
    const s = push(stream, (c) => d.push(c, 0));
    if (count !== MESSAGES) throw new Error(`decoded ${count} of ${MESSAGES} frames: ${d.lastError}`);
    best = Math.max(best, count / s);
  }
  return best;
}

async function updatesPerSecond(stream: Uint8Array): Promise<number> {
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    const store = new TelemetryStore();
    const dcss = new Dcss(DcsOptionsSchema.parse({}), {
      signal: (name, unit) => store.declare('bench', name, unit),
      sample: (id, t, v) => store.append(id, t, v),
      consoleWanted: () => false,
      console: () => {},
      event: () => {},
      statusChanged: () => {},
    });
    const conn = dcss.attach({ address: '127.0.0.1', label: 'bench', write: () => true }, 0);
    conn.push(encodeV1('htos_client_is_hardware simdhs'), 0);
    await new Promise((r) => setTimeout(r, 0));
    if (conn.phase !== 'registered') throw new Error(`bench DHS not registered: ${dcss.lastError}`);
    const s = push(stream, (c) => conn.push(c, 1_700_000_000));
    const stored = MOTORS.reduce((n, m) => n + dcss.devices.motors.get(m)!.updates, 0);
    if (stored !== MESSAGES || dcss.counters.frameErrors) throw new Error(`stored ${stored} of ${MESSAGES} updates: ${dcss.lastError}`);
    best = Math.max(best, stored / s);
    conn.detach('bench over', 0);
    dcss.dispose();
  }
  return best;
}

export async function benchDcsDecode(): Promise<{ name: string; value: number; unit: string; budget?: number }[]> {
  const stream = updateStream(MESSAGES);
  const mb = (stream.length / 1e6).toFixed(1);
  return [
    { name: `dcs v2 frames decoded (htos_update_motor_position, ${mb} MB in 64 KiB chunks, best of ${RUNS})`, value: framesPerSecond(stream), unit: 'messages/s' },
    { name: 'dcs motor position updates into the telemetry store (framing, parse, motor state, store)', value: await updatesPerSecond(stream), unit: 'updates/s' },
  ];
}
