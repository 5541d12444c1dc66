// `npm run host -- [--port N] [--host ADDR] [--token T] [--data DIR]`
import { parseArgs } from 'node:util';
import { isMain } from '../is-main';
import { startHost } from './server';
import { defaultUserDataDir } from './user-data';

export async function runHostCli(argv: string[], banner?: string): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (e) {
    console.error(`benchscope host: ${(e as Error).message}. Try --help.`);
    process.exit(2);
  }
  if (values.help) {
    console.log('Usage: npm run host -- [--port 8080] [--host 127.0.0.1] [--token TOKEN] [--data DIR]');
    return;
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`benchscope host: --port must be 0..65535, got "${values.port}"`);
    process.exit(2);
  }
  const host = values.host ?? '127.0.0.1';
  const userDataDir = values.data ?? defaultUserDataDir();
  let running;
  try {
    running = await startHost({ port, host, token: values.token, userDataDir });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? `port ${port} on ${host} is in use (another Benchscope? try --port 0)` : err.message;
    console.error(`benchscope host: cannot start: ${why}`);
    process.exit(1);
  }
  const stop = async () => {
    await running.close();
    process.exit(0);
  };
  // Before the lines that say where it listens: whoever reads them may press Ctrl-C at once.
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  if (banner) console.log(banner);
  console.log(`Benchscope host listening on ${running.host}:${running.port} (--host ${host}${values.host ? '' : ' default'}, --port ${port}${values.port ? '' : ' default'}, --token ${values.token ? 'given' : 'generated'}, --data ${userDataDir})`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') console.log(`Warning: listening on ${host}, not only loopback: anyone on that network with the token can drive your bench.`);
  console.log(`Open: ${running.url}`);
}

if (isMain(import.meta.url)) void runHostCli(process.argv.slice(2));
