import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HexrotDecoder } from '../../main/protocols/hexrot/codec';
import { CONTROLLER_STATES, SimpleController, startHexrotEmulator } from '../../main/protocols/hexrot/emulator';
import { resolveLayout } from '../../shared/api/hexrot-layout';

const cmd = (code: number, p1 = 0) => ({ commander: 2, syncPattern: 0, counter: 0, code, params: [p1, 0, 0, 0, 0, 0] });

describe('hexrot emulator: the simple controller', () => {
  it('follows the reference state machine and refuses with its reasons', () => {
    const c = new SimpleController();
    expect(c.state).toBe(CONTROLLER_STATES.STANDBY);
    expect(() => c.run(cmd(1, 3))).toThrow('state=STANDBY (0); must be ENABLED (2) for this command.');
    expect(() => c.run(cmd(4, 1))).toThrow(/must be ENABLED/);
    c.run(cmd(1, 2));
    expect([c.state, c.enabledSubstate]).toEqual([CONTROLLER_STATES.ENABLED, 0]);
    expect(() => c.run(cmd(1, 2))).toThrow('state=ENABLED (2); must be STANDBY (0) for this command.');
    expect(() => c.run(cmd(1, 6))).toThrow('state=ENABLED (2); must be FAULT or STANDBY for this command.');
    c.run(cmd(4, -25));
    expect([c.cmdPosition, c.currPosition]).toEqual([-25, -25]);
    expect(() => c.run(cmd(4, 25.5))).toThrow('Position 25.5 out of range [-25.0, 25.0].');
    expect(c.run(cmd(2, 1))).toEqual({ duration: 0, configChanged: true });
    expect(c.drivesEnabled).toBe(true);
    c.run(cmd(1, 8));
    expect(c.state).toBe(CONTROLLER_STATES.FAULT);
    c.run(cmd(1, 6));
    expect(c.state).toBe(CONTROLLER_STATES.STANDBY);
    expect(() => c.run(cmd(3, 0))).toThrow('Unrecognized command code 3; param1=0.0...');
    expect(() => c.run(cmd(99, 1.5))).toThrow('Unrecognized command code 99; param1=1.5...');
    c.step(10);
    expect(c.currPosition).toBeCloseTo(-24.9, 9);
  });

  it('streams CONFIG once then TELEMETRY at the configured rate', async () => {
    const emu = await startHexrotEmulator({ port: 0, rate: 2000 });
    const socket = net.createConnection({ host: '127.0.0.1', port: emu.port! });
    let configs = 0;
    let telemetry = 0;
    const d = new HexrotDecoder(resolveLayout('simple'), 'current', { telemetry: () => { telemetry++; }, config: () => { configs++; }, commandStatus: () => {} });
    socket.on('data', (b) => d.push(b, 0));
    await new Promise((r) => socket.once('connect', r));
    await new Promise((r) => setTimeout(r, 500));
    socket.destroy();
    await emu.close();
    expect(configs).toBe(1);
    expect(telemetry).toBeGreaterThan(600);
    expect(telemetry).toBeLessThan(1400);
    expect(d.counters.unknownFrames).toBe(0);
  });

  it('refuses a telemetry rate outside 10 Hz to 10 kHz', async () => {
    await expect(startHexrotEmulator({ rate: 5 })).rejects.toThrow(/from 10 to 10000 frames\/s, got 5/);
  });

  it('runs on its own: npm run emulate -- hexrot says where it listens and stops on Ctrl-C', async () => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'app/emulate.ts', 'hexrot', '--port', '0', '--rate', '50'], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b) => { out += b; });
    const end = Date.now() + 15_000;
    while (!/Ctrl-C/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(out).toMatch(/hexrot emulator \(current generation, simple controller, 50 telemetry frames\/s\) listening on tcp 127\.0\.0\.1:\d+/);
    const code = new Promise((r) => p.once('exit', r));
    p.kill('SIGINT');
    expect(await code).toBe(0);
  });
});
