// Helpers for the CAN tests: a socat pty pair, and links with a short backoff.
import { LinkSpec, type LinkConfigOf } from '../../shared/api/link-config';

export { ptyPair, type PtyPair } from '../support/pty-pair';

/** A CAN link configuration, validated by the same schema as the hub's. */
export function canConfig(c: Record<string, unknown>): LinkConfigOf<'can'> {
  const spec = LinkSpec.parse({ type: 'can', config: { txid: 0x100, rxid: 0x200, extended_id: false, fd: false, bitrate_switch: false, ...c } });
  return spec.config as LinkConfigOf<'can'>;
}
