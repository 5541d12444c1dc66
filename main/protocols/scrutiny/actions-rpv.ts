// RPV actions: list the device's Runtime Published Values, read them (batched to fit the
// device's buffers) and write one, checked against its type's range.
import { ApiError } from '../../../shared/api/errors';
import type { ScrutinyArgs as Args } from './actions';
import { requests, responses, walkRpvValues } from './messages';
import type { DeviceDescription } from './device-description';
import type { ScrutinySession } from './session';
import { isNumericType, typeName, typeSize } from './value-types';
import { checkWriteValue, typeRange } from './write-value';

export class RpvActions {
  constructor(private readonly s: ScrutinySession) {}

  async listRpvs(d: DeviceDescription) {
    return d.rpvs.map((r) => ({ id: r.id, name: r.name, type: typeName(r.type), signalId: r.signalId }));
  }

  async readRpv(d: DeviceDescription, a: Args<'readRpv'>) {
    const ids = a.ids ?? d.rpvs.map((r) => r.id);
    for (const id of ids) {
      if (this.s.rpvType(id) < 0) throw new ApiError('InvalidRequest', `the device has no RPV 0x${id.toString(16)}`);
    }
    const values: { id: number; name: string; type: string; value: number }[] = [];
    let batch: number[] = [];
    let resp = 0;
    const flush = async () => {
      if (!batch.length) return;
      const payload = await this.s.request(requests.readRpv(batch));
      const err = walkRpvValues(payload, (id) => this.s.rpvType(id), (id, value) => {
        values.push({ id, name: `/rpv/x${id.toString(16).toUpperCase().padStart(4, '0')}`, type: typeName(this.s.rpvType(id)), value });
      });
      if (err) throw new ApiError('OperationFailure', err);
      batch = [];
      resp = 0;
    };
    for (const id of ids) {
      const size = 2 + typeSize(this.s.rpvType(id));
      if ((batch.length + 1) * 2 > d.params.rxBufferSize || resp + size > d.params.txBufferSize) await flush();
      batch.push(id);
      resp += size;
    }
    await flush();
    return { values };
  }

  async writeRpv(d: DeviceDescription, a: Args<'writeRpv'>) {
    if (!d.features.memoryWrite) throw new ApiError('InvalidRequest', 'the device does not allow writes (SupportedFeatures bit 7 is clear): not sent');
    const type = this.s.rpvType(a.id);
    if (type < 0) throw new ApiError('InvalidRequest', `the device has no RPV 0x${a.id.toString(16)}`);
    if (!isNumericType(type)) throw new ApiError('InvalidRequest', `RPV 0x${a.id.toString(16)} is a ${typeName(type)}: not writable as a number`);
    const value = checkWriteValue(typeof a.value === 'boolean' ? (a.value ? 1 : 0) : a.value, typeRange(type), a.saturate);
    const got = this.s.parsed(responses.writeRpv(await this.s.request(requests.writeRpv([{ id: a.id, type, value }]))));
    if (got.length !== 1 || got[0]!.id !== a.id || got[0]!.size !== typeSize(type)) {
      throw new ApiError('OperationFailure', `WriteRPV response ${JSON.stringify(got)} (expected id 0x${a.id.toString(16)} size ${typeSize(type)})`);
    }
    return { id: a.id, type: typeName(type), written: value };
  }
}
