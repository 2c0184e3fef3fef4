import { defineConfig } from 'vitest/config';

// The app is served by `ringtrace serve` at /, with the API under /api on the same origin.
// In development, `npm run dev` proxies /api to a local server (RINGTRACE_API, default :8080).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    // scripts/clean-dist.mjs empties dist/ but keeps the committed .gitkeep.
    emptyOutDir: false,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': process.env.RINGTRACE_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
