// Runs test/keychain/fixtures/keychain-probe.ts in a child process with a chosen environment.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const probeScript = fileURLToPath(new URL('./fixtures/keychain-probe.ts', import.meta.url));
export const withSecretService = fileURLToPath(
  new URL('../../scripts/with-secret-service.sh', import.meta.url),
);
export const busWithoutSecretService = fileURLToPath(
  new URL('./fixtures/bus-without-secret-service.conf', import.meta.url),
);

export type ProbeOutcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

export interface ProbeRun {
  operation: 'probe' | 'create' | 'read' | 'delete' | 'lock-then-read';
  service: string;
  account: string;
  /** Runs the probe under this command, e.g. ['dbus-run-session', '--']. */
  wrapper?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function runKeychainProbe(options: ProbeRun): Promise<ProbeOutcome> {
  const [command, ...args] = [
    ...(options.wrapper ?? []),
    process.execPath,
    probeScript,
    options.operation,
    options.service,
    options.account,
  ];
  const { stdout } = await run(command!, args, { env: options.env ?? process.env, timeout: 60_000 });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as ProbeOutcome;
}
