// Integrity of the files that ship outside app.asar, in app.asar.unpacked: the engine worker,
// the CLI and the native and WebAssembly packages. ASAR integrity covers app.asar only, and the
// worker runs with the keys, so a swapped worker or native module would be attacker code.
//
// At package time build/after-extract.ts writes the manifest (every unpacked file and its
// SHA-256) into dist/main, which is packed into app.asar, so ASAR integrity covers it too. At
// start main compares the folder with it before the engine worker starts: every file listed with
// the same hash, nothing missing, nothing more (an extra .js, .node or package.json would be
// picked up by module resolution). No electron import: the build hook and the tests use it too.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Where the manifest lives, relative to the app root (inside app.asar when packaged). */
export const unpackedManifestPath = 'dist/main/unpacked-integrity.json';

/**
 * macOS only: electron-builder signs every Mach-O file after packing, which rewrites it, so no
 * hash taken before can match. The hardened runtime's library validation (no
 * disable-library-validation entitlement) refuses to load one not signed by our team instead.
 */
export const osCodeSignature = 'os-code-signature';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const manifestSchema = z
  .object({
    version: z.literal(1),
    /** POSIX path relative to app.asar.unpacked → SHA-256 (hex) or osCodeSignature. */
    files: z.record(z.string().min(1), z.union([sha256Hex, z.literal(osCodeSignature)])),
  })
  .strict();

export type UnpackedManifest = z.infer<typeof manifestSchema>;

export type UnpackedRefusal =
  'no-manifest' | 'bad-manifest' | 'modified' | 'unlisted' | 'missing' | 'not-a-file' | 'unreadable';

export type UnpackedCheck =
  | { kind: 'not-packaged' }
  | { kind: 'verified'; files: number; bytes: number }
  | { kind: 'refused'; reason: UnpackedRefusal; file: string | null; message: string };

/** Mach-O magic numbers, both byte orders, thin and universal ("fat"). */
const machOMagic = new Set([0xfeedface, 0xcefaedfe, 0xfeedfacf, 0xcffaedfe, 0xcafebabe, 0xbebafeca]);

function isMachO(bytes: Buffer): boolean {
  return bytes.length >= 4 && machOMagic.has(bytes.readUInt32BE(0));
}

interface FolderEntry {
  /** POSIX path relative to the folder. */
  file: string;
  /** A regular file (symlinks, sockets and the like are never part of a release). */
  regular: boolean;
}

/**
 * Finder writes .DS_Store into any folder someone opens, the app bundle included. Node loads a
 * file by that name only when code imports it by exactly that name, which ours never does.
 */
const osBookkeeping = new Set(['.DS_Store']);

/**
 * Every entry below `root` that is not a directory, sorted so reports are deterministic. One
 * plain readdir per folder (not `recursive`, which Electron's asar layer reimplements); symlinks
 * are reported, never followed.
 */
async function listFolder(root: string): Promise<FolderEntry[]> {
  const found: FolderEntry[] = [];
  const pending = [''];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    const entries = await readdir(path.join(root, ...folder.split('/')), { withFileTypes: true });
    for (const entry of entries) {
      const file = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) pending.push(file);
      else if (!(entry.isFile() && osBookkeeping.has(entry.name)))
        found.push({ file, regular: entry.isFile() });
    }
  }
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The manifest of a staged app.asar.unpacked folder (package time). `osSignsBinaries`: the
 * target is macOS, whose signing rewrites Mach-O files after this runs.
 */
export async function manifestOfFolder(root: string, osSignsBinaries: boolean): Promise<UnpackedManifest> {
  const files: Record<string, string> = {};
  for (const entry of await listFolder(root)) {
    if (!entry.regular) throw new Error(`${entry.file} is not a regular file; releases hold only files`);
    const bytes = await readFile(path.join(root, ...entry.file.split('/')));
    files[entry.file] = osSignsBinaries && isMachO(bytes) ? osCodeSignature : sha256(bytes);
  }
  return { version: 1, files };
}

const reinstall = 'Reinstall Tessera, and tell your IT department if this happens again.';

function refuse(reason: UnpackedRefusal, file: string | null): UnpackedCheck {
  const named = file === null ? '' : ` (${file})`;
  const what: Record<UnpackedRefusal, string> = {
    'no-manifest': 'the list of its installed files is missing',
    'bad-manifest': 'the list of its installed files is damaged',
    modified: `an installed file was changed after installation${named}`,
    unlisted: `a file that is not part of Tessera was added to its installation${named}`,
    missing: `an installed file is missing${named}`,
    'not-a-file': `the installation holds something that is not a plain file${named}`,
    unreadable: 'its installed files could not be checked',
  };
  return {
    kind: 'refused',
    reason,
    file,
    message: `Tessera cannot start: ${what[reason]}. ${reinstall}`,
  };
}

/**
 * Compares app.asar.unpacked with the manifest (null: the manifest could not be read). The first
 * problem found, in path order, is the one reported.
 */
export async function checkUnpackedFolder(root: string, manifestText: string | null): Promise<UnpackedCheck> {
  if (manifestText === null) return refuse('no-manifest', null);
  let manifest: UnpackedManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(manifestText));
  } catch {
    return refuse('bad-manifest', null);
  }
  const expected = new Map(Object.entries(manifest.files));
  let entries: FolderEntry[];
  try {
    entries = await listFolder(root);
  } catch {
    return refuse('missing', '.');
  }
  let bytes = 0;
  for (const entry of entries) {
    const listed = expected.get(entry.file);
    if (listed === undefined) return refuse('unlisted', entry.file);
    if (!entry.regular) return refuse('not-a-file', entry.file);
    expected.delete(entry.file);
    if (listed === osCodeSignature) continue;
    const content = await readFile(path.join(root, ...entry.file.split('/')));
    bytes += content.length;
    if (sha256(content) !== listed) return refuse('modified', entry.file);
  }
  const [missing] = [...expected.keys()].sort();
  if (missing !== undefined) return refuse('missing', missing);
  return { kind: 'verified', files: entries.length, bytes };
}

/** Reads the manifest; null when it is not there (or unreadable). */
export type ManifestReader = (file: string) => Promise<string | null>;

/** Electron's fs reads files inside app.asar, where the manifest is. */
const readFromApp: ManifestReader = (file) => readFile(file, 'utf8').catch(() => null);

/**
 * The start-up check (main): only packaged builds have an app.asar.unpacked; development runs
 * load from the source tree.
 */
export function verifyUnpackedFiles(options: {
  appRoot: string;
  isPackaged: boolean;
  readManifest?: ManifestReader;
}): Promise<UnpackedCheck> {
  if (!options.isPackaged) return Promise.resolve({ kind: 'not-packaged' });
  const unpackedRoot = options.appRoot.replace(/\.asar$/, '.asar.unpacked');
  const read = options.readManifest ?? readFromApp;
  return read(path.join(options.appRoot, ...unpackedManifestPath.split('/'))).then((text) =>
    checkUnpackedFolder(unpackedRoot, text),
  );
}

/** Main's view: no check given (tests, development) passes; a check that throws refuses. */
export function settleUnpackedCheck(check: Promise<UnpackedCheck> | undefined): Promise<UnpackedCheck> {
  if (check === undefined) return Promise.resolve({ kind: 'not-packaged' });
  return check.catch(() => refuse('unreadable', null));
}

/** One log line: the reason and the file (a path inside the installation, never user data). */
export function describeUnpackedRefusal(check: Extract<UnpackedCheck, { kind: 'refused' }>): string {
  const file = check.file === null ? '' : ` ${JSON.stringify(check.file)}`;
  return `installed files refused (${check.reason}${file})`;
}
