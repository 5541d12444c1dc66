import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import dgram from 'node:dgram';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LinesWaveGenerator, startLinesEmulator, type LinesEmulator } from '../../main/protocols/lines/emulator';
import { LinesDecoder } from '../../main/protocols/lines/codec';

const enc = new TextEncoder();
const REPO = path.resolve(import.meta.dirname, '../..');

/** Decodes text the way the engine would, returning samples by name. */
function decodeAll(text: string) {
  const names: string[] = [];
  const samples: [string, number, number][] = [];
  const d = new LinesDecoder({}, { signal: (n) => names.push(n) - 1, sample: (id, t, v) => samples.push([names[id]!, t, v]) });
  d.push(enc.encode(text), 5000);
  return { names, samples, d };
}

describe('lines wave generator', () => {
  it('produces exactly the lines due between two instants, at the configured rate', () => {
    const g = new LinesWaveGenerator({ rate: 100, channels: 3 }, 1000);
    expect(g.take(1000).split('\n').length - 1).toBe(1); // the first line is due at start
    expect(g.take(1001).split('\n').length - 1).toBe(100);
    expect(g.take(1001).length).toBe(0);
    let lines = 0;
    let last = 1001;
    for (let t = 1001; t <= 1011; t += 0.0137) {
      lines += g.take(t).split('\n').length - 1;
      last = t;
    }
    // Line k is due at start + k / rate: however often it is asked, the count follows the clock.
    expect(lines).toBe(Math.floor((last - 1000) * 100) + 1 - 101);
  });

  it('names columns after waveform and position, device clock first, and starts CSV with a header', () => {
    const g = new LinesWaveGenerator({ channels: 5, timestamp: true }, 0);
    expect(g.header()).toBe('t,sine1,ramp2,noise3,square4,sine5\n');
    expect(new LinesWaveGenerator({ format: 'kv' }, 0).header()).toBeNull();
    const first = g.take(0);
    expect(first.startsWith('0.000000,0.00000,')).toBe(true);
  });

  it('prints the same values as CSV, key=value and JSON, which the decoder reads back alike', () => {
    const decoded = (['csv', 'kv', 'json'] as const).map((format) => {
      const g = new LinesWaveGenerator({ format, rate: 50, channels: 4, seed: 7, amplitude: 2 }, 0);
      const { samples, d } = decodeAll(`${g.header() ?? ''}${g.take(2)}`);
      expect(d.counters.badLines, format).toBe(0);
      // Receive times differ by format (CSV's header takes a line's slot): names and values do not.
      return samples.map(([name, , v]): [string, number] => [name, v]);
    });
    expect(decoded[0]!.length).toBe(101 * 4);
    expect(decoded[1]).toEqual(decoded[0]);
    expect(decoded[2]).toEqual(decoded[0]);
    const square = decoded[0]!.filter((s) => s[0] === 'square4').map((s) => s[1]);
    expect(new Set(square)).toEqual(new Set([2, -2]));
    const ramp = decoded[0]!.filter((s) => s[0] === 'ramp2').map((s) => s[1]);
    expect(Math.max(...ramp)).toBeLessThanOrEqual(2);
    expect(ramp[0]).toBe(-1); // phase 1/4 of the way through the ramp
  });

  it('the device clock column lets the decoder time samples by the device', () => {
    const g = new LinesWaveGenerator({ rate: 10, channels: 1, timestamp: true }, 0);
    const r = new LinesDecoder({ timestampColumn: 't' }, { signal: () => 0, sample: (_id, t) => times.push(t) });
    const times: number[] = [];
    r.push(enc.encode(`${g.header()}${g.take(1)}`), 5000);
    expect(times.map((t) => Math.round((t - 5000) * 10) / 10 + 0)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  });

  it('runs commands: rate, channels, pause, resume, header; refuses bad ones', () => {
    const g = new LinesWaveGenerator({ rate: 100, channels: 2 }, 0);
    g.take(1);
    expect(g.command('rate 10', 1)).toBe('# ok\n');
    expect(g.take(2).split('\n').length - 1).toBe(11);
    expect(g.command('channels 3', 2)).toBe('# ok\n');
    expect(g.header()).toBe('sine1,ramp2,noise3\n');
    expect(g.command('header', 2)).toBe('sine1,ramp2,noise3\n# ok\n');
    expect(g.command('  PAUSE ', 2)).toBe('# ok\n');
    expect(g.take(50)).toBe('');
    expect(g.command('resume', 50)).toBe('# ok\n');
    expect(g.take(51).split('\n').length - 1).toBe(11); // no burst for the paused time
    expect(g.command('rate -1', 51)).toBe('# error: line rate must be above 0 and at most 1000000 lines/s, got -1\n');
    expect(g.command('rate', 51)).toBe('# error: usage: rate <lines/s>\n');
    expect(g.command('rate 5 6', 51)).toBe('# error: usage: rate <lines/s>\n');
    expect(g.command('channels 0', 51)).toMatch(/^# error: channels must be a whole number from 1 to 64, got 0\n$/);
    expect(g.command('channels 2.5', 51)).toMatch(/^# error: channels must be/);
    expect(g.command('fly away', 51)).toBe('# error: unknown command "fly" (rate <lines/s>, channels <n>, pause, resume, header)\n');
    expect(g.rate).toBe(10);
    expect(g.channels).toBe(3);
  });

  it('skips ahead after a long stall instead of flooding', () => {
    const g = new LinesWaveGenerator({ rate: 100 }, 0);
    expect(g.take(3600).split('\n').length - 1).toBeLessThanOrEqual(1001);
    expect(g.take(3601).split('\n').length - 1).toBe(100);
  });

  it('refuses a bad rate or channel count at construction', () => {
    expect(() => new LinesWaveGenerator({ rate: 0 })).toThrow(/line rate/);
    expect(() => new LinesWaveGenerator({ channels: 65 })).toThrow(/channels/);
  });
});

/** A TCP client that splits what it receives into lines, each with its arrival time. */
function tcpClient(port: number) {
  const lines: { text: string; at: number }[] = [];
  const socket = net.connect(port, '127.0.0.1');
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    const at = performance.now();
    const parts = (pending + d).split('\n');
    pending = parts.pop()!;
    for (const text of parts) lines.push({ text, at });
  });
  const waitFor = async (pred: () => boolean, ms = 3000) => {
    const until = performance.now() + ms;
    while (!pred()) {
      if (performance.now() > until) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { socket, lines, waitFor };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lines emulator over real links', () => {
  let emulator: LinesEmulator | null = null;
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    await emulator?.close();
    emulator = null;
    for (const c of cleanups.splice(0)) await c();
  });

  it('tcp: sends the header first, then lines at the configured rate; rate and pause commands work', async () => {
    emulator = await startLinesEmulator({ transport: 'tcp', port: 0, rate: 200, channels: 2 });
    expect(emulator.describe).toMatch(/^lines emulator \(csv, 2 channels: sine1, ramp2, 200 lines\/s\) on tcp 127\.0\.0\.1:\d+$/);
    const c = tcpClient(emulator.port!);
    cleanups.push(() => c.socket.destroy());
    await c.waitFor(() => c.lines.length > 0);
    expect(c.lines[0]!.text).toBe('sine1,ramp2');

    const countOver = async (ms: number) => {
      const from = c.lines.length;
      const t0 = performance.now();
      await sleep(ms);
      return c.lines.slice(from).filter((l) => l.at - t0 <= ms && !l.text.startsWith('#')).length;
    };
    await sleep(100);
    const at200 = await countOver(1000);
    expect(at200).toBeGreaterThanOrEqual(180);
    expect(at200).toBeLessThanOrEqual(220);

    c.socket.write('rate 500\n');
    await c.waitFor(() => c.lines.some((l) => l.text === '# ok'));
    const at500 = await countOver(1000);
    expect(at500).toBeGreaterThanOrEqual(450);
    expect(at500).toBeLessThanOrEqual(550);

    c.socket.write('pause\r\n');
    await c.waitFor(() => c.lines.filter((l) => l.text === '# ok').length === 2);
    expect(await countOver(300)).toBe(0);
    c.socket.write('bogus\n');
    await c.waitFor(() => c.lines.some((l) => l.text.startsWith('# error: unknown command "bogus"')));

    const { d } = decodeAll(`${c.lines.map((l) => l.text).join('\n')}\n`);
    expect(d.counters.badLines).toBe(0);
    expect(d.counters.comments).toBe(3);
  });

  it('tcp: a channels command sends every client the new header', async () => {
    emulator = await startLinesEmulator({ transport: 'tcp', port: 0, rate: 50, channels: 2 });
    const a = tcpClient(emulator.port!);
    const b = tcpClient(emulator.port!);
    cleanups.push(() => a.socket.destroy(), () => b.socket.destroy());
    await a.waitFor(() => a.lines.length > 1 && b.lines.length > 1);
    a.socket.write('channels 3\n');
    await b.waitFor(() => b.lines.some((l) => l.text === 'sine1,ramp2,noise3'));
    await a.waitFor(() => a.lines.some((l) => l.text === '# ok'));
    expect(b.lines.some((l) => l.text === '# ok')).toBe(false); // the reply goes to the asker only
    const i = a.lines.findIndex((l) => l.text === 'sine1,ramp2,noise3');
    expect(a.lines[i + 1]!.text).toBe('# ok');
  });

  it('tcp: close() releases the port and the connections', async () => {
    emulator = await startLinesEmulator({ transport: 'tcp', port: 0 });
    const port = emulator.port!;
    const c = tcpClient(port);
    await c.waitFor(() => c.lines.length > 0);
    const closed = new Promise((r) => c.socket.on('close', r));
    await emulator.close();
    emulator = null;
    await closed;
    const refused = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve('connected'); });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('udp: streams to a peer once it greets with a newline, answers its commands', async () => {
    emulator = await startLinesEmulator({ transport: 'udp', port: 0, rate: 100, channels: 2, format: 'kv' });
    const sock = dgram.createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    await sleep(150);
    expect(got).toEqual([]); // nobody greeted yet: nothing sent
    sock.send('\n', emulator.port!, '127.0.0.1');
    await sleep(300);
    const text = got.join('');
    expect(got.every((d) => d.endsWith('\n'))).toBe(true); // whole lines per datagram
    expect(text.split('\n').length - 1).toBeGreaterThan(10);
    expect(text.split('\n')[0]).toMatch(/^sine1=-?\d+\.\d+ ramp2=-?\d+\.\d+$/);
    sock.send('pause\n', emulator.port!, '127.0.0.1');
    await sleep(100);
    expect(got.join('')).toContain('# ok\n');
  });

  it('serial: writes lines to a port (a socat pty pair) and takes commands from it', async () => {
    if (spawnSync('which', ['socat']).status !== 0) throw new Error('socat is needed for this test (apt-get install socat)');
    const dir = mkdtempSync(path.join(tmpdir(), 'bs-lines-'));
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' });
    cleanups.push(() => {
      socat.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    for (let i = 0; i < 200 && !(existsSync(a) && existsSync(b)); i++) await sleep(10);
    const { SerialPort } = await import('serialport');
    const reader = new SerialPort({ path: b, baudRate: 115200 });
    cleanups.unshift(() => new Promise<void>((r) => (reader.isOpen ? reader.close(() => r()) : r())));
    let text = '';
    reader.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    await new Promise((r) => reader.once('open', r));
    emulator = await startLinesEmulator({ transport: 'serial', path: a, rate: 100, channels: 1, format: 'json' });
    expect(emulator.describe).toMatch(/on serial .*\/a @ 115200$/);
    await sleep(300);
    expect(text.split('\n').filter((l) => /^\{"sine1":-?\d+\.\d+\}$/.test(l)).length).toBeGreaterThan(10);
    reader.write('rate 5\n');
    await sleep(200);
    expect(text).toContain('# ok\n');
  });

  it('refuses a serial transport without a path, and a port it cannot listen on', async () => {
    await expect(startLinesEmulator({ transport: 'serial' })).rejects.toThrow(/needs a device path/);
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(startLinesEmulator({ transport: 'tcp', port })).rejects.toThrow(new RegExp(`cannot listen on tcp 127.0.0.1:${port}: .*EADDRINUSE`));
  });
});

describe('npm run emulate', () => {
  const run = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', 'app/emulate.ts', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exit = (p: ChildProcess) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    let out = '';
    let err = '';
    p.stdout!.on('data', (d) => { out += d; });
    p.stderr!.on('data', (d) => { err += d; });
    p.on('exit', (code) => resolve({ code, out, err }));
  });

  it('exits 2 with a clear message for an unknown protocol or a bad flag', async () => {
    const [unknown, badFlag, badFormat] = await Promise.all([
      exit(run(['scrutinyx'])), exit(run(['lines', '--bogus'])), exit(run(['lines', '--format', 'xml'])),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown protocol "scrutinyx" \(known: [^)]*\blines\b[^)]*\)/);
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toMatch(/Unknown option '--bogus'[\s\S]*Usage: npm run emulate -- lines/);
    expect(badFormat.code).toBe(2);
    expect(badFormat.err).toMatch(/--format must be csv, kv or json, got "xml"/);
  });

  it('says where it listens, serves, and stops cleanly on Ctrl-C', async () => {
    const p = run(['lines', '--tcp', '0', '--rate', '50', '--channels', '2']);
    const done = exit(p);
    let out = '';
    p.stdout!.on('data', (d) => { out += d; });
    const until = Date.now() + 15_000;
    while (!/tcp 127\.0\.0\.1:(\d+)/.test(out) && Date.now() < until) await sleep(20);
    const port = Number(/tcp 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(out).toMatch(/connect with: nc 127\.0\.0\.1 \d+/);
    const c = tcpClient(port);
    await c.waitFor(() => c.lines.length > 2);
    expect(c.lines[0]!.text).toBe('sine1,ramp2');
    c.socket.destroy();
    p.kill('SIGINT');
    expect((await done).code).toBe(0);
  });
});
