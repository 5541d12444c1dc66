// The capture requests (recordings, scope triggers, acquisitions, replays): their
// entries in the hub's handler table, params as the contract's schemas parsed them.
import type { HandlerTable } from '../../shared/api/contract';
import type { RecordingRequestSchemas, ReplayRequestSchemas, TriggerRequestSchemas } from '../../shared/api/capture';
import type { Acquisitions } from '../datalog/acquisitions';
import type { Recordings } from './recordings';
import type { Replays } from './replay';

export type CaptureMethod = keyof typeof RecordingRequestSchemas | keyof typeof TriggerRequestSchemas | keyof typeof ReplayRequestSchemas;

export function captureHandlers(recordings: Recordings, acquisitions: Acquisitions, replays: Replays) {
  return {
    startRecording: (p) => recordings.start(p),
    stopRecording: () => recordings.stop(),
    listRecordings: (p) => recordings.list(p.folder),
    renameRecording: async (p) => { await recordings.rename(p.name, p.newName, p.folder); return null; },
    deleteRecording: async (p) => { await recordings.remove(p.name, p.folder); return null; },
    exportRecordingCsv: (p) => recordings.exportCsv(p.name, p.folder, p.path),
    exportSignalsCsv: (p) => recordings.signalsCsv(p.signalIds, p.t0, p.t1),
    armTrigger: (p) => acquisitions.arm(p),
    disarmTrigger: (p) => { acquisitions.disarm(p.triggerId); return null; },
    listTriggers: () => acquisitions.statuses(),
    listAcquisitions: () => acquisitions.list(),
    getAcquisition: (p) => acquisitions.get(p.id),
    saveAcquisition: (p) => acquisitions.save(p.id, p.name),
    deleteAcquisition: async (p) => { await acquisitions.remove(p.id); return null; },
    exportAcquisitionCsv: (p) => acquisitions.exportCsv(p.id, p.path),
    exportAcquisitionMcap: async (p) => {
      // The folder is checked before the acquisition is looked up: a refused path says so first.
      if (p.folder !== undefined) recordings.folder(p.folder);
      return recordings.writeAcquisition(await acquisitions.get(p.id), p.name, p.folder);
    },
    openReplay: (p) => replays.openReplay(p),
    controlReplay: (p) => replays.control(p),
    closeReplay: async (p) => { await replays.close(p.replayId); return null; },
    listReplays: () => replays.list(),
    replayConsole: (p) => replays.console(p.replayId, p.limit ?? 200),
  } satisfies HandlerTable<CaptureMethod>;
}
