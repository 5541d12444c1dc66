// The capture requests (recordings, scope triggers, acquisitions), dispatched for
// the hub: one switch here keeps the hub's own dispatch to one line.
import type { Method, ParsedParams } from '../../shared/api/contract';
import { RecordingRequestSchemas, TriggerRequestSchemas, type TriggerSpec } from '../../shared/api/capture';
import type { Acquisitions } from '../datalog/acquisitions';
import type { Recordings } from './recordings';

export type CaptureMethod = keyof typeof RecordingRequestSchemas | keyof typeof TriggerRequestSchemas;

export function isCaptureMethod(m: Method): m is CaptureMethod {
  return Object.prototype.hasOwnProperty.call(RecordingRequestSchemas, m) || Object.prototype.hasOwnProperty.call(TriggerRequestSchemas, m);
}

export async function dispatchCapture<M extends CaptureMethod>(recordings: Recordings, acquisitions: Acquisitions, method: M, params: ParsedParams<M>): Promise<unknown> {
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
  }
}
