// @vitest-environment happy-dom
// The comm state word and the status panel for a session whose link is open but whose
// device has not sent anything understood yet.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../shared/api/contract';
import { CommState } from '../../renderer/src/panels/CommState';
import { SessionStatusPanel } from '../../renderer/src/panels/SessionStatusPanel';

afterEach(cleanup);

function session(over: Partial<SessionStatus> & { operational?: boolean; lastError?: string | null } = {}): SessionStatus {
  const { operational = true, lastError = null, ...rest } = over;
  return {
    sessionId: 's1', name: 'PSU', protocol: 'lines', deviceCommState: 'Connecting', deviceSessionId: null,
    datalogging: { state: 'NA', completionRatio: null }, sfdFirmwareId: null,
    deviceLink: { type: 'tcp', config: { host: '127.0.0.1', port: 5000 }, operational, demoMode: false, endpoint: 'tcp 127.0.0.1:5000', lastError },
    counters: { rxBytes: 0, txBytes: 0, rxMessages: 0, txMessages: 0, frameErrors: 0, resyncs: 0, droppedSamples: 0, rxBytesPerSec: 0, txBytesPerSec: 0, rxMessagesPerSec: 0, txMessagesPerSec: 0 },
    lastProtocolError: null, optionsRevision: 0, waitingFor: null,
    ...rest,
  };
}

const WAIT = 'link open, 241 lines not understood: line 241: expected a JSON object, got "a=239"';

describe('comm state of an open link without a valid message', () => {
  it('says "Link open", never "Connecting", with what it waits for as its title', () => {
    render(<CommState session={session({ waitingFor: WAIT })} />);
    const el = screen.getByTestId('comm-state');
    expect(el.textContent).toBe('Link open');
    expect(el.getAttribute('title')).toBe(WAIT);
    expect(el.className).toContain('comm-open');
  });

  it('still says "Connecting" while the link itself is not open', () => {
    render(<CommState session={session({ operational: false, lastError: 'connection refused (127.0.0.1:5000)' })} />);
    expect(screen.getByTestId('comm-state').textContent).toBe('Connecting');
  });

  it('the status panel shows what the session waits for', () => {
    render(<SessionStatusPanel session={session({ waitingFor: WAIT })} />);
    expect(screen.getByTestId('waiting-for').textContent).toBe(WAIT);
    expect(screen.getByTestId('session-status').textContent).not.toContain('Connecting');
  });

  it('a ready session shows no waiting row', () => {
    render(<SessionStatusPanel session={session({ deviceCommState: 'ConnectedReady', deviceSessionId: 'x' })} />);
    expect(screen.queryByTestId('waiting-for')).toBeNull();
  });
});
