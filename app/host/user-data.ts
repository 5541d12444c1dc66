import os from 'node:os';
import path from 'node:path';

/** The same folder Electron's app.getPath('userData') gives for "Benchscope". */
export function defaultUserDataDir(): string {
  if (process.env.BENCHSCOPE_DATA) return process.env.BENCHSCOPE_DATA;
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Benchscope');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Benchscope');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Benchscope');
}
