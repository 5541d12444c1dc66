// `npm run emulate -- <protocol> [flags]`: runs one emulated device until Ctrl-C.
// Each protocol is one entry of EMULATORS: its flags, its usage line, and how to start it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isMain } from './is-main';
import { defaultPortOf } from '../shared/api/manifests';
import { startDcsEmulator } from '../main/protocols/dcs/emulator';
import { startScrutinyEmulator } from '../main/protocols/scrutiny/emulator';
import { LINES_EMULATOR_FORMATS, startLinesEmulator, type LinesEmulatorFormat } from '../main/protocols/lines/emulator';
import { startKatcpEmulator } from '../main/protocols/katcp/emulator';
import { DEFAULT_CURRENT_PORT, MAX_TELEMETRY_RATE, MIN_TELEMETRY_RATE, startHexrotEmulator } from '../main/protocols/hexrot/emulator';

type Flags = Record<string, string | boolean | undefined>;

interface RunningEmulator {
  describe: string;
  /** How to talk to it, for the one line printed at start. */
  connect: string;
  close(): Promise<void>;
}

interface EmulatorEntry {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Throws UsageError for bad flags, anything else for a failure to start. */
  start(flags: Flags): Promise<RunningEmulator>;
}

class UsageError extends Error {}

function intFlag(flags: Flags, name: string, min: number, max: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
}

const EMULATORS: Record<string, EmulatorEntry> = {
  dcs: {
    usage: `dcs [--host 127.0.0.1] [--port ${defaultPortOf('dcs')}] [--name simdhs] [--v1 | --v2] [--tcl] [--reconnect-ms 5000]`,
    options: {
      host: { type: 'string' }, port: { type: 'string' }, name: { type: 'string' }, v1: { type: 'boolean' }, v2: { type: 'boolean' }, tcl: { type: 'boolean' },
      'reconnect-ms': { type: 'string' },
    },
    async start(flags) {
      if (flags.v1 && flags.v2) throw new UsageError('choose one of --v1 and --v2 (without either, each message is answered in its own version, as pydhsfw does)');
      const name = (flags.name as string | undefined) ?? 'simdhs';
      if (!/^[A-Za-z0-9_.:+-]{1,64}$/.test(name)) throw new UsageError(`--name must be one DCS token (letters, digits, _ . : + -), got "${name}"`);
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      const port = intFlag(flags, 'port', 1, 65535) ?? defaultPortOf('dcs');
      const emulator = await startDcsEmulator({
        host, port, name,
        version: flags.v1 ? 1 : flags.v2 ? 2 : 'auto',
        // --tcl: the handshake answer of SSRL's Tcl DHS library (htos_client_type_is_hardware).
        library: flags.tcl ? 'tcl' : 'pydhsfw',
        reconnectMs: intFlag(flags, 'reconnect-ms', 100, 600_000) ?? 5000,
        log: (text) => console.log(`dcs emulator "${name}": ${text}`),
      });
      return {
        describe: emulator.describe,
        connect: `start a Benchscope session (protocol dcs, link TCP server ${host}:${port}) with hardware server "${name}" in its configuration; this DHS keeps trying to connect`,
        close: emulator.close,
      };
    },
  },
  katcp: {
    usage: `katcp [--port ${defaultPortOf('katcp')}] [--host 127.0.0.1] [--v4] [--no-mids] [--no-bulk] [--timeout-hints]`,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, v4: { type: 'boolean' }, 'no-mids': { type: 'boolean' },
      'no-bulk': { type: 'boolean' }, 'timeout-hints': { type: 'boolean' },
    },
    async start(flags) {
      const v4 = flags.v4 === true;
      if (v4 && (flags['no-mids'] || flags['no-bulk'] || flags['timeout-hints'])) throw new UsageError('--no-mids, --no-bulk and --timeout-hints are for v5 (v4 has none of these)');
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      const emulator = await startKatcpEmulator({
        host,
        port: intFlag(flags, 'port', 0, 65535) ?? defaultPortOf('katcp'),
        version: v4 ? 4 : 5,
        messageIds: flags['no-mids'] !== true,
        bulk: flags['no-bulk'] !== true,
        timeoutHints: flags['timeout-hints'] === true,
      });
      return {
        describe: emulator.describe,
        connect: `connect with: nc ${host} ${emulator.port} (type ?help), or a Benchscope session (protocol katcp, link TCP ${host}:${emulator.port})`,
        close: emulator.close,
      };
    },
  },
  lines: {
    usage: 'lines [--tcp PORT | --udp PORT | --serial PATH] [--host 127.0.0.1] [--baud 115200] [--rate 100] [--channels 4] [--format csv|kv|json] [--timestamp]',
    options: {
      tcp: { type: 'string' }, udp: { type: 'string' }, serial: { type: 'string' }, host: { type: 'string' },
      baud: { type: 'string' }, rate: { type: 'string' }, channels: { type: 'string' }, format: { type: 'string' },
      timestamp: { type: 'boolean' },
    },
    async start(flags) {
      const chosen = ['tcp', 'udp', 'serial'].filter((t) => flags[t] !== undefined);
      if (chosen.length > 1) throw new UsageError(`choose one of --tcp, --udp, --serial (got --${chosen.join(' and --')})`);
      const transport = (chosen[0] ?? 'tcp') as 'tcp' | 'udp' | 'serial';
      const format = (flags.format ?? 'csv') as string;
      if (!(LINES_EMULATOR_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be csv, kv or json, got "${format}"`);
      const rateRaw = flags.rate;
      const rate = rateRaw === undefined ? 100 : Number(rateRaw);
      if (!Number.isFinite(rate) || rate <= 0 || rate > 1_000_000) throw new UsageError(`--rate must be a number of lines/s above 0 and at most 1000000, got "${rateRaw}"`);
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      const emulator = await startLinesEmulator({
        transport,
        host,
        port: transport === 'tcp' ? (intFlag(flags, 'tcp', 0, 65535) ?? defaultPortOf('lines')) : intFlag(flags, 'udp', 0, 65535),
        path: flags.serial as string | undefined,
        baudRate: intFlag(flags, 'baud', 1, 20_000_000),
        rate,
        channels: intFlag(flags, 'channels', 1, 64) ?? 4,
        format: format as LinesEmulatorFormat,
        timestamp: flags.timestamp === true,
      });
      const connect = transport === 'tcp'
        ? `connect with: nc ${host} ${emulator.port}, or a Benchscope session (protocol lines, link TCP ${host}:${emulator.port})`
        : transport === 'udp'
          ? `connect with: nc -u ${host} ${emulator.port} and press Enter, or a Benchscope session (protocol lines, link UDP ${host}:${emulator.port})`
          : 'connect a Benchscope session (protocol lines, link Serial) to the other end of this port';
      return { describe: emulator.describe, connect, close: emulator.close };
    },
  },
  scrutiny: {
    usage: 'scrutiny [--udp PORT | --tcp PORT | --serial PATH] [--host 127.0.0.1] [--baud 115200] [--rx-buffer 256] [--tx-buffer 256] [--max-bitrate 0] [--no-write] [--request-period-ms 0]',
    options: {
      udp: { type: 'string' }, tcp: { type: 'string' }, serial: { type: 'string' }, host: { type: 'string' }, baud: { type: 'string' },
      'rx-buffer': { type: 'string' }, 'tx-buffer': { type: 'string' }, 'max-bitrate': { type: 'string' }, 'no-write': { type: 'boolean' },
      'request-period-ms': { type: 'string' },
    },
    async start(flags) {
      const chosen = ['udp', 'tcp', 'serial'].filter((t) => flags[t] !== undefined);
      if (chosen.length > 1) throw new UsageError(`choose one of --udp, --tcp, --serial (got --${chosen.join(' and --')})`);
      const transport = (chosen[0] ?? 'udp') as 'udp' | 'tcp' | 'serial';
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      const emulator = await startScrutinyEmulator({
        transport,
        host,
        port: transport === 'serial' ? undefined : (intFlag(flags, transport, 0, 65535) ?? defaultPortOf('scrutiny')),
        path: flags.serial as string | undefined,
        baudRate: intFlag(flags, 'baud', 1, 20_000_000),
        rxBufferSize: intFlag(flags, 'rx-buffer', 32, 65535),
        txBufferSize: intFlag(flags, 'tx-buffer', 32, 65535),
        maxBitrate: intFlag(flags, 'max-bitrate', 0, 0xffffffff),
        memoryWrite: flags['no-write'] !== true,
        requestPeriodMs: intFlag(flags, 'request-period-ms', 0, 10_000),
      });
      const connect = transport === 'serial'
        ? 'connect a Benchscope session (protocol scrutiny, link Serial) to the other end of this port'
        : `connect a Benchscope session (protocol scrutiny, link ${transport.toUpperCase()} ${host}:${emulator.port})`;
      return { describe: emulator.describe, connect, close: emulator.close };
    },
  },
  hexrot: {
    usage: `hexrot [--port ${defaultPortOf('hexrot')}] [--host 127.0.0.1] [--rate 10] [--legacy [--command-port PORT+1] [--header mjd|tai] [--sync N]]`,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, rate: { type: 'string' }, legacy: { type: 'boolean' },
      'command-port': { type: 'string' }, header: { type: 'string' }, sync: { type: 'string' },
    },
    async start(flags) {
      const legacy = flags.legacy === true;
      if (!legacy && (flags['command-port'] !== undefined || flags.header !== undefined || flags.sync !== undefined)) {
        throw new UsageError('--command-port, --header and --sync are for --legacy');
      }
      const header = (flags.header ?? 'mjd') as string;
      if (header !== 'mjd' && header !== 'tai') throw new UsageError(`--header must be mjd or tai, got "${header}"`);
      const host = (flags.host as string | undefined) ?? '127.0.0.1';
      const port = intFlag(flags, 'port', legacy ? 1 : 0, legacy ? 65534 : 65535) ?? DEFAULT_CURRENT_PORT;
      const emulator = await startHexrotEmulator({
        generation: legacy ? 'legacy' : 'current',
        host,
        port,
        commandPort: intFlag(flags, 'command-port', 1, 65535),
        rate: intFlag(flags, 'rate', MIN_TELEMETRY_RATE, MAX_TELEMETRY_RATE) ?? 10,
        legacyHeader: header,
        syncPattern: intFlag(flags, 'sync', 0, 0xffff),
      });
      const connect = legacy
        ? 'it connects to a Benchscope hexrot session of the legacy generation listening on those ports, and retries until one does'
        : `connect a Benchscope session (protocol hexrot, link TCP ${host}:${emulator.port})`;
      return { describe: emulator.describe, connect, close: emulator.close };
    },
  },
};

function usage(): string {
  return ['Usage: npm run emulate -- <protocol> [flags]', ...Object.values(EMULATORS).map((e) => `  ${e.usage}`)].join('\n');
}

export async function runEmulateCli(argv: string[]): Promise<void> {
  const [protocol, ...rest] = argv;
  if (protocol === undefined) {
    console.error(usage());
    process.exit(2);
  }
  if (protocol === '--help' || protocol === '-h') {
    console.log(usage());
    return;
  }
  const entry = EMULATORS[protocol];
  if (entry === undefined) {
    console.error(`benchscope emulate: unknown protocol "${protocol}" (known: ${Object.keys(EMULATORS).join(', ')})\n${usage()}`);
    process.exit(2);
  }
  let running: RunningEmulator;
  try {
    const { values } = parseArgs({ args: rest, options: entry.options, strict: true, allowPositionals: false });
    running = await entry.start(values as Flags);
  } catch (e) {
    const bad = e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`benchscope emulate ${protocol}: ${(e as Error).message}${bad ? `\nUsage: npm run emulate -- ${entry.usage}` : ''}`);
    process.exit(bad ? 2 : 1);
  }
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  // Before saying so: whoever reads the line may press Ctrl-C at once.
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  console.log(`${running.describe}; ${running.connect}. Ctrl-C stops.`);
}

if (isMain(import.meta.url)) void runEmulateCli(process.argv.slice(2));
