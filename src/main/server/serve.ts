export interface ServeOptions { files: string[]; port: number; roots?: string[]; signal: AbortSignal }
export async function serve(_options: ServeOptions): Promise<void> {
  throw new Error('serve: not implemented yet');
}
