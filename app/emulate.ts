// `npm run emulate -- <protocol> [flags]`: runs one emulated device until Ctrl-C.
// Each protocol is one entry of EMULATORS: its flags, its usage line, and how to start it.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isMain } from './is-main';
import { LINES_EMULATOR_FORMATS, startLinesEmulator, type LinesEmulatorFormat } from '../main/protocols/lines/emulator';

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
        port: transport === 'tcp' ? (intFlag(flags, 'tcp', 0, 65535) ?? 5760) : intFlag(flags, 'udp', 0, 65535),
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
  console.log(`${running.describe}; ${running.connect}. Ctrl-C stops.`);
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (isMain(import.meta.url)) void runEmulateCli(process.argv.slice(2));
