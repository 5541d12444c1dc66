// The programs outside npm that `npm test` needs: Debian's Chromium (the
// end-to-end tests drive it) and socat (pseudo-terminal pairs for the serial
// tests). Missing ones are installed with apt on Debian or Ubuntu as root;
// anywhere else this stops at once with the one command to run.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** program on PATH -> Debian package that provides it */
const NEEDED = [
  { program: 'chromium', alternatives: ['chromium', 'chromium-browser'], pkg: 'chromium', why: 'the end-to-end tests run in it' },
  { program: 'socat', alternatives: ['socat'], pkg: 'socat', why: 'pseudo-terminal pairs for the serial tests' },
];

function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function isDebianLike() {
  if (!existsSync('/etc/os-release')) return false;
  const text = readFileSync('/etc/os-release', 'utf8');
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(text) && onPath('apt-get');
}

export function missingPrograms() {
  const chromiumSet = process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH);
  return NEEDED.filter((n) => !(n.program === 'chromium' && chromiumSet) && !n.alternatives.some(onPath));
}

/** Runs quietly: apt's progress goes to the log, which is shown only when it fails. */
function run(cmd, args, log) {
  appendFileSync(log, `$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  appendFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}\nexit ${r.status}\n`);
  return r.status === 0;
}

function tail(log, n) {
  return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
}

export function ensureSystem() {
  const missing = missingPrograms();
  if (missing.length === 0) return;
  const pkgs = missing.map((m) => m.pkg);
  const command = `sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isDebianLike() || !isRoot) {
    console.error(`The tests need ${missing.map((m) => `${m.program} (${m.why})`).join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.`);
    console.error(isDebianLike() ? `Install ${missing.length > 1 ? 'them' : 'it'} with:\n  ${command}` : `Install ${pkgs.join(' and ')} with your system's package manager (on Debian or Ubuntu: ${command}); for another Chromium, set CHROMIUM_PATH.`);
    process.exit(1);
  }
  const log = path.join(os.tmpdir(), 'benchscope-apt.log');
  writeFileSync(log, '');
  console.log(`Installing ${missing.map((m) => `${m.pkg} (${m.why})`).join(', ')} with apt-get (a minute or two; log: ${log})…`);
  const t0 = Date.now();
  if (!run('apt-get', ['update', '-qq'], log) || !run('apt-get', ['install', '-y', '-qq', ...pkgs], log)) {
    console.error(`apt-get could not install ${pkgs.join(' ')}. The end of ${log}:\n${tail(log, 20)}\nTry: ${command}`);
    process.exit(1);
  }
  const still = missingPrograms();
  if (still.length > 0) {
    console.error(`${still.map((m) => m.program).join(' and ')} still not found after installing: see ${log}.`);
    process.exit(1);
  }
  console.log(`Installed ${pkgs.join(', ')} in ${Math.round((Date.now() - t0) / 1000)} s.`);
}
