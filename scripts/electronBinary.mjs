// Whether the Electron binary can run here, and if not, why, in words a user
// can act on. Shared by scripts/start.mjs and the Electron smoke test.
//
// It never calls require('electron'): when the binary is missing, that starts
// a download (which hangs or fails on a machine without internet access).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} projectRoot
 * @returns {{ ok: true, path: string, version: string } | { ok: false, reason: string }}
 */
export function probeElectron(projectRoot, { timeoutMs = 5000, env = process.env, platform = process.platform } = {}) {
  const packageDir = join(projectRoot, 'node_modules', 'electron');
  if (!existsSync(join(packageDir, 'package.json'))) {
    return { ok: false, reason: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = join(packageDir, 'path.txt');
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!existsSync(pathFile) && !override) {
    return { ok: false, reason: 'the Electron binary was never downloaded (its install step could not fetch it; node_modules/electron/path.txt is missing)' };
  }
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const path = override ? join(override, relative) : join(packageDir, 'dist', relative);
  if (!existsSync(path)) return { ok: false, reason: `the Electron binary is missing (${path})` };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { ok: false, reason: 'there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  }
  const probe = spawnSync(path, ['--version'], { timeout: timeoutMs, encoding: 'utf8', env: { ...env, ELECTRON_RUN_AS_NODE: undefined } });
  if (probe.error) {
    const why = /** @type {NodeJS.ErrnoException} */ (probe.error).code === 'ETIMEDOUT' ? `did not answer within ${timeoutMs / 1000} s` : probe.error.message;
    return { ok: false, reason: `the Electron binary does not run (${why})` };
  }
  if (probe.status !== 0) {
    const detail = `${probe.stderr ?? ''}`.split('\n').find((line) => line.trim() !== '')?.trim() ?? `exit status ${probe.status}`;
    return { ok: false, reason: `the Electron binary does not run (${detail})` };
  }
  return { ok: true, path, version: `${probe.stdout}`.trim() };
}
