import { describe, expect, it } from 'vitest';
import { describeLinkError } from '../../main/links/errors';

function errno(code: string, message = `${code} raw`): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeLinkError', () => {
  it('words Node errno errors for network links, naming the endpoint', () => {
    const tcp = 'tcp 127.0.0.1:5000';
    expect(describeLinkError(errno('ECONNREFUSED'), tcp)).toBe('connection refused: nothing listens on 127.0.0.1:5000');
    expect(describeLinkError(errno('EADDRINUSE'), 'tcp server 0.0.0.0:7000')).toBe('address in use: another program listens on 0.0.0.0:7000');
    expect(describeLinkError(errno('ECONNRESET'), tcp)).toBe('connection reset by the device (127.0.0.1:5000)');
    expect(describeLinkError(errno('ETIMEDOUT'), tcp)).toMatch(/^timed out connecting to 127\.0\.0\.1:5000/);
    expect(describeLinkError(errno('EHOSTUNREACH'), 'udp 10.0.0.9:1234')).toMatch(/^host unreachable: no route to 10\.0\.0\.9 /);
    expect(describeLinkError(errno('ENOTFOUND'), 'tcp scope.local:5025')).toBe('unknown host: cannot resolve "scope.local"');
    expect(describeLinkError(errno('EACCES'), 'tcp server 0.0.0.0:80')).toMatch(/^permission denied on 0\.0\.0\.0:80 \(ports below 1024/);
    expect(describeLinkError(errno('EADDRNOTAVAIL'), 'tcp server 10.1.2.3:7000')).toMatch(/10\.1\.2\.3 is not an address of this computer/);
    const bothFamilies = new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')], 'connect failed');
    expect(describeLinkError(bothFamilies, 'tcp localhost:5000')).toBe('connection refused: nothing listens on localhost:5000');
  });

  it('words serial errors, including serialport messages that carry no code', () => {
    const usb = 'serial /dev/ttyUSB0';
    expect(describeLinkError(errno('EACCES'), usb)).toBe('permission denied on /dev/ttyUSB0 (add your user to the dialout group)');
    expect(describeLinkError(new Error('Error: Permission denied, cannot open /dev/ttyUSB0'), usb))
      .toBe('permission denied on /dev/ttyUSB0 (add your user to the dialout group)');
    expect(describeLinkError(new Error('Error: No such file or directory, cannot open /dev/ttyXYZ'), 'serial /dev/ttyXYZ'))
      .toMatch(/^no such port \/dev\/ttyXYZ/);
    expect(describeLinkError(new Error('Error Resource temporarily unavailable Cannot lock port'), usb))
      .toBe('port busy: /dev/ttyUSB0 is open in another program');
    expect(describeLinkError(errno('EBUSY'), usb)).toBe('port busy: /dev/ttyUSB0 is open in another program');
    expect(describeLinkError(new Error('Opening COM3: Access denied'), 'serial COM3')).toBe('port busy: COM3 is open in another program');
    expect(describeLinkError(Object.assign(new Error('EIO: i/o error, read'), { disconnected: true }), usb))
      .toMatch(/^device disconnected: \/dev\/ttyUSB0 went away/);
  });

  it('falls back to the link label and the raw message for anything else', () => {
    expect(describeLinkError(new Error('Invalid stop bits setting 2'), 'serial /dev/ttyS1')).toBe('serial /dev/ttyS1: Invalid stop bits setting 2');
    expect(describeLinkError(errno('EWEIRD', 'something odd'), 'udp 1.2.3.4:5')).toBe('udp 1.2.3.4:5: something odd');
    expect(describeLinkError('plain string', 'tcp h:1')).toBe('tcp h:1: plain string');
    expect(describeLinkError(undefined, 'tcp h:1')).toBe('tcp h:1: undefined');
  });
});
