// Memory of a host with WebSocket clients that never read (issue 14): the demo bench
// runs (status, console, marks, telemetry), N clients connect, watch a console,
// subscribe to every signal, then stop reading. The host runs in a child process so
// its RSS is its own; it is sampled every 30 s.
//   npx tsx test/bench/stuck-clients.ts [seconds=300] [clients=10]
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

async function rssMiB(pid: number): Promise<number> {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function runHost(): Promise<void> {
  const { startHost } = await import('../../app/host/server');
  const running = await startHost({ port: 0, userDataDir: process.env.BENCH_DATA!, token: 'stuck-clients-bench-token-0123456789' });
  process.send!({ port: running.port, token: running.token });
}

/** A client that reads its first messages (status, a reply), asks for a console and every signal, then stops reading. */
function stuckClient(port: number, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`);
    ws.on('error', reject);
    ws.on('message', (data, binary) => {
      if (binary) return;
      const m = JSON.parse(data.toString());
      if (m.event === 'status' && m.data.sessions.length) {
        const lines = m.data.sessions.find((s: { protocol: string }) => s.protocol === 'lines') ?? m.data.sessions[0];
        ws.send(JSON.stringify({ id: 1, method: 'subscribeConsole', params: { sessionId: lines.sessionId } }));
        ws.send(JSON.stringify({ id: 2, method: 'listSignals', params: {} }));
      } else if (m.id === 2 && m.ok) {
        ws.send(JSON.stringify({ id: 3, method: 'subscribe', params: { signalIds: m.result.map((s: { id: number }) => s.id) } }));
        // Never reads again: the socket is paused, the kernel buffers fill, the host must bound the rest.
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        ws.removeAllListeners('message');
        resolve(ws);
      }
    });
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 300);
  const clients = Number(process.argv[3] ?? 10);
  const data = await mkdtemp(path.join(os.tmpdir(), 'benchscope-stuck-'));
  const child = fork(fileURLToPath(import.meta.url), ['--host'], { env: { ...process.env, BENCH_DATA: data }, execArgv: ['--import', 'tsx'] });
  try {
    const { port, token } = await new Promise<{ port: number; token: string }>((r) => child.once('message', (m) => r(m as never)));
    await new Promise((r) => setTimeout(r, 3000)); // the demo bench connects
    const before = await rssMiB(child.pid!);
    const sockets = await Promise.all(Array.from({ length: clients }, () => stuckClient(port, token)));
    const t0 = Date.now();
    console.log(`host pid ${child.pid}, ${clients} stuck clients; RSS at connect ${before.toFixed(1)} MiB`);
    while (Date.now() - t0 < seconds * 1000) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, seconds * 1000 - (Date.now() - t0))));
      console.log(`t=${Math.round((Date.now() - t0) / 1000)} s  RSS ${(await rssMiB(child.pid!)).toFixed(1)} MiB`);
    }
    const after = await rssMiB(child.pid!);
    console.log(`RSS grew ${(after - before).toFixed(1)} MiB in ${seconds} s (${((after - before) / seconds).toFixed(3)} MiB/s)`);
    for (const ws of sockets) ws.terminate();
  } finally {
    child.kill();
    await rm(data, { recursive: true, force: true });
  }
}

if (process.argv.includes('--host')) void runHost();
else await main();
