// Light or dark: the system's choice unless the user picked one (kept in this browser).
import { useEffect, useSyncExternalStore } from 'react';
import { announceThemeChange } from '../plot/chart-theme';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'benchscope.theme';
const listeners = new Set<() => void>();

function stored(): ThemeChoice {
  const v = globalThis.localStorage?.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY); else localStorage.setItem(KEY, choice);
  for (const l of listeners) l();
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, stored);
}

const media = () => globalThis.matchMedia?.('(prefers-color-scheme: light)');

function systemTheme(): 'light' | 'dark' {
  return media()?.matches ? 'light' : 'dark';
}

/** The theme in effect, written on the document element (`data-theme`) for the style sheet. */
export function useTheme(): 'light' | 'dark' {
  const choice = useThemeChoice();
  const system = useSyncExternalStore((l) => {
    const m = media();
    m?.addEventListener('change', l);
    return () => m?.removeEventListener('change', l);
  }, systemTheme);
  const theme = choice === 'system' ? system : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    announceThemeChange();
  }, [theme]);
  return theme;
}
