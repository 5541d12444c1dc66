// The capture requests (recordings, scope triggers, acquisitions), dispatched for
// the hub: one switch here keeps the hub's own dispatch to one line.
import type { Method, ParsedParams } from '../../shared/api/contract';
import { RecordingRequestSchemas, ReplayRequestSchemas, TriggerRequestSchemas, type TriggerSpec } from '../../shared/api/capture';
import type { Acquisitions } from '../datalog/acquisitions';
import type { Recordings } from './recordings';
import type { Replays } from './replay';

export type CaptureMethod = keyof typeof RecordingRequestSchemas | keyof typeof TriggerRequestSchemas | keyof typeof ReplayRequestSchemas;

export function isCaptureMethod(m: Method): m is CaptureMethod {
  return [RecordingRequestSchemas, TriggerRequestSchemas, ReplayRequestSchemas].some((schemas) => Object.prototype.hasOwnProperty.call(schemas, m));
}

export async function dispatchCapture<M extends CaptureMethod>(recordings: Recordings, acquisitions: Acquisitions, replays: Replays, method: M, params: ParsedParams<M>): Promise<unknown> {
  const p = params as Record<string, never>;
  switch (method as CaptureMethod) {
    case 'startRecording': return recordings.start(params as ParsedParams<'startRecording'>);
    case 'stopRecording': return recordings.stop();
    case 'listRecordings': return recordings.list(p.folder);
    case 'renameRecording': await recordings.rename(p.name, p.newName, p.folder); return null;
    case 'deleteRecording': await recordings.remove(p.name, p.folder); return null;
    case 'exportRecordingCsv': return recordings.exportCsv(p.name, p.folder, p.path);
    case 'exportSignalsCsv': return recordings.signalsCsv(p.signalIds as number[], p.t0, p.t1);
    case 'armTrigger': return acquisitions.arm(params as TriggerSpec);
    case 'disarmTrigger': acquisitions.disarm(p.triggerId); return null;
    case 'listTriggers': return acquisitions.statuses();
    case 'listAcquisitions': return acquisitions.list();
    case 'getAcquisition': return acquisitions.get(p.id);
    case 'saveAcquisition': return acquisitions.save(p.id, p.name);
    case 'deleteAcquisition': await acquisitions.remove(p.id); return null;
    case 'exportAcquisitionCsv': return acquisitions.exportCsv(p.id, p.path);
    case 'exportAcquisitionMcap': {
      // The folder is checked before the acquisition is looked up: a refused path says so first.
      if (p.folder !== undefined) recordings.folder(p.folder as string);
      return recordings.writeAcquisition(await acquisitions.get(p.id), p.name, p.folder);
    }
    case 'openReplay': return replays.openReplay(params as ParsedParams<'openReplay'>);
    case 'controlReplay': return replays.control(params as ParsedParams<'controlReplay'>);
    case 'closeReplay': await replays.close(p.replayId); return null;
    case 'listReplays': return replays.list();
    case 'replayConsole': return replays.console(p.replayId, (p.limit as number | undefined) ?? 200);
  }
}
