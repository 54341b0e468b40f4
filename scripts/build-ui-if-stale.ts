/**
 * `npm start` / `npm run demo` run this first: builds the web UI (vite build → ui/dist) when the
 * build is missing or older than any UI source, the Vite config or the lockfile. A fresh
 * `npm install && npm start` therefore serves the UI without a separate build step.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const built = path.join(root, 'ui/dist/index.html');

function newest(dir: string): number {
  let max = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}

const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
const sourcesAt = Math.max(
  newest(path.join(root, 'ui')),
  ...['vite.config.mts', 'package-lock.json'].map((f) => fs.statSync(path.join(root, f)).mtimeMs),
);
if (builtAt >= sourcesAt) process.exit(0);
process.stdout.write(
  builtAt ? 'The web UI changed since its last build: running vite build…\n' : 'Building the web UI (vite build)…\n',
);
const vite = path.join(root, 'node_modules/vite/bin/vite.js');
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
