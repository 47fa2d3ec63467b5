import {defineConfig} from 'vite';

// The Python server serves web/dist at "/"; in dev, /api is proxied to it.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // Three pages: HQ's map (index.html), HQ's people and rights (rights.html), the phone page (volunteer.html).
      input: {hq: 'index.html', volunteer: 'volunteer.html', rights: 'rights.html'},
      onwarn(warning, warn) {
        // zod (pulled in by loaders.gl) has /*@__PURE__*/ comments Rollup cannot place: harmless.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
      output: {
        manualChunks: id => (id.includes('node_modules') ? 'vendor' : undefined)
      }
    }
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      '/api': {target: 'http://127.0.0.1:8000', changeOrigin: false}
    }
  }
});
