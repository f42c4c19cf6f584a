// Signs the Linux AppImage updates of a release (src-main/updates/update-signature.ts), run by the
// release workflow after electron-builder has written the AppImages and their feeds
// (latest-linux*.yml). For each AppImage a feed lists, it checks the file's SHA-512 against the
// feed, then writes <AppImage>.sig next to it: an Ed25519 signature over the version, the file
// name and that SHA-512. Tessera downloads an AppImage update only when its .sig verifies.
//
//   TESSERA_UPDATE_SIGNING_KEY="$(cat key.pem)" node build/sign-update-feed.ts release
//   node build/sign-update-feed.ts --public-key key.pem   # the line for update-signing-keys.ts
//
// The key is read from the environment only and never printed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JSON_SCHEMA, load } from 'js-yaml';
import { z } from 'zod';
import { publicKeyText, signUpdate, verifyUpdateSignature } from '../src-main/updates/update-signature.ts';

const feedSchema = z.object({
  version: z.string().min(1),
  files: z.array(z.looseObject({ url: z.string().min(1), sha512: z.string().min(1) })),
});

async function sha512Of(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/** Signs every AppImage the release folder's Linux feeds list; returns the .sig files written. */
export async function signUpdateFeeds(releaseDir: string, privateKeyPem: string): Promise<string[]> {
  const publicKey = publicKeyText(privateKeyPem);
  const feeds = (await readdir(releaseDir)).filter((name) => /^latest-linux.*\.yml$/.test(name));
  if (feeds.length === 0) throw new Error(`no latest-linux*.yml in ${releaseDir}`);
  const written: string[] = [];
  for (const feedName of feeds) {
    const feed = feedSchema.parse(
      load(await readFile(path.join(releaseDir, feedName), 'utf8'), { schema: JSON_SCHEMA }),
    );
    for (const entry of feed.files) {
      if (!entry.url.toLowerCase().endsWith('.appimage')) continue;
      const fileName = path.posix.basename(entry.url);
      if (fileName !== entry.url) throw new Error(`${feedName}: ${entry.url} is not a plain file name`);
      const file = path.join(releaseDir, fileName);
      if ((await sha512Of(file)) !== entry.sha512) {
        throw new Error(`${feedName} and ${fileName} disagree about its SHA-512; rebuild before signing`);
      }
      const update = { version: feed.version, fileName, sha512: entry.sha512 };
      const signature = signUpdate(update, privateKeyPem);
      if (!verifyUpdateSignature(update, signature, [publicKey]))
        throw new Error('a fresh signature does not verify');
      await writeFile(`${file}.sig`, `${signature}\n`);
      written.push(`${fileName}.sig`);
    }
  }
  if (written.length === 0) throw new Error('the Linux feeds list no AppImage');
  return written;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--public-key' && argv[1] !== undefined) {
    process.stdout.write(`${publicKeyText(await readFile(argv[1], 'utf8'))}\n`);
    return;
  }
  const releaseDir = argv[0];
  const key = process.env['TESSERA_UPDATE_SIGNING_KEY'];
  if (releaseDir === undefined || argv.length !== 1) {
    throw new Error('usage: node build/sign-update-feed.ts <release folder> | --public-key <key.pem>');
  }
  if (key === undefined || key.trim() === '') throw new Error('TESSERA_UPDATE_SIGNING_KEY is not set');
  for (const name of await signUpdateFeeds(releaseDir, key)) process.stdout.write(`signed ${name}\n`);
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`sign-update-feed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
