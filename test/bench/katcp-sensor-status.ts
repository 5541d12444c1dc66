// KATCP figures (issue 4): #sensor-status informs decoded and stored per second,
// in process and from a local server over TCP loopback, and ?watchdog round trips
// per second against the emulator.
import net from 'node:net';
import { startKatcpEmulator } from '../../main/protocols/katcp/emulator';
import { SessionHarness, until } from '../integration/katcp-support';

const SENSORS = 16;
const INFORMS = 400_000;
const RUNS = 5;
const CHUNK = 64 * 1024;

function sensorName(i: number): string {
  return `rx.band${i}.power`;
}

/** INFORMS #sensor-status lines over SENSORS float sensors, with v5 timestamps. */
function statusText(): Uint8Array {
  const parts: string[] = [];
  for (let k = 0; k < INFORMS; k++) {
    const t = (1_700_000_000 + k / 1000).toFixed(6);
    parts.push(`#sensor-status ${t} 1 ${sensorName(k % SENSORS)} nominal ${(Math.sin(k / 100) * 50).toFixed(4)}\n`);
  }
  return new TextEncoder().encode(parts.join(''));
}

/** A scripted v5 server: answers the session's handshake, then sends `blast` once sampling is set. */
function blastServer(blast: Uint8Array): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.write('#version-connect katcp-protocol 5.0-MI\n');
    let blasted = false;
    sock.on('data', (d) => {
      for (const line of d.toString().split('\n')) {
        const m = /^\?([a-z-]+)\[(\d+)\]/.exec(line);
        if (!m) continue;
        const [, name, mid] = m;
        if (name === 'sensor-list') {
          for (let i = 0; i < SENSORS; i++) sock.write(`#sensor-list[${mid}] ${sensorName(i)} Band\\_power dBm float\n`);
          sock.write(`!sensor-list[${mid}] ok ${SENSORS}\n`);
        } else if (name === 'sensor-sampling') {
          sock.write(`!sensor-sampling[${mid}] ok ${line.split(' ').slice(1).join(' ')}\n`);
          if (!blasted) {
            blasted = true;
            let at = 0;
            const pump = () => {
              // Whole lines per write, so that replies to later requests never land inside a line.
              while (at < blast.length) {
                const end = at + CHUNK >= blast.length ? blast.length : blast.lastIndexOf(10, at + CHUNK) + 1;
                const ok = sock.write(blast.subarray(at, end));
                at = end;
                if (!ok) return void sock.once('drain', pump);
              }
            };
            pump();
          }
        } else {
          sock.write(`!${name}[${mid}] ok 0\n`);
        }
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  })));
}

function totalSamples(h: SessionHarness): number {
  let n = 0;
  for (let i = 0; i < SENSORS; i++) n += h.samples(sensorName(i));
  return n;
}

export async function benchKatcp(): Promise<{ name: string; value: number; unit: string; budget?: number }[]> {
  const text = statusText();

  // In process: the ready session's onData over the same bytes, in 64 KiB chunks.
  const idle = await blastServer(new Uint8Array(0));
  const h = new SessionHarness(idle.port, { watchdogS: 0 });
  await h.waitReady(5000);
  let inProcess = 0;
  for (let run = 0; run < RUNS; run++) {
    const before = totalSamples(h);
    const start = performance.now();
    for (let at = 0; at < text.length; at += CHUNK) h.session.onData(text.subarray(at, at + CHUNK), 1_700_000_000);
    const seconds = (performance.now() - start) / 1000;
    if (totalSamples(h) - before !== INFORMS) throw new Error(`bench: ${totalSamples(h) - before} samples stored, expected ${INFORMS}: ${h.session.lastError}`);
    inProcess = Math.max(inProcess, INFORMS / seconds);
  }
  await h.close();
  await idle.close();

  // Over TCP loopback: the server sends as fast as the socket takes them.
  const server = await blastServer(text);
  const tcp = new SessionHarness(server.port, { watchdogS: 0, sampling: [{ sensors: sensorName(0), strategy: 'event', params: [] }] });
  await tcp.waitReady(5000);
  await until(() => totalSamples(tcp) > 0, 5000);
  const start = performance.now();
  await until(() => totalSamples(tcp) >= INFORMS, 30_000, () => `only ${totalSamples(tcp)} of ${INFORMS} samples (${tcp.session.lastError}; ${JSON.stringify(tcp.session.counters)})`);
  const overTcp = INFORMS / ((performance.now() - start) / 1000);
  await tcp.close();
  await server.close();

  // ?watchdog round trips, one at a time, against the emulator.
  const emulator = await startKatcpEmulator({ logEveryMs: 0 });
  const w = new SessionHarness(emulator.port, { watchdogS: 0 });
  await w.waitReady(5000);
  let trips = 0;
  const wStart = performance.now();
  while (performance.now() - wStart < 1000) {
    await w.session.request('watchdog', []);
    trips++;
  }
  const roundTrips = trips / ((performance.now() - wStart) / 1000);
  await w.close();
  await emulator.close();

  return [
    { name: `katcp #sensor-status decode+store, in process (${SENSORS} float sensors, ${(text.length / 1e6).toFixed(1)} MB in 64 KiB chunks, best of ${RUNS})`, value: inProcess, unit: 'informs/s' },
    { name: 'katcp #sensor-status decode+store from a local server over TCP loopback', value: overTcp, unit: 'informs/s' },
    { name: 'katcp ?watchdog round trips against the emulator (one at a time, mids on)', value: roundTrips, unit: 'round trips/s' },
  ];
}
