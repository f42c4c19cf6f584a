// The Synapse virtualenv the test homeserver runs from: pinned, cached across runs,
// and installed atomically so an interrupted install never looks complete.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

export const SYNAPSE_VERSION = '1.163.2';

export function synapseVenvDir(): string {
  const override = process.env['TESSERA_SYNAPSE_VENV'];
  if (override) return override;
  const cache = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(cache, 'tessera', `synapse-${SYNAPSE_VERSION}`);
}

export function venvPython(venvDir: string): string {
  return join(venvDir, 'bin', 'python');
}

/** Returns the venv directory, installing Synapse into it first when needed. */
export async function ensureSynapseVenv(venvDir: string = synapseVenvDir()): Promise<string> {
  if (await hasPinnedSynapse(venvDir)) return venvDir;

  process.stderr.write(
    `Installing Synapse ${SYNAPSE_VERSION} from PyPI into ${venvDir} (one time; takes a minute or two)...\n`,
  );
  // A sibling directory, so the final rename stays on one filesystem.
  const staging = `${venvDir}.partial-${process.pid}`;
  await mkdir(dirname(venvDir), { recursive: true });
  await removeAbandonedStaging(venvDir);
  try {
    await run(
      'python3',
      ['-m', 'venv', staging],
      'python3 -m venv failed (on Debian: apt-get install python3-venv)',
    );
    await run(
      venvPython(staging),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        // [oidc]: authlib, for the single sign-on tests' OpenID identity provider.
        `matrix-synapse[oidc]==${SYNAPSE_VERSION}`,
      ],
      `pip install matrix-synapse[oidc]==${SYNAPSE_VERSION} failed`,
    );
    // Only a complete install is ever moved to the path that is checked.
    await rm(venvDir, { recursive: true, force: true });
    await rename(staging, venvDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process may have finished the same install concurrently.
    if (await hasPinnedSynapse(venvDir)) return venvDir;
    throw error;
  }
  if (!(await hasPinnedSynapse(venvDir))) {
    throw new Error(`Synapse ${SYNAPSE_VERSION} was installed into ${venvDir} but cannot be imported`);
  }
  return venvDir;
}

/** Staging directories left by installs that were killed; a live installer's is kept. */
async function removeAbandonedStaging(venvDir: string): Promise<void> {
  const prefix = `${basename(venvDir)}.partial-`;
  for (const entry of await readdir(dirname(venvDir))) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (pid !== process.pid && isAlive(pid)) continue;
    await rm(join(dirname(venvDir), entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function hasPinnedSynapse(venvDir: string): Promise<boolean> {
  const python = venvPython(venvDir);
  if (!existsSync(python)) return false;
  try {
    await run(
      python,
      [
        '-c',
        // authlib too: a cache from before the SSO tests lacks it and is rebuilt.
        `import sys, synapse, authlib; sys.exit(0 if synapse.__version__ == ${JSON.stringify(SYNAPSE_VERSION)} else 1)`,
      ],
      'synapse import check failed',
    );
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: readonly string[], failure: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new Error(`${failure}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${failure} (exit ${code ?? signal}):\n${output.trim()}`));
    });
  });
}
