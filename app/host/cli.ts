// `npm run host -- [--port N] [--host ADDR] [--token T] [--data DIR]` (also what
// `npm start -- …` runs when there is no Electron runtime). Without --token the
// token is kept in the user data folder, so open tabs survive a restart.
import { parseArgs } from 'node:util';
import { isMain } from '../is-main';
import { MIN_TOKEN_LENGTH } from './guard';
import { newToken, startHost } from './server';
import { persistentToken } from './token-file';
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
    console.log('Usage: npm start -- [--port 8080] [--host 127.0.0.1] [--token TOKEN] [--data DIR]   (or npm run host -- …, always without the desktop window)');
    return;
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`benchscope host: --port must be 0..65535, got "${values.port}"`);
    process.exit(2);
  }
  const host = values.host ?? '127.0.0.1';
  const userDataDir = values.data ?? defaultUserDataDir();
  if (values.token !== undefined && values.token.length < MIN_TOKEN_LENGTH) {
    console.error(`benchscope host: --token must be at least ${MIN_TOKEN_LENGTH} characters (got ${values.token.length}): a short one can be guessed`);
    process.exit(2);
  }
  // The command the user ran, for the pages that tell them what to run again.
  const command = process.env.npm_lifecycle_event === 'start' ? 'npm start' : 'npm run host';
  let running;
  let tokenSource = 'given';
  try {
    let token = values.token;
    if (token === undefined) {
      const stored = await persistentToken(userDataDir, newToken);
      token = stored.token;
      tokenSource = `${stored.created ? 'new, stored in' : 'kept from'} ${stored.file}`;
    }
    running = await startHost({ port, host, token, userDataDir, command });
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
  console.log(`Benchscope host listening on ${running.host}:${running.port} (--host ${host}${values.host ? '' : ' default'}, --port ${port}${values.port ? '' : ' default'}, --token ${tokenSource}, --data ${userDataDir})`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') console.log(`Warning: listening on ${host}, not only loopback: anyone on that network with the token can drive your bench.`);
  console.log(`Open: ${running.url}`);
}

if (isMain(import.meta.url)) void runHostCli(process.argv.slice(2));
