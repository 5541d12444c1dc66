import fs from 'node:fs';
import path from 'node:path';
import { SerialPort, SerialPortMock } from 'serialport';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LinkConfigOf } from '../../shared/api/link-config';
import { listSerialPorts, SerialLink, type SerialBinding } from '../../main/links/serial';
import { FAST, record, sleep } from './links-support';
import { ptyPair, type PtyPair } from '../support/pty-pair';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function serial(portname: string, extra: Partial<LinkConfigOf<'serial'>> = {}, binding?: SerialBinding) {
  const config = { portname, baudrate: 115200, databits: 8, parity: 'none', stopbits: '1', start_delay: 0, ...extra } as const;
  const link = new SerialLink(config, { ...FAST, binding });
  open.push(link);
  return link;
}

/** The device's end of the pty pair, opened like any serial port. */
async function device(portPath: string) {
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p = new SerialPort({ path: portPath, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
  });
  const received: Buffer[] = [];
  port.on('data', (d: Buffer) => received.push(d));
  const dev = {
    port,
    text: () => Buffer.concat(received).toString(),
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
  open.push(dev);
  return dev;
}

describe('SerialLink over a socat pty pair', () => {
  let pair: PtyPair;
  let A: string;
  let B: string;

  beforeAll(async () => {
    pair = await ptyPair('benchscope-serial-');
    A = pair.host;
    B = pair.device;
  });

  afterAll(() => {
    pair.close();
  });

  it('opens at 115200 and carries CSV intact both ways', async () => {
    const dev = await device(B);
    const link = serial(A);
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.kind).toBe('stream');
    expect(link.counters.connects).toBe(1);

    const csv = Array.from({ length: 2000 }, (_, i) => `${i},${(i * 0.25).toFixed(2)},${i % 7 === 0 ? 'TRIG' : 'ok'}\n`).join('');
    dev.port.write(csv);
    await vi.waitFor(() => expect(link.counters.rxBytes).toBe(csv.length));
    expect(seen.text()).toBe(csv);
    const times = seen.chunks.map((c) => c.t);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);

    expect(link.write(Buffer.from('set rate 100\r\n'))).toBe(true);
    await vi.waitFor(() => expect(dev.text()).toBe('set rate 100\r\n'));
    expect(link.counters).toMatchObject({ txBytes: 14, txChunks: 1 });
  });

  it('drops what arrives and refuses writes during the start delay', async () => {
    const dev = await device(B);
    const link = serial(A, { start_delay: 0.3 });
    const seen = record(link);
    const opened = Date.now();
    link.open();
    await vi.waitFor(() => expect(link.lastError).toMatch(/^start delay: ignoring .*host for 0\.3 s after opening$/));
    expect(link.state).toBe('Connecting');
    expect(link.write(Buffer.from('too early'))).toBe(false);
    dev.port.write('boot banner garbage\n');
    await sleep(100);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(Date.now() - opened).toBeGreaterThanOrEqual(290);
    dev.port.write('t,1.5\n');
    await vi.waitFor(() => expect(seen.text()).toBe('t,1.5\n'));
    expect(link.write(Buffer.from('go\n'))).toBe(true);
    await vi.waitFor(() => expect(dev.text()).toBe('go\n'));
  });

  it('says "no such port" for a missing path and opens it once it appears', async () => {
    const missing = path.join(path.dirname(A), 'ttyUSB-missing');
    const link = serial(missing);
    link.open();
    await vi.waitFor(() => expect(link.lastError).toBe(`no such port ${missing} (is the device plugged in?)`));
    expect(link.state).toBe('Connecting');
    fs.symlinkSync(fs.realpathSync(A), missing);
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.lastError).toBeNull();
  });

  it('says "port busy" while another program holds the port, and opens it once released', async () => {
    const holder = await device(A);
    const link = serial(A);
    link.open();
    await vi.waitFor(() => expect(link.lastError).toBe(`port busy: ${A} is open in another program`));
    expect(link.state).toBe('Connecting');
    await holder.close();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
  });

  it('close() releases the port for other programs', async () => {
    const link = serial(A);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    await link.close();
    expect(link.state).toBe('Disconnected');
    const other = await device(A);
    expect(other.port.isOpen).toBe(true);
  });
});

/** The mock's port, as far as this test drives it (its own types do not resolve under ESM). */
interface MockPortBinding {
  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }>;
  emitData(data: string): void;
}

describe('SerialLink unplugged (binding-mock)', () => {
  /** The mock binding, plus a way to pull the cable: reads fail like a vanished USB adapter. */
  function unpluggable(portPath: string) {
    const mock = SerialPortMock.binding;
    mock.reset();
    mock.createPort(portPath);
    let current: MockPortBinding | null = null;
    let pull: (err: Error) => void = () => {};
    const binding: SerialBinding = {
      ...mock,
      async open(options: { path: string; baudRate: number }) {
        const port = await mock.open(options);
        const gone = new Promise<never>((_, reject) => (pull = reject));
        gone.catch(() => {});
        current = new Proxy(port, {
          get(target, key) {
            if (key === 'read') return (...args: Parameters<MockPortBinding['read']>) => Promise.race([target.read(...args), gone]);
            const value = Reflect.get(target, key);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        return current;
      },
    };
    return {
      binding,
      emit: (text: string) => current!.emitData(text),
      unplug() {
        mock.reset();
        pull(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
      plugIn: () => mock.createPort(portPath),
    };
  }

  afterAll(() => SerialPortMock.binding.reset());

  it('reports the loss and reconnects when the port comes back', async () => {
    const cable = unpluggable('/dev/ttyMOCK0');
    const link = serial('/dev/ttyMOCK0', {}, cable.binding);
    const seen = record(link);
    link.open();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    cable.emit('v=1\n');
    await vi.waitFor(() => expect(seen.text()).toBe('v=1\n'));

    cable.unplug();
    await vi.waitFor(() => expect(link.state).toBe('Connecting'));
    expect(seen.states).toContainEqual(['Connecting', 'device disconnected: /dev/ttyMOCK0 went away (unplugged?)']);
    expect(link.write(Buffer.from('x'))).toBe(false);
    await sleep(50);
    expect(link.state).toBe('Connecting');
    expect(link.lastError).toMatch(/^serial \/dev\/ttyMOCK0: Port does not exist/);

    cable.plugIn();
    await vi.waitFor(() => expect(link.state).toBe('Connected'));
    expect(link.counters.connects).toBe(2);
    cable.emit('v=2\n');
    await vi.waitFor(() => expect(seen.text()).toBe('v=1\nv=2\n'));
  });
});

describe('listSerialPorts', () => {
  it('returns the ports the OS lists, never throwing', async () => {
    const { ports, error } = await listSerialPorts();
    expect(error).toBeNull();
    expect(Array.isArray(ports)).toBe(true);
    for (const p of ports) expect(typeof p.path).toBe('string');
  });
});
