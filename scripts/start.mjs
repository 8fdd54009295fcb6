#!/usr/bin/env node
// `npm start [-- FILE…]`: builds the app, then opens it in Electron, or, where
// Electron cannot run (no binary, no display), serves it for a browser on this
// machine instead. It never ends with a stack trace: every failure is one line.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, constants, copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeElectron } from './electronBinary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE = 'coords_1k.h5';

function say(line) {
  process.stdout.write(`h5blocks: ${line}\n`);
}

function fail(line) {
  process.stderr.write(`h5blocks: ${line}\n`);
  process.exit(1);
}

/** electron-vite build, quiet unless it fails (then its own output is shown); false when it failed. */
function build() {
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  if (!existsSync(cli)) fail('electron-vite is not installed; run `npm install` first');
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status === 0) return true;
  process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
  return false;
}

/** The folder the desktop app keeps its state in (see src/main/app/userData.ts). */
function userDataDir() {
  if (process.env.H5BLOCKS_USER_DATA) return process.env.H5BLOCKS_USER_DATA;
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'h5blocks');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'h5blocks');
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'h5blocks');
}

/** The sample, copied where runs may write into it (the same copy the desktop app opens); the resource stays pristine. */
function sampleCopy() {
  const folder = join(userDataDir(), 'samples');
  const target = join(folder, SAMPLE);
  if (!existsSync(target)) {
    mkdirSync(folder, { recursive: true });
    copyFileSync(join(root, 'resources', 'sample', SAMPLE), target, constants.COPYFILE_EXCL);
    chmodSync(target, 0o644);
  }
  return target;
}

/** Runs a child to its end with the terminal's Ctrl+C going to it (it cleans up), and exits with its status. */
function runToEnd(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  // Ctrl+C reaches the child directly (same process group); this process just waits for it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => fail(`could not start ${command}: ${error.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function main() {
  const files = process.argv.slice(2).filter((arg) => arg !== '--').map((arg) => resolve(arg));
  const missing = files.find((file) => !existsSync(file));
  if (missing) fail(`${missing}: no such file`);
  if (!build()) fail('the build failed (see the messages above); nothing was started');

  const electron = probeElectron(root);
  if (electron.ok) {
    say(`starting Electron ${electron.version}${files.length ? ` with ${files.join(', ')}` : ''}`);
    runToEnd(electron.path, ['.', ...files]);
    return;
  }
  // One line, then `serve` prints the URL, the files it opened and how to stop it.
  say(`Electron could not be started here: ${electron.reason}. Serving the app for a browser instead.`);
  const served = files.length > 0 ? files : [sampleCopy()];
  runToEnd(process.execPath, [join(root, 'bin', 'h5blocks.js'), 'serve', ...served]);
}

try {
  main();
} catch (error) {
  fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
}
