// The release workflow (.github/workflows/release.yml) passes actionlint, which also runs
// shellcheck over its scripts when shellcheck is installed, and has the shape issue 5 asks for.
// scripts/setup.sh --tests builds actionlint into the cache folder; CI must have it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
