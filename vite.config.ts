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
    rolldownOptions: {
      output: {
        // The libraries apart from the workbench's own code: each chunk stays
        // small, and a change to the workbench leaves the libraries cached.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'uplot', test: /node_modules[\\/]uplot[\\/]/ },
            { name: 'zod', test: /node_modules[\\/]zod[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});
