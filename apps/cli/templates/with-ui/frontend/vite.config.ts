// Builds the UI as the UMD bundle the platform loads (frontend/dist/bundle.js, global ModuleUI),
// with React provided by the platform page.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    lib: { entry: 'index.tsx', name: 'ModuleUI', formats: ['umd'], fileName: () => 'bundle.js' },
    rollupOptions: {
      external: ['react', 'react-dom', 'react/jsx-runtime'],
      output: {
        globals: { react: 'React', 'react-dom': 'ReactDOM', 'react/jsx-runtime': 'React' },
      },
    },
  },
});
