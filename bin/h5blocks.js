#!/usr/bin/env node
// The CLI is built by `npm run build` (electron-vite) into out/main/cli.js.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('h5blocks: not built yet; run `npm run build` (npm install does it) first\n');
  process.exit(2);
}
await import(cli);
