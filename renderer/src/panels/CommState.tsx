// A session's device comm state as a coloured dot and a word.
import type { SessionStatus } from '../../../shared/api/contract';

const WORDS = { Disconnected: 'Disconnected', Connecting: 'Connecting', ConnectedReady: 'Connected' } as const;

export function CommState({ session }: { session: SessionStatus }) {
  const state = session.deviceCommState;
  // An open link whose device has not proved itself is not "Connecting": the link is there, the device is not understood yet.
  const linkOpen = state === 'Connecting' && session.deviceLink.operational;
  // Red when the link says why it is down; grey when it is simply not wanted.
  const tone = state === 'ConnectedReady' ? 'ok' : linkOpen ? 'open' : state === 'Connecting' ? 'busy' : session.deviceLink.lastError ? 'fault' : 'idle';
  return (
    <span className={`comm-state comm-${tone}`} data-testid="comm-state" data-comm-state={state} title={linkOpen ? (session.waitingFor ?? 'link open, device not ready') : undefined}>
      <i className="dot" aria-hidden="true" />
      {linkOpen ? 'Link open' : WORDS[state]}
    </span>
  );
}
