import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when the module with this import.meta.url is the script node (or tsx) was asked to run. */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  return !!script && pathToFileURL(path.resolve(script)).href === metaUrl;
}
