// The DHS emulator on its own: `npm run emulate -- dcs` connects to a DCSS, says so,
// survives a refusal by connecting again, and stops on Ctrl-C.
import { runAction } from '../support/actions';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDcssBench, type DcssBench } from './dcs-support';

const REPO = path.resolve(__dirname, '../..');
const run = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', 'app/emulate.ts', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });

function collect(child: ChildProcess): { out: () => string; exit: Promise<number | null> } {
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  return { out: () => out, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

let bench: DcssBench | null = null;
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child && child.exitCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }
  child = null;
  await bench?.close();
  bench = null;
});

describe('npm run emulate -- dcs', () => {
  it('connects to the given DCSS with the given name, is registered, and stops cleanly on SIGINT', async () => {
    bench = await startDcssBench({ hardwareServers: [{ name: 'bench_dhs', protocol: 1, realMotors: [{ name: 'm1' }] }] });
    const connected = bench.nextEvent('dhsConnected', () => true, 8000);
    child = run(['dcs', '--port', String(bench.port), '--name', 'bench_dhs', '--v1', '--reconnect-ms', '100']);
    const c = collect(child);
    expect(await connected).toMatchObject({ dhs: 'bench_dhs', protocol: 1 });
    await runAction('dcs', bench.session, 'moveMotor', { motor: 'm1', position: 0.5 });
    expect(await runAction('dcs', bench.session, 'waitMotor', { motor: 'm1', timeoutS: 5 })).toMatchObject({ position: 0.5, status: 'normal' });
    expect(c.out()).toMatch(/DCS hardware server "bench_dhs" \(protocol 1\) connecting to DCSS at 127\.0\.0\.1:\d+/);
    expect(c.out()).toMatch(/answered stoc_send_client_type with htos_client_is_hardware bench_dhs/);
    child.kill('SIGINT');
    expect(await c.exit).toBe(0);
  }, 15_000);

  it('refuses bad flags with exit code 2 and its usage', async () => {
    const [both, name] = [collect(run(['dcs', '--v1', '--v2'])), collect(run(['dcs', '--name', 'two words']))];
    expect(await both.exit).toBe(2);
    expect(both.out()).toMatch(/choose one of --v1 and --v2[\s\S]*Usage: npm run emulate -- dcs/);
    expect(await name.exit).toBe(2);
    expect(name.out()).toMatch(/--name must be one DCS token/);
  }, 15_000);
});

describe('the DHS emulator against a hand-driven DCSS', () => {
  it('takes stoh_configure_real_motor only with its 16 values, as SSRL\'s Tcl DHS: fewer is an error it reports', async () => {
    const { DcsDecoder, encodeV1, encodeV2 } = await import('../../main/protocols/dcs/codec');
    const { startDcsEmulator } = await import('../../main/protocols/dcs/emulator');
    const received: string[] = [];
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      const d = new DcsDecoder({ mode: 'auto', source: 'DHS' }, { message: (b, st, e) => received.push(new TextDecoder().decode(b.subarray(st, e))) });
      s.on('data', (c: Buffer) => d.push(c, 0));
      s.write(encodeV1('stoc_send_client_type'));
      s.write(encodeV2('stoh_register_real_motor m1 m1'));
      s.write(encodeV2('stoh_configure_real_motor m1 simdhs m1 2.5 10 -10 1000 2000 100 0 1 1 0 0 0'));
      s.write(encodeV2('stoh_configure_real_motor m1 simdhs m1 3.5 10 -10 1000 2000 100 0 1 1 0 0 0 0'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const e = await startDcsEmulator({ port: (server.address() as net.AddressInfo).port, reconnectMs: 100 });
    try {
      await expect.poll(() => received.filter((t) => t.startsWith('htos_update_motor_position m1')), { timeout: 3000 }).toHaveLength(1);
      expect(received).toContain('htos_send_configuration m1');
      expect(received.find((t) => t.startsWith('htos_log'))).toMatch(/^htos_log unrecognised "stoh_configure_real_motor m1 simdhs m1 2\.5 10 -10 1000 2000 100 0 1 1 0 0 0": expected stoh_configure_real_motor name hwHost/);
      // Only the full message was taken.
      expect(received.filter((t) => t.startsWith('htos_update_motor_position m1'))).toEqual(['htos_update_motor_position m1 3.5 normal']);
    } finally {
      await e.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
