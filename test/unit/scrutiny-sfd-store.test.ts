// Installed firmware descriptions on disk: named by firmware id, validated before they
// are kept, refused without a data folder, a damaged installed file named in the error.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emulatorSfd } from '../../main/protocols/scrutiny/emulator-sfd';
import { EMU_FIRMWARE_ID } from '../../main/protocols/scrutiny/emulator-memory';
import { installSfd, listInstalledSfd, readInstalledSfd, SFD_FOLDER, uninstallSfd } from '../../main/protocols/scrutiny/sfd-store';

describe('installed firmware descriptions', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(path.join(tmpdir(), 'sfd-store-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('keeps a valid description as <firmwareid>.sfd and finds it by firmware id', async () => {
    expect(await readInstalledSfd(dir, EMU_FIRMWARE_ID)).toBeNull();
    const r = await installSfd(dir, emulatorSfd(), 'whatever-name.sfd');
    expect(r.firmwareId).toBe(EMU_FIRMWARE_ID);
    expect(await readdir(path.join(dir, SFD_FOLDER))).toEqual([`${EMU_FIRMWARE_ID}.sfd`]);
    const d = await readInstalledSfd(dir, EMU_FIRMWARE_ID);
    expect(d!.variables.get('/global/demo/sine')?.typeName).toBe('float32');
    expect((await listInstalledSfd(dir)).map((x) => x.firmwareId)).toEqual([EMU_FIRMWARE_ID]);
    await uninstallSfd(dir, EMU_FIRMWARE_ID);
    expect(await listInstalledSfd(dir)).toEqual([]);
  });

  it('refuses a broken file, a missing data folder and ids that are not file names', async () => {
    await expect(installSfd(dir, Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0), 'truncated.sfd')).rejects.toThrow(/truncated\.sfd/);
    expect(await readdir(dir)).toEqual([]);
    await expect(installSfd(null, emulatorSfd(), 'x.sfd')).rejects.toThrow(/without a user data folder/);
    expect(await readInstalledSfd(null, EMU_FIRMWARE_ID)).toBeNull();
    expect(await readInstalledSfd(dir, '../../etc/passwd')).toBeNull();
    await expect(uninstallSfd(dir, '..')).rejects.toThrow(/not a firmware id that can name a file/);
  });

  it('names a damaged installed file, and leaves it out of the list', async () => {
    await installSfd(dir, emulatorSfd(), 'a.sfd');
    const file = path.join(dir, SFD_FOLDER, `${EMU_FIRMWARE_ID}.sfd`);
    await writeFile(file, 'garbage');
    await expect(readInstalledSfd(dir, EMU_FIRMWARE_ID)).rejects.toThrow(new RegExp(`${EMU_FIRMWARE_ID}\\.sfd`));
    expect(await listInstalledSfd(dir)).toEqual([]);
  });
});
