// CRC-32 of MCAP chunk records, and the words a reader uses when a chunk's records do
// not match the CRC stored with them.
//
// node:zlib's crc32 (zlib's own, the polynomial the MCAP spec names) rather than a
// table in JavaScript or a package: it is native, about 3.5 GB/s here against 1.2
// GB/s for the slicing-by-8 @foxglove/crc that @mcap/core reads with, and the
// recorder at 2 M samples/s fills about 90 MB/s of chunks, so it costs it under 3 %.
import { crc32 } from 'node:zlib';
import { nsToSeconds } from './mcap-format';

export function mcapCrc(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

/** Where a damaged chunk is: its place in the file and the times of its messages. */
export interface ChunkPlace {
  /** 1 for the file's first chunk. */
  ordinal?: number;
  /** Byte offset of the chunk record in the file. */
  offset?: number;
  messageStartTime: bigint;
  messageEndTime: bigint;
}

export class DamagedChunkError extends Error {}

const hex = (crc: number): string => `0x${crc.toString(16).padStart(8, '0')}`;
const iso = (ns: bigint): string => {
  const t = new Date(nsToSeconds(ns) * 1000);
  return Number.isNaN(t.getTime()) ? `${ns} ns` : t.toISOString();
};

export function damagedChunk(file: string, place: ChunkPlace, stored: number, computed: number): DamagedChunkError {
  const which = [
    place.ordinal !== undefined ? `chunk ${place.ordinal}` : 'the chunk',
    place.offset !== undefined ? ` at byte ${place.offset}` : '',
  ].join('');
  return new DamagedChunkError(
    `${file}: ${which} (messages from ${iso(place.messageStartTime)} to ${iso(place.messageEndTime)}) fails its CRC check `
    + `(stored ${hex(stored)}, computed ${hex(computed)}): the file is damaged there and its samples are not used`,
  );
}
