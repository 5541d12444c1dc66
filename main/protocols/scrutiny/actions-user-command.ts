// The user command: a device-defined request (subfunction and data) sent as it is, its
// answer returned as hex.
import { ApiError } from '../../../shared/api/errors';
import type { ScrutinyArgs as Args } from './actions';
import { fromHex, toHex } from './hex';
import { requests } from './messages';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';

export async function userCommand(s: ScrutinySession, d: DeviceDescription, a: Args<'userCommand'>) {
  if (!d.features.userCommand) throw new ApiError('InvalidRequest', 'the device does not support user commands (SupportedFeatures bit 5 is clear): not sent');
  const data = fromHex(a.hexData)!;
  if (data.length > d.params.rxBufferSize) throw new ApiError('InvalidRequest', `${data.length} bytes exceed the device's ${d.params.rxBufferSize}-byte receive buffer`);
  const reply = await s.request(requests.userCommand(a.subfunction, data));
  return { subfunction: a.subfunction, hexData: toHex(reply) };
}
