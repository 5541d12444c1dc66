// @vitest-environment happy-dom
// The capture view's page around its chart (the chart itself is checked in Chromium):
// it says how many signals it holds, names a channel whose samples the ring dropped,
// and gives each signal its legend entry with its unit.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Acquisition } from '../../shared/api/capture';
import { CaptureView } from '../../renderer/src/capture/CaptureView';
import { stubCanvas } from './canvas-stub';

stubCanvas();
// uPlot builds its lines as Path2D, which happy-dom lacks: paths that record nothing, as the stub context draws nothing.
class NoPath {
  constructor() {
    return new Proxy(this, { get: (t, k) => (k in t ? (t as Record<string | symbol, unknown>)[k] : () => undefined) });
  }
}
(globalThis as { Path2D?: unknown }).Path2D ??= NoPath;
const T0 = 1_700_000_000;

const capture: Acquisition = {
  id: 'c1', name: 'Rig/volts rising 0.5', triggerId: 't', triggerTime: T0 + 0.01, triggerIndex: 1, forced: false,
  signal: { signalId: 1, sessionId: 'r', session: 'Rig', name: 'volts', unit: 'V' }, condition: 'rising', level: 0.5, level2: null,
  samples: 3, saved: false, createdAt: T0, times: [T0, T0 + 0.01, T0 + 0.02], values: [0, 1, 1], ownTimes: true,
  channels: [
    { name: 'amps', unit: 'A', signalId: 2, sessionId: 'r', session: 'Rig' },
    { name: 'fast', unit: null, signalId: 3, sessionId: 'r', session: 'Rig', lostSamples: 296 },
  ],
  channelTimes: [[T0 + 0.005, T0 + 0.015], [T0 + 0.019]],
  channelValues: [[2, 3], [7]],
};

describe('capture view', () => {
  afterEach(cleanup);

  it('holds every signal, with a legend entry each, and names what the ring dropped', () => {
    const { container } = render(<CaptureView capture={capture} onClose={() => undefined} />);
    const view = screen.getByTestId('capture-view');
    expect(view.getAttribute('data-signals')).toBe('3');
    expect(view.textContent).toContain('3 signals, each at its own rate (not resampled)');
    expect(screen.getByTestId('capture-lost').textContent).toBe('Lost: fast 296 samples');
    const labels = [...container.querySelectorAll('.u-legend .u-series .u-label')].map((e) => e.textContent);
    expect(labels).toEqual(['from trigger', 'volts [V]', 'amps [A]', 'fast']);
  });

  it('a capture of one signal, nothing lost, says neither', () => {
    const { channels: _c, channelTimes: _t, channelValues: _v, ownTimes: _o, ...single } = capture;
    render(<CaptureView capture={single} onClose={() => undefined} />);
    expect(screen.getByTestId('capture-view').textContent).not.toContain('signals, each');
    expect(screen.queryByTestId('capture-lost')).toBeNull();
  });
});
