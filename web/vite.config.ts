import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress.ts';

/** Where `npm run dev:web` sends GraphQL (HTTP and WebSocket). @default http://localhost:4000 (`API_URL`) */
const apiUrl = process.env.API_URL ?? 'http://localhost:4000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), precompress()],
  build: {
    // api/server.ts serves this folder at / (config WEB_ROOT).
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: {
    // Same-origin in dev as in production, so the client never needs CORS or a configured URL.
    proxy: { '/graphql': { target: apiUrl, ws: true } },
  },
});
