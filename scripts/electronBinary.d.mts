export type ElectronProbe = { ok: true; path: string; version: string } | { ok: false; reason: string };

export function probeElectron(
  projectRoot: string,
  options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform },
): ElectronProbe;
