// `npm run emulate -- scrutiny`: the emulated device on its own, answering Discover over UDP.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requests, responses } from '../../main/protocols/scrutiny/messages';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function exit(p: ChildProcess) {
  return new Promise<{ code: number | null; err: string }>((resolve) => {
    let err = '';
    p.stderr!.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, err }));
  });
}

describe('npm run emulate -- scrutiny', () => {
  it('serves Discover on the UDP port it prints, refuses bad flags with exit 2, and stops on Ctrl-C', async () => {
    // Listen for the exits at once: a process that already exited emits nothing more.
    const refusedExit = exit(spawn(process.execPath, ['--import', 'tsx', 'app/emulate.ts', 'scrutiny', '--tx-buffer', '8'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] }));
    const p = spawn(process.execPath, ['--import', 'tsx', 'app/emulate.ts', 'scrutiny', '--udp', '0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const done = exit(p);
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    const until = Date.now() + 45_000; // tsx compiles on start: slow on a loaded machine
    while (!/udp 127\.0\.0\.1:(\d+)/.test(out) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const port = Number(/udp 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(out).toMatch(/connect a Benchscope session \(protocol scrutiny, link UDP 127\.0\.0\.1:\d+\)/);
    const socket = dgram.createSocket('udp4');
    const reply = await new Promise<Buffer>((resolve, reject) => {
      socket.once('message', (m) => resolve(m));
      socket.send(requests.discover(), port, '127.0.0.1', (err) => { if (err) reject(err); });
    });
    socket.close();
    expect(reply[0]).toBe(0x82);
    expect(responses.discover(reply.subarray(5, reply.length - 4))).toMatchObject({ ok: true, value: { displayName: 'Benchscope emulated scrutiny device' } });
    p.kill('SIGINT');
    expect((await done).code).toBe(0);
    const refused = await refusedExit;
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--tx-buffer must be a whole number from 32 to 65535, got "8"/);
  }, 60_000);
});
