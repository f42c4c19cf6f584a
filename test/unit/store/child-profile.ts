// Runs fixtures/open-profile.ts in a separate Node process against a test profile.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Profile } from './store-fixture.ts';

const childScript = fileURLToPath(new URL('./fixtures/open-profile.ts', import.meta.url));

export interface ChildReport {
  opened: boolean;
  code?: string;
  message?: string;
}

export interface ChildProfile {
  child: ChildProcess;
  /** The child's one-line answer: opened, or the error code it got. */
  report: Promise<ChildReport>;
  exited: Promise<void>;
}

/** once: open and close; hold: open and keep it open; write-and-hold: also write a room first. */
export function startChildProfile(profile: Profile, mode: 'once' | 'hold' | 'write-and-hold'): ChildProfile {
  const child = spawn(process.execPath, [childScript, profile.path, mode], {
    env: { ...process.env, TESSERA_TEST_KEY: profile.key.toString('hex') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const report = new Promise<ChildReport>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as ChildReport));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, report, exited };
}
