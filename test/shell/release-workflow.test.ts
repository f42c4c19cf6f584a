// The release workflow (.github/workflows/release.yml) passes actionlint, which also runs
// shellcheck over its scripts when shellcheck is installed, and has the shape issue 5 asks for.
// scripts/setup.sh --tests builds actionlint into the cache folder; CI must have it.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workflowFile = path.join(root, '.github/workflows/release.yml');

function findActionlint(): string | null {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const cached = path.join(cache, 'tessera', 'bin', 'actionlint');
  if (existsSync(cached)) return cached;
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, 'actionlint');
    if (folder !== '' && existsSync(candidate)) return candidate;
  }
  return null;
}

interface LintResult {
  code: number;
  output: string;
}

function lint(actionlint: string, file: string): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    execFile(actionlint, ['-no-color', file], { cwd: root }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error === null) resolve({ code: 0, output });
      else if (typeof error.code === 'number') resolve({ code: error.code, output });
      else reject(error);
    });
  });
}

const actionlint = findActionlint();
// A developer who has not run `scripts/setup.sh --tests` sees a skip; CI never does.
const lintIt = actionlint === null && process.env.CI !== 'true' ? it.skip : it;

describe('release workflow', () => {
  lintIt(
    'passes actionlint',
    async () => {
      if (actionlint === null) throw new Error('actionlint is missing: run scripts/setup.sh --tests');
      const result = await lint(actionlint, workflowFile);
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
    },
    60_000,
  );

  lintIt(
    'actionlint rejects a broken workflow (the check really runs)',
    async () => {
      if (actionlint === null) throw new Error('actionlint is missing: run scripts/setup.sh --tests');
      const folder = await mkdtemp(path.join(os.tmpdir(), 'tessera-actionlint-'));
      try {
        const broken = path.join(folder, 'broken.yml');
        await writeFile(
          broken,
          'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.missing }}\n',
        );
        const result = await lint(actionlint, broken);
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(/matrix/);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it('builds on every platform from a tag, with Node 24, after the tests pass on Linux', () => {
    // js-yaml comes with electron-builder and has no typings; zod checks what is read.
    const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
    const step = z.object({ uses: z.string().optional(), run: z.string().optional() }).loose();
    const workflow = z
      .object({
        on: z.object({ push: z.object({ tags: z.array(z.string()) }) }).loose(),
        env: z.object({ NODE_VERSION: z.string() }),
        jobs: z.object({
          test: z.object({ 'runs-on': z.string(), steps: z.array(step) }).loose(),
          package: z
            .object({
              needs: z.string(),
              strategy: z.object({
                matrix: z.object({ include: z.array(z.object({ os: z.string() }).loose()) }),
              }),
              steps: z.array(step),
            })
            .loose(),
        }),
      })
      .loose()
      .parse(load(readFileSync(workflowFile, 'utf8')));

    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(workflow.env.NODE_VERSION).toMatch(/^24\./);
    expect(workflow.jobs.test['runs-on']).toBe('ubuntu-latest');
    expect(workflow.jobs.test.steps.map((s) => s.run)).toContain('npm test');
    expect(workflow.jobs.package.needs).toBe('test');
    expect(workflow.jobs.package.strategy.matrix.include.map((entry) => entry.os).sort()).toEqual([
      'macos-latest',
      'ubuntu-latest',
      'windows-latest',
    ]);
    const runs = workflow.jobs.package.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npx electron-builder');
    expect(workflow.jobs.package.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(
      true,
    );
  });
});

// js-yaml comes with electron-builder and has no typings; zod checks what is read.
const { load } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const namedStep = z
  .object({ name: z.string().optional(), uses: z.string().optional(), run: z.string().optional() })
  .loose();
const jobsSchema = z
  .object({ jobs: z.record(z.string(), z.object({ steps: z.array(namedStep) }).loose()) })
  .loose();

function workflowJobs() {
  return jobsSchema.parse(load(readFileSync(workflowFile, 'utf8'))).jobs;
}

function stepRun(job: string, name: string): string {
  const step = workflowJobs()[job]?.steps.find((candidate) => candidate.name === name);
  if (step?.run === undefined) throw new Error(`no step "${name}" with a script in job ${job}`);
  return step.run;
}

describe('release workflow: supply chain', () => {
  it('pins every action to a full commit SHA, with the version it was taken from', () => {
    const lines = readFileSync(workflowFile, 'utf8')
      .split('\n')
      .filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.trim()).toMatch(/^(- )?uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
    }
    // And the parsed steps agree (no `uses` hidden in another YAML form).
    const uses = Object.values(workflowJobs()).flatMap((job) => job.steps.flatMap((step) => step.uses ?? []));
    expect(uses.length).toBe(lines.length);
    for (const action of uses) expect(action).toMatch(/@[0-9a-f]{40}$/);
  });

  it('packs macOS for arm64 and x64 in one run, so one latest-mac.yml lists both', () => {
    const packaging = stepRun('package', 'Package');
    expect(packaging).toMatch(/if \[ "\$PLATFORM" = mac \]; then\s+args\+=\(--x64 --arm64\)/);
    expect(stepRun('package', "Add the other CPU's native packages")).toBe('node build/add-cpu-packages.ts');
  });

  it('signs the rpm and SHA256SUMS on Linux, and a tagged release needs the key', () => {
    const check = stepRun('package', 'Check signing credentials');
    expect(check).toMatch(/"\$PLATFORM" = linux \] && \[ "\$HAS_LINUX_KEY" != true \]/);
    expect(stepRun('package', 'Import the Linux release key')).toBe('build/import-release-key.sh');
    const signRpm = stepRun('package', 'Sign the rpm');
    expect(signRpm).toContain('rpmsign --addsign');
    expect(signRpm).toContain('_gpg_name $RELEASE_KEY_FINGERPRINT');
    expect(signRpm).toMatch(
      /rpm --dbpath "\$RUNNER_TEMP\/rpmdb" -K "\$rpm_file" \| grep ': digests signatures OK\$'/,
    );
    expect(stepRun('release', 'Import the release key')).toBe('build/import-release-key.sh --required');
    expect(stepRun('release', 'Sign the checksums')).toContain(
      '--detach-sign --output SHA256SUMS.asc SHA256SUMS',
    );
    // AppImage updates carry our Ed25519 signature (build/sign-update-feed.ts), shipped beside them.
    expect(check).toMatch(/"\$PLATFORM" = linux \] && \[ "\$HAS_UPDATE_KEY" != true \]/);
    expect(stepRun('package', 'Sign the AppImage updates')).toContain(
      'node build/sign-update-feed.ts release',
    );
    expect(readFileSync(workflowFile, 'utf8')).toContain('release/*.AppImage.sig');
    // The secrets reach the scripts only through the environment.
    const text = readFileSync(workflowFile, 'utf8');
    for (const line of text.split('\n').filter((entry) => entry.includes('secrets.LINUX_GPG'))) {
      expect(line.trim()).toMatch(/^(LINUX_GPG_PRIVATE_KEY|LINUX_GPG_PASSPHRASE|HAS_LINUX_KEY): \$\{\{/);
    }
  });
});

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// The release test job installs gnupg and rpm; a developer without them sees a skip, CI never does.
const gpgIt = hasTool('gpg') || process.env.CI === 'true' ? it : it.skip;
const rpmIt =
  (hasTool('gpg') && hasTool('rpmbuild') && hasTool('rpmsign')) || process.env.CI === 'true' ? it : it.skip;

interface ScriptResult {
  code: number;
  output: string;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-eo', 'pipefail', '-c', script],
      { cwd, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** KEY=value lines a step appended to GITHUB_ENV. */
async function githubEnv(file: string): Promise<Record<string, string>> {
  const text = existsSync(file) ? await readFile(file, 'utf8') : '';
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('release workflow: Linux signing, run with a throwaway key', () => {
  const passphrase = 'correct horse battery staple';
  let folder = '';

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'tessera-release-key-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
    // gpg replaces an --output file; run as root it once turned /dev/null into a plain file.
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  async function freshRunner(name: string) {
    const runnerTemp = path.join(folder, name);
    await mkdir(runnerTemp);
    const env = {
      RUNNER_TEMP: runnerTemp,
      GITHUB_ENV: path.join(runnerTemp, 'github-env'),
      HOME: runnerTemp,
    };
    return { runnerTemp, env };
  }

  /** The release key, made the way a maintainer would (RSA, passphrase-protected), armored. */
  async function releaseKey(): Promise<string> {
    const maker = path.join(folder, 'maker');
    await mkdir(maker, { mode: 0o700 });
    const gpg = ['--homedir', maker, '--batch', '--pinentry-mode', 'loopback', '--passphrase', passphrase];
    execFileSync(
      'gpg',
      [...gpg, '--quick-gen-key', 'Tessera test <release@tessera.invalid>', 'rsa2048', 'sign', 'never'],
      {
        stdio: 'ignore',
      },
    );
    return execFileSync('gpg', [...gpg, '--armor', '--export-secret-keys'], { encoding: 'utf8' });
  }

  /** Runs build/import-release-key.sh as the workflow does; the step environment afterwards. */
  async function importedRunner(name: string, secretKey: string) {
    const runner = await freshRunner(name);
    const imported = await bash('build/import-release-key.sh --required', root, {
      ...runner.env,
      LINUX_GPG_PRIVATE_KEY: secretKey,
      LINUX_GPG_PASSPHRASE: passphrase,
    });
    expect(imported.output).not.toContain(passphrase);
    expect(imported.output).not.toContain('PRIVATE KEY');
    expect(imported.code).toBe(0);
    const exported = await githubEnv(runner.env.GITHUB_ENV);
    expect(exported.RELEASE_KEY_FINGERPRINT).toMatch(/^[0-9A-F]{40}$/);
    return { runnerTemp: runner.runnerTemp, env: { ...runner.env, ...exported } };
  }

  gpgIt(
    'imports the key, signs SHA256SUMS as the release job does, and a user can verify it',
    async () => {
      const secretKey = await releaseKey();
      expect(secretKey).toContain('BEGIN PGP PRIVATE KEY BLOCK');
      const runner = await importedRunner('release', secretKey);

      // The artifacts, their checksums and the signing step, as release.yml runs them.
      const artifacts = path.join(folder, 'artifacts');
      await mkdir(artifacts);
      await writeFile(path.join(artifacts, 'Tessera-0.1.0-linux-amd64.deb'), 'deb');
      await writeFile(path.join(artifacts, 'Tessera-0.1.0-linux-x86_64.rpm'), 'rpm');
      expect((await bash(stepRun('release', 'Checksums'), artifacts, runner.env)).code).toBe(0);
      const signed = await bash(stepRun('release', 'Sign the checksums'), artifacts, runner.env);
      expect(signed.output).not.toContain(passphrase);
      expect(signed.code).toBe(0);

      // A user: only the public key, then the commands docs/deployment.md gives.
      const user = path.join(folder, 'user');
      await mkdir(user, { mode: 0o700 });
      const gpgUser = ['--homedir', user, '--batch'];
      execFileSync('gpg', [...gpgUser, '--import', path.join(artifacts, 'tessera-release-key.asc')], {
        stdio: 'ignore',
      });
      execFileSync('gpg', [...gpgUser, '--verify', 'SHA256SUMS.asc', 'SHA256SUMS'], {
        cwd: artifacts,
        stdio: 'ignore',
      });
      execFileSync('sha256sum', ['--ignore-missing', '-c', 'SHA256SUMS'], {
        cwd: artifacts,
        stdio: 'ignore',
      });
      // A changed checksum list no longer verifies.
      await writeFile(
        path.join(artifacts, 'SHA256SUMS'),
        `${'0'.repeat(64)}  Tessera-0.1.0-linux-amd64.deb\n`,
      );
      expect(() =>
        execFileSync('gpg', [...gpgUser, '--verify', 'SHA256SUMS.asc', 'SHA256SUMS'], {
          cwd: artifacts,
          stdio: 'ignore',
        }),
      ).toThrow();

      // The clean-up step leaves no key material behind.
      expect((await bash(stepRun('release', 'Remove the release key'), artifacts, runner.env)).code).toBe(0);
      expect(existsSync(path.join(runner.runnerTemp, 'gnupg'))).toBe(false);
      expect(existsSync(path.join(runner.runnerTemp, 'gpg-passphrase'))).toBe(false);

      // A wrong passphrase fails the import, before anything is signed.
      const wrong = await freshRunner('wrong-passphrase');
      const refused = await bash('build/import-release-key.sh --required', root, {
        ...wrong.env,
        LINUX_GPG_PRIVATE_KEY: secretKey,
        LINUX_GPG_PASSPHRASE: 'not the passphrase',
      });
      expect(refused.code).not.toBe(0);
      expect(refused.output).not.toContain('not the passphrase');
    },
    120_000,
  );

  rpmIt(
    'signs the rpm as the package job does; rpm -K accepts it, and refuses a changed one',
    async () => {
      const runner = await importedRunner('package', await releaseKey());
      // A minimal package stands in for electron-builder's.
      const top = path.join(folder, 'rpmbuild');
      const spec = path.join(folder, 'tessera-test.spec');
      await writeFile(
        spec,
        [
          'Name: tessera-test',
          'Version: 1',
          'Release: 1',
          'Summary: test',
          'License: MIT',
          'BuildArch: noarch',
          '%description',
          'test',
          '%files',
          '',
        ].join('\n'),
      );
      execFileSync('rpmbuild', ['--quiet', '--define', `_topdir ${top}`, '-bb', spec], {
        stdio: 'ignore',
        env: { ...process.env, HOME: runner.runnerTemp },
      });
      const work = path.join(folder, 'work');
      await mkdir(path.join(work, 'release'), { recursive: true });
      const rpmFile = path.join(work, 'release', 'tessera-test-1-1.noarch.rpm');
      await writeFile(
        rpmFile,
        await readFile(path.join(top, 'RPMS', 'noarch', 'tessera-test-1-1.noarch.rpm')),
      );

      const signed = await bash(stepRun('package', 'Sign the rpm'), work, runner.env);
      expect(signed.output).not.toContain(passphrase);
      expect(signed.output).toContain('digests signatures OK');
      expect(signed.code).toBe(0);

      // A user's rpm database with only the public key (docs/deployment.md).
      const userDb = path.join(folder, 'user-rpmdb');
      const userRpm = (...args: string[]) =>
        execFileSync('rpm', ['--dbpath', userDb, ...args], {
          encoding: 'utf8',
          env: { ...process.env, HOME: folder },
        });
      userRpm('--initdb');
      userRpm('--import', path.join(runner.runnerTemp, 'tessera-release-key.asc'));
      expect(userRpm('-K', rpmFile)).toMatch(/: digests signatures OK$/m);
      // One changed byte in the payload: the signature no longer holds.
      const bytes = await readFile(rpmFile);
      const last = bytes.length - 1;
      bytes[last] = (bytes[last] ?? 0) ^ 0xff;
      await writeFile(rpmFile, bytes);
      expect(() => userRpm('-K', rpmFile)).toThrow();
    },
    120_000,
  );

  it('without the key: a release fails, a manual build goes on unsigned', async () => {
    const release = await freshRunner('release');
    const failed = await bash('build/import-release-key.sh --required', root, release.env);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain('::error::No Linux release key');
    const manual = await freshRunner('manual');
    const skipped = await bash('build/import-release-key.sh', root, manual.env);
    expect(skipped.code).toBe(0);
    expect(await githubEnv(manual.env.GITHUB_ENV)).toEqual({});
  });
});
