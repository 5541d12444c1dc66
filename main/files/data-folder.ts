// Every file or folder an API request names resolves inside the user data
// folder: whoever holds the token drives the bench, not the user's whole disk.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** `given` (relative to the data folder, or absolute inside it) as a path, or why it is refused. */
export function insideDataFolder(userDataDir: string | null, given: string, what: string): { path: string } | { refused: string } {
  if (!userDataDir) return { refused: `${what} "${given}" cannot be used: this engine runs without a user data folder, and files are only read or written inside one` };
  const base = path.resolve(userDataDir);
  const full = path.resolve(base, given);
  if (!within(base, full)) return { refused: `${what} "${given}" is outside the user data folder ${base}: files are only read or written inside it` };
  // A link inside the folder that points out of it is outside too.
  const realBase = existsSync(base) ? realpathSync(base) : base;
  let existing = full;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const real = realpathSync(existing);
  if (!within(realBase, real)) return { refused: `${what} "${given}" leads outside the user data folder ${base} (through ${existing}): files are only read or written inside it` };
  return { path: full };
}

function within(base: string, p: string): boolean {
  const rel = path.relative(base, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
