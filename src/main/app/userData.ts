import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_FOLDER_NAME = 'h5blocks';

/**
 * Where h5blocks keeps its state (recent files, run history, window size, the
 * sample): the folder Electron's app.getPath('userData') names for this app, so
 * the desktop app and `h5blocks serve` share one history. H5BLOCKS_USER_DATA
 * overrides it (tests, portable setups).
 */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.H5BLOCKS_USER_DATA) return env.H5BLOCKS_USER_DATA;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_FOLDER_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_FOLDER_NAME);
}
