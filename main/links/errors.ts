// Turns what Node and serialport throw into words a bench engineer can act on.
// Node network errors carry an errno `code`; serialport's native open errors
// carry only a message ("Error: No such file or directory, cannot open ..."),
// so both are recognised.

/** Link labels are "<transport> <endpoint>" (see Link.label); the endpoint is what the user typed. */
function endpointOf(linkLabel: string): string {
  return linkLabel.replace(/^(tcp server|tcp|udp|serial)\s+/, '');
}

function hostOf(endpoint: string): string {
  const colon = endpoint.lastIndexOf(':');
  return colon > 0 ? endpoint.slice(0, colon).replace(/^\[|\]$/g, '') : endpoint;
}

type Cause =
  | 'refused' | 'in-use' | 'permission' | 'no-such-port' | 'busy' | 'unreachable'
  | 'unknown-host' | 'timeout' | 'reset' | 'gone' | 'not-local';

const BY_CODE: Record<string, Cause> = {
  ECONNREFUSED: 'refused',
  EADDRINUSE: 'in-use',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOENT: 'no-such-port',
  EBUSY: 'busy',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unknown-host',
  EAI_AGAIN: 'unknown-host',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  EIO: 'gone',
  ENXIO: 'gone',
  ENODEV: 'gone',
  EADDRNOTAVAIL: 'not-local',
};

// serialport (bindings-cpp) messages, which have no code.
const BY_MESSAGE: [RegExp, Cause][] = [
  [/No such file or directory|File not found|cannot find the file/i, 'no-such-port'],
  [/Cannot lock port|Resource temporarily unavailable|Device or resource busy/i, 'busy'],
  // Windows says "Access denied" when another program holds the COM port.
  [/Access denied/i, 'busy'],
  [/Permission denied|Operation not permitted/i, 'permission'],
  [/Input\/output error|No such device|i\/o error/i, 'gone'],
];

function causeOf(err: unknown, message: string): Cause | null {
  if (typeof err === 'object' && err !== null) {
    const { code, disconnected, errors } = err as { code?: unknown; disconnected?: unknown; errors?: unknown };
    if (typeof code === 'string' && code in BY_CODE) return BY_CODE[code];
    if (disconnected === true) return 'gone';
    // Node tries every address of a host name (IPv6 and IPv4) and reports them together.
    if (Array.isArray(errors) && errors.length > 0) return causeOf(errors[0], messageOf(errors[0]));
  }
  for (const [pattern, cause] of BY_MESSAGE) if (pattern.test(message)) return cause;
  return null;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return String(err);
}

/** One line saying what went wrong on the link and what to check, naming the port or address. */
export function describeLinkError(err: unknown, linkLabel: string): string {
  const message = messageOf(err);
  const endpoint = endpointOf(linkLabel);
  const serial = linkLabel.startsWith('serial');
  switch (causeOf(err, message)) {
    case 'refused':
      return `connection refused: nothing listens on ${endpoint}`;
    case 'in-use':
      return `address in use: another program listens on ${endpoint}`;
    case 'permission':
      return serial
        ? `permission denied on ${endpoint} (add your user to the dialout group)`
        : `permission denied on ${endpoint} (ports below 1024 need administrator rights)`;
    case 'no-such-port':
      return `no such port ${endpoint} (is the device plugged in?)`;
    case 'busy':
      return `port busy: ${endpoint} is open in another program`;
    case 'unreachable':
      return `host unreachable: no route to ${hostOf(endpoint)} (check the cable, the address and the subnet)`;
    case 'unknown-host':
      return `unknown host: cannot resolve "${hostOf(endpoint)}"`;
    case 'timeout':
      return `timed out connecting to ${endpoint} (device off, wrong address or a firewall)`;
    case 'reset':
      return `connection reset by the device (${endpoint})`;
    case 'gone':
      return `device disconnected: ${endpoint} went away (unplugged?)`;
    case 'not-local':
      return `address not available: ${hostOf(endpoint)} is not an address of this computer`;
    case null:
      return `${linkLabel}: ${message}`;
  }
}
