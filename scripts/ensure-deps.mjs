// First run of `npm start` / `npm test`: install dependencies if they are
// missing or older than the lockfile. Electron's runtime download is skipped
// where it cannot be reached; `npm start` then serves the UI from the host.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { ensureSystem } from './ensure-system.mjs';

// `--tests`: also the programs outside npm that the tests drive (Chromium, socat).
if (process.argv.includes('--tests')) ensureSystem();

const marker = 'node_modules/.package-lock.json';
// What was installed is known by the lockfile's content (a fresh checkout's lockfile is
// always newer than an install shared with it, so times alone would reinstall).
const stamp = 'node_modules/.benchscope-lock-sha256';
const lockHash = existsSync('package-lock.json') ? createHash('sha256').update(readFileSync('package-lock.json')).digest('hex') : '';
const stale = !existsSync(marker) || (existsSync(stamp)
  ? readFileSync(stamp, 'utf8').trim() !== lockHash
  : existsSync('package-lock.json') && statSync('package-lock.json').mtimeMs > statSync(marker).mtimeMs + 1000);
if (stale) {
  console.log('Installing dependencies (first run)…');
  const env = { ...process.env };
  if (env.ELECTRON_SKIP_BINARY_DOWNLOAD === undefined && !env.BENCHSCOPE_ELECTRON_DOWNLOAD) env.ELECTRON_SKIP_BINARY_DOWNLOAD = '1';
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error('npm ci failed: see above.');
    process.exit(r.status ?? 1);
  }
}
if (lockHash && existsSync('node_modules')) writeFileSync(stamp, `${lockHash}\n`);

// The desktop window needs Electron's runtime, which the first install skips unless
// asked (its download host is often out of reach): BENCHSCOPE_ELECTRON_DOWNLOAD=1 fetches it.
if (process.env.BENCHSCOPE_ELECTRON_DOWNLOAD && existsSync('node_modules/electron/install.js') && !existsSync('node_modules/electron/path.txt')) {
  console.log('Downloading the Electron runtime for the desktop window…');
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const r = spawnSync(process.execPath, ['node_modules/electron/install.js'], { stdio: 'inherit', env });
  if (r.status !== 0) console.error('The Electron runtime could not be downloaded (see above): the workbench opens in the browser instead.');
}
