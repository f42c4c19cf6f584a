// Serves the built renderer's files, and nothing outside its folder.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.webp': 'image/webp',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export class StaticSite {
  readonly #root: string;

  private constructor(root: string) {
    this.#root = root;
  }

  static async open(directory: string): Promise<StaticSite> {
    const root = await realpath(directory);
    if (!(await stat(root)).isDirectory()) throw new Error(`${directory} is not a folder`);
    return new StaticSite(root);
  }

  /**
   * The file for a URL path, or null when there is none or the path leaves the folder
   * (by `..`, an encoded separator, or a symlink).
   */
  async read(urlPath: string): Promise<StaticFile | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const segments = decoded.split('/');
    if (segments.some((segment) => segment === '..' || segment === '.')) return null;
    const candidate = path.resolve(this.#root, `.${decoded}`);
    if (!this.#inside(candidate)) return null;
    let real: string;
    try {
      real = await realpath(candidate);
      if (!this.#inside(real) || !(await stat(real)).isFile()) return null;
    } catch {
      return null;
    }
    const contentType = contentTypes[path.extname(real).toLowerCase()];
    if (!contentType) return null;
    return { body: await readFile(real), contentType };
  }

  #inside(candidate: string): boolean {
    return candidate.startsWith(this.#root + path.sep);
  }
}
