import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LINK_DEFAULTS, type LinkSpec } from '../../shared/api/link-config';
import { createLink, LinkUnavailableError, refuseReason } from '../../main/links/factory';
import { SerialLink } from '../../main/links/serial';
import { TcpClientLink } from '../../main/links/tcp-client';
import { TcpServerLink } from '../../main/links/tcp-server';
import { UdpLink } from '../../main/links/udp';

function refusal(spec: LinkSpec): unknown {
  try {
    createLink(spec);
  } catch (err) {
    return err;
  }
  return null;
}

describe('createLink', () => {
  it('refuses RTT and an unreachable CAN interface with a clear reason, upfront and when asked to build them', () => {
    const rtt: LinkSpec = { type: 'rtt', config: LINK_DEFAULTS.rtt };
    const can: LinkSpec = { type: 'can', config: LINK_DEFAULTS.can };
    expect(refuseReason(rtt)).toBe('RTT links are not available yet in Benchscope (J-Link support is planned)');
    // SocketCAN can0 on this machine: no socketcan addon (see test/integration/can-factory.test.ts).
    expect(refuseReason(can)).toMatch(/SocketCAN/);
    for (const spec of [rtt, can]) {
      const err = refusal(spec);
      expect(err).toBeInstanceOf(LinkUnavailableError);
      expect((err as LinkUnavailableError).reason).toBe(refuseReason(spec));
      expect((err as Error).message).toBe(refuseReason(spec));
    }
  });

  it('refuses serial settings the platform cannot serve', () => {
    const serial = (extra: object): LinkSpec => ({ type: 'serial', config: { ...LINK_DEFAULTS.serial, portname: '/dev/ttyUSB0', ...extra } });
    expect(refuseReason(serial({ stopbits: '1.5' }), 'linux')).toBe('1.5 stop bits are only supported on Windows; use 1 or 2');
    expect(refuseReason(serial({ parity: 'mark' }), 'darwin')).toBe('mark parity is only supported on Windows; use none, even or odd');
    expect(refuseReason(serial({ stopbits: '1.5', parity: 'space' }), 'win32')).toBeNull();
    expect(refuseReason(serial({ stopbits: '2', parity: 'even', databits: 7 }), 'linux')).toBeNull();
    if (process.platform !== 'win32') expect(refusal(serial({ stopbits: '1.5' }))).toBeInstanceOf(LinkUnavailableError);
  });

  it('builds each transport, unopened', () => {
    const built = [
      createLink({ type: 'udp', config: LINK_DEFAULTS.udp }),
      createLink({ type: 'tcp', config: LINK_DEFAULTS.tcp }),
      createLink({ type: 'tcp-server', config: LINK_DEFAULTS['tcp-server'] }),
      createLink({ type: 'serial', config: { ...LINK_DEFAULTS.serial, portname: '/dev/ttyUSB0' } }),
    ];
    expect(built[0]).toBeInstanceOf(UdpLink);
    expect(built[1]).toBeInstanceOf(TcpClientLink);
    expect(built[2]).toBeInstanceOf(TcpServerLink);
    expect(built[3]).toBeInstanceOf(SerialLink);
    expect(built.map((l) => l.label)).toEqual(['udp 127.0.0.1:8765', 'tcp 127.0.0.1:8765', 'tcp server 127.0.0.1:0', 'serial /dev/ttyUSB0']);
    expect(built.map((l) => l.state)).toEqual(['Disconnected', 'Disconnected', 'Disconnected', 'Disconnected']);
  });

  it('"none" stays Disconnected and says no link is configured', async () => {
    const link = createLink({ type: 'none', config: {} });
    const states: unknown[] = [];
    link.setEvents({ onState: (...s) => states.push(s) });
    link.open();
    expect(link.state).toBe('Disconnected');
    expect(link.lastError).toBe('no link configured');
    expect(link.write(Buffer.from('x'))).toBe(false);
    await link.close();
    expect(states).toEqual([]);
  });

  it('after close(), links of every kind leave nothing behind: their process exits by itself', async () => {
    const fixture = fileURLToPath(new URL('./links-exit-fixture.ts', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', fixture], { timeout: 10_000 }, (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out));
    });
    expect(JSON.parse(stdout)).toEqual([
      [expect.stringMatching(/^tcp 127\.0\.0\.1:\d+$/), 'Disconnected'],
      ['tcp server 127.0.0.1:0', 'Disconnected'],
      [expect.stringMatching(/^udp 127\.0\.0\.1:\d+$/), 'Disconnected'],
      ['serial /tmp/benchscope-no-such-port', 'Disconnected'],
      ['no link', 'Disconnected'],
    ]);
  });
});
