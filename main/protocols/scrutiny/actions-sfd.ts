// Firmware description (.sfd) actions: load one for this session, say what is loaded, list
// its variables, aliases and the device's RPVs, and install or remove descriptions in the
// data folder's store (an installed one that matches the device is loaded at once).
import { readFile } from 'node:fs/promises';
import { ApiError } from '../../../shared/api/errors';
import type { VariableEntry } from '../../../shared/api/scrutiny';
import { insideDataFolder } from '../../files/data-folder';
import type { ScrutinyArgs as Args } from './actions';
import type { ScrutinySession } from './session';
import { parseSfd, SfdError } from './sfd';
import { installSfd, listInstalledSfd, uninstallSfd } from './sfd-store';
import { typeName } from './value-types';

export class SfdActions {
  constructor(private readonly s: ScrutinySession) {}

  async loadSfd(a: Args<'loadSfd'>) {
    const fileName = a.fileName ?? a.path ?? 'uploaded.sfd';
    let bytes: Uint8Array;
    if (a.path !== undefined) {
      const inside = insideDataFolder(this.s.ctx.userDataDir ?? null, a.path, 'SFD path');
      if ('refused' in inside) throw new ApiError('InvalidRequest', inside.refused);
      try {
        bytes = await readFile(inside.path);
      } catch (e) {
        throw new ApiError('InvalidRequest', `cannot read ${a.path}: ${(e as Error).message}`);
      }
    } else {
      bytes = Buffer.from(a.base64!, 'base64');
    }
    try {
      const sfd = parseSfd(bytes, fileName);
      const warning = this.s.loadSfd(sfd);
      return { firmwareId: sfd.firmwareId, variables: sfd.variables.size, aliases: sfd.aliases.size, metadata: sfd.metadata, warning };
    } catch (e) {
      if (e instanceof SfdError) throw new ApiError('InvalidRequest', e.message);
      throw e;
    }
  }

  async sfdInfo() {
    const sfd = this.s.sfd;
    if (!sfd) return null;
    return { fileName: sfd.fileName, firmwareId: sfd.firmwareId, endianness: sfd.endianness, metadata: sfd.metadata, variables: sfd.variables.size, aliases: sfd.aliases.size };
  }

  /** The variable tree as a flat, sorted list of leaves (variables, aliases, RPVs), filtered by a substring. */
  async listVariables(a: Args<'listVariables'>) {
    const sfd = this.s.sfd;
    const f = a.filter?.toLowerCase();
    const out: VariableEntry[] = [];
    const add = (entry: VariableEntry) => {
      if (!f || entry.path.toLowerCase().includes(f)) out.push(entry);
    };
    for (const v of sfd?.variables.values() ?? []) {
      add({
        path: v.path, kind: 'var', type: v.typeName, address: v.address,
        ...(v.bitSize !== undefined ? { bitOffset: v.bitOffset ?? 0, bitSize: v.bitSize } : {}),
        ...(v.enum ? { enum: v.enum } : {}), ...(v.pointer ? { pointer: v.pointer } : {}),
      });
    }
    for (const al of sfd?.aliases.values() ?? []) add({ path: al.path, kind: 'alias', target: al.target, targetType: al.targetType, gain: al.gain, offset: al.offset, min: al.min, max: al.max });
    for (const r of (this.s.device ?? null)?.rpvs ?? []) add({ path: r.name, kind: 'rpv', type: typeName(r.type), id: r.id });
    out.sort((x, y) => x.path.localeCompare(y.path));
    return { total: out.length, entries: out.slice(0, a.limit) };
  }


  async installSfd(a: Args<'installSfd'>) {
    const bytes = Buffer.from(a.base64, 'base64');
    const r = await installSfd(this.s.ctx.userDataDir ?? null, bytes, a.fileName ?? 'uploaded.sfd');
    const device = this.s.device;
    let loaded = false;
    if (device && device.discover.firmwareId === r.firmwareId) {
      this.s.loadSfd(r.description);
      loaded = true;
    }
    const { description: _d, ...info } = r;
    return { ...info, loaded };
  }

  async listInstalledSfd() {
    return { installed: await listInstalledSfd(this.s.ctx.userDataDir ?? null), current: this.s.sfd?.firmwareId ?? null };
  }

  async uninstallSfd(a: Args<'uninstallSfd'>) {
    await uninstallSfd(this.s.ctx.userDataDir ?? null, a.firmwareId);
    return { firmwareId: a.firmwareId };
  }
}
