// Installed firmware descriptions: kept in the user data folder as
// scrutiny-sfd/<firmwareid>.sfd, so that a device is described as soon as it tells
// its firmware id on connect. A file is parsed before it is installed: a broken one
// never lands in the folder.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseSfd, SfdError, type FirmwareDescription } from './sfd';

export const SFD_FOLDER = 'scrutiny-sfd';
const SAFE_ID = /^[0-9A-Za-z_.-]{1,128}$/;

export interface InstalledSfd {
  firmwareId: string;
  fileName: string;
  bytes: number;
  installedAt: number;
  variables: number;
  aliases: number;
  metadata: Record<string, unknown>;
}

function folderOf(userDataDir: string | null): string {
  if (!userDataDir) throw new SfdError('this engine runs without a user data folder: firmware descriptions cannot be installed');
  return path.join(userDataDir, SFD_FOLDER);
}

function fileOf(userDataDir: string | null, firmwareId: string): string {
  if (!SAFE_ID.test(firmwareId) || firmwareId.startsWith('.')) throw new SfdError(`"${firmwareId}" is not a firmware id that can name a file`);
  return path.join(folderOf(userDataDir), `${firmwareId}.sfd`);
}

/** The installed description of a firmware, or null when none is installed (or there is no data folder). */
export async function readInstalledSfd(userDataDir: string | null, firmwareId: string): Promise<FirmwareDescription | null> {
  if (!userDataDir || !SAFE_ID.test(firmwareId)) return null;
  const file = fileOf(userDataDir, firmwareId);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SfdError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseSfd(bytes, file);
}

/** Validates and installs a description under its own firmware id; returns what was installed. */
export async function installSfd(userDataDir: string | null, bytes: Uint8Array, fileName: string): Promise<InstalledSfd & { description: FirmwareDescription }> {
  const folder = folderOf(userDataDir);
  const description = parseSfd(bytes, fileName);
  const file = fileOf(userDataDir, description.firmwareId);
  await fs.mkdir(folder, { recursive: true });
  await fs.writeFile(`${file}.tmp`, bytes);
  await fs.rename(`${file}.tmp`, file);
  return {
    firmwareId: description.firmwareId, fileName: path.basename(file), bytes: bytes.length, installedAt: Date.now() / 1000,
    variables: description.variables.size, aliases: description.aliases.size, metadata: description.metadata, description,
  };
}

export async function listInstalledSfd(userDataDir: string | null): Promise<InstalledSfd[]> {
  if (!userDataDir) return [];
  const folder = folderOf(userDataDir);
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const out: InstalledSfd[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith('.sfd')) continue;
    const file = path.join(folder, n);
    try {
      const [bytes, st] = await Promise.all([fs.readFile(file), fs.stat(file)]);
      const d = parseSfd(bytes, file);
      out.push({ firmwareId: d.firmwareId, fileName: n, bytes: bytes.length, installedAt: st.mtimeMs / 1000, variables: d.variables.size, aliases: d.aliases.size, metadata: d.metadata });
    } catch {
      // A file that no longer parses (edited by hand) is not offered.
    }
  }
  return out;
}

export async function uninstallSfd(userDataDir: string | null, firmwareId: string): Promise<void> {
  const file = fileOf(userDataDir, firmwareId);
  try {
    await fs.unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SfdError(`no firmware description installed for ${firmwareId}`);
    throw new SfdError(`cannot remove ${file}: ${(e as Error).message}`);
  }
}
