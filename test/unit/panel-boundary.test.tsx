// @vitest-environment happy-dom
// A protocol panel that cannot load its code, or throws, fails in place: the alert
// names the panel and the reason, and the rest of the page stays.
import { lazy, Suspense } from 'react';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PanelBoundary } from '../../renderer/src/panels/PanelBoundary';

afterEach(cleanup);

// As the registry declares panels: once, at module level.
const Missing = lazy(() => Promise.reject(new Error('Failed to fetch dynamically imported module: ./assets/KatcpPanel.js')));
function Broken(): never {
  throw new Error('sensor list is not an array');
}

describe('panel boundary', () => {
  it('shows a panel whose code fails to load, or that throws, as an error in place', async () => {
    // React logs the errors it catches: quiet for this test.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      render(
        <div>
          <p>sessions list</p>
          <PanelBoundary name="katcp">
            <Suspense fallback={<p>loading</p>}><Missing /></Suspense>
          </PanelBoundary>
          <PanelBoundary name="dcs"><Broken /></PanelBoundary>
          <PanelBoundary name="hexrot"><p>hexrot panel</p></PanelBoundary>
        </div>,
      );
      await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(2));
      const alerts = screen.getAllByRole('alert');
      expect(alerts.map((a) => a.querySelector('.field-error')!.textContent)).toEqual([
        'The katcp panel failed: Failed to fetch dynamically imported module: ./assets/KatcpPanel.js',
        'The dcs panel failed: sensor list is not an array',
      ]);
      expect(screen.getByText('sessions list')).toBeTruthy();
      expect(screen.getByText('hexrot panel')).toBeTruthy();
    } finally {
      quiet.mockRestore();
    }
  });
});
