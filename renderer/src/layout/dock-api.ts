// What the layout menu may ask of the dock, set while the dock is built.
import { useSyncExternalStore } from 'react';
import type { Layout } from '../../../shared/api/layout';

export interface DockControls {
  /** Shows a saved or imported layout, with its plots. */
  apply(layout: Layout): void;
  /** The layout on screen, with the plots it shows. */
  snapshot(): Layout;
  resetToDefault(): void;
  addPlot(): void;
}

let controls: DockControls | null = null;
const listeners = new Set<() => void>();

export function setDockApi(c: DockControls | null): void {
  controls = c;
  for (const l of listeners) l();
}

export function useDockControls(): DockControls | null {
  return useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, () => controls);
}
