// The release step that signs Linux AppImage updates (build/sign-update-feed.ts), run as the
// workflow runs it: the .sig it writes verifies with the app's check; a file that disagrees with
// its feed, a missing key or a feed without an AppImage stop it; the key is never printed.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyText, verifyUpdateSignature } from '../../src-main/updates/update-signature.ts';

const run = promisify(execFile);
const script = path.resolve('build/sign-update-feed.ts');
const privatePem = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();
const APPIMAGE = 'Tessera-0.3.0-linux-x86_64.AppImage';
const folders: string[] = [];

afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function release(options: { appImage?: string; feedSha?: string } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-release-'));
  folders.push(dir);
  const body = Buffer.from(options.appImage ?? 'an AppImage, in spirit');
  await writeFile(path.join(dir, APPIMAGE), body);
  await writeFile(path.join(dir, 'Tessera-0.3.0-linux-amd64.deb'), 'a deb');
  const sha = options.feedSha ?? createHash('sha512').update(body).digest('base64');
  await writeFile(
    path.join(dir, 'latest-linux.yml'),
    `version: 0.3.0\nfiles:\n  - url: ${APPIMAGE}\n    sha512: ${sha}\n    size: ${body.length}\n  - url: Tessera-0.3.0-linux-amd64.deb\n    sha512: x\npath: ${APPIMAGE}\nsha512: ${sha}\nreleaseDate: '2026-11-27T00:00:00.000Z'\n`,
  );
  return dir;
}

async function sign(dir: string, key: string | undefined) {
  const env = { ...process.env };
  delete env['TESSERA_UPDATE_SIGNING_KEY'];
  if (key !== undefined) env['TESSERA_UPDATE_SIGNING_KEY'] = key;
  try {
    const { stdout, stderr } = await run(process.execPath, [script, dir], { env });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('signing AppImage updates for a release', () => {
  it('writes a .sig the app accepts for exactly that version, file and hash', async () => {
    const dir = await release();
    const { code, output } = await sign(dir, privatePem);
    expect(code).toBe(0);
    expect(output).toBe(`signed ${APPIMAGE}.sig\n`);
    const signature = await readFile(path.join(dir, `${APPIMAGE}.sig`), 'utf8');
    const sha512 = createHash('sha512').update('an AppImage, in spirit').digest('base64');
    const key = [publicKeyText(privatePem)];
    expect(verifyUpdateSignature({ version: '0.3.0', fileName: APPIMAGE, sha512 }, signature, key)).toBe(
      true,
    );
    expect(verifyUpdateSignature({ version: '0.3.1', fileName: APPIMAGE, sha512 }, signature, key)).toBe(
      false,
    );
  });

  it('refuses a file that disagrees with its feed', async () => {
    const dir = await release({ feedSha: createHash('sha512').update('another file').digest('base64') });
    const { code, output } = await sign(dir, privatePem);
    expect(code).toBe(1);
    expect(output).toContain('disagree about its SHA-512');
  });

  it('stops without a key, and never prints the key', async () => {
    const dir = await release();
    expect(await sign(dir, undefined)).toEqual({
      code: 1,
      output: 'sign-update-feed: TESSERA_UPDATE_SIGNING_KEY is not set\n',
    });
    const bad = await sign(dir, 'not a key');
    expect(bad.code).toBe(1);
    const good = await sign(dir, privatePem);
    expect(good.output).not.toContain('PRIVATE KEY');
    expect(good.output).not.toContain(privatePem.split('\n')[1]);
  });

  it('stops when no Linux feed lists an AppImage', async () => {
    const dir = await release();
    await writeFile(
      path.join(dir, 'latest-linux.yml'),
      'version: 0.3.0\nfiles:\n  - url: a.deb\n    sha512: x\n',
    );
    const { code, output } = await sign(dir, privatePem);
    expect(code).toBe(1);
    expect(output).toContain('no AppImage');
  });

  it('prints the public key line for update-signing-keys.ts', async () => {
    const dir = await release();
    const keyFile = path.join(dir, 'key.pem');
    await writeFile(keyFile, privatePem);
    const { stdout } = await run(process.execPath, [script, '--public-key', keyFile]);
    expect(stdout).toBe(`${publicKeyText(privatePem)}\n`);
  });
});
