import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import { z } from 'zod';
import './styles.css';
import { App } from './App';
import { startConnection } from './connection';

// zod probes for eval to speed up parsing; the CSP forbids eval, so skip the probe.
z.config({ jitless: true });
startConnection();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
