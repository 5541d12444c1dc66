import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is served from file:// by Electron and from / by the headless
// host, so asset URLs must be relative.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
  },
});
