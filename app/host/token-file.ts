// The host's token lives in the user data folder, readable by the user only, so
// an open tab and a script keep working across restarts of the host.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MIN_TOKEN_LENGTH } from './guard';

export const TOKEN_FILE = 'host-token';

/** The stored token, or a new one stored with mode 0600; a file others could read is tightened first. */
export async function persistentToken(userDataDir: string, make: () => string): Promise<{ token: string; file: string; created: boolean }> {
  const file = path.join(userDataDir, TOKEN_FILE);
  await fs.mkdir(userDataDir, { recursive: true, mode: 0o700 });
  try {
    const st = await fs.stat(file);
    if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) await fs.chmod(file, 0o600);
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (token.length >= MIN_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(token)) return { token, file, created: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // Missing, too short or garbled: a new one, written where only the user can read it.
  const token = make();
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${token}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
  return { token, file, created: true };
}
