// Every file of a profile folder, for tests that scan what Tessera leaves on disk.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

/** The files under `dir` whose bytes contain `text` (as UTF-8). */
export function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text);
  return filesUnder(dir).filter((file) => readFileSync(file).includes(needle));
}
