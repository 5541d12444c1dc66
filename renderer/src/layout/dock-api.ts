// What the layout menu may ask of the dock, set while the dock is built.
import { useSyncExternalStore } from 'react';
import type { Layout, PanelKind } from '../../../shared/api/layout';

export interface DockControls {
  /** Shows a saved or imported layout, with its plots. */
  apply(layout: Layout): void;
  /** The layout on screen, with the plots it shows. */
  snapshot(): Layout;
  resetToDefault(): void;
  addPlot(): void;
  /** Panels the bench could show that the layout does not have (closed ones), to open again. */
  closedPanels(): ClosedPanel[];
  openPanel(panel: ClosedPanel): void;
}

export interface ClosedPanel { id: string; kind: PanelKind; title: string; session?: string }

let controls: DockControls | null = null;
const listeners = new Set<() => void>();

export function setDockApi(c: DockControls | null): void {
  controls = c;
  for (const l of listeners) l();
}

export function useDockControls(): DockControls | null {
  return useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, () => controls);
}
