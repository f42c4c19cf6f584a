// npm run lint:electron: the static Electron security checks (electron-lint-rules.ts) over the
// shell's sources and the CSP. Exits 1 on any finding that is not suppressed with a reason in
// scripts/lint-electron-suppressions.json.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentSecurityPolicy } from '../src-main/content-security-policy.ts';
import {
  applySuppressions,
  scanContentSecurityPolicy,
  scanSource,
  type Finding,
  type Suppression,
} from './electron-lint-rules.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scannedFolders = ['src-main', 'src-preload'];

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter(
      (entry) =>
        entry.isFile() && /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

export function lintElectron(): Finding[] {
  const findings: Finding[] = [];
  for (const folder of scannedFolders) {
    for (const file of sourceFiles(folder))
      findings.push(...scanSource(file, readFileSync(path.join(root, file), 'utf8')));
  }
  findings.push(...scanContentSecurityPolicy(contentSecurityPolicy));
  const suppressions = JSON.parse(
    readFileSync(path.join(root, 'scripts/lint-electron-suppressions.json'), 'utf8'),
  ) as Suppression[];
  return applySuppressions(findings, suppressions);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const findings = lintElectron();
  for (const finding of findings) {
    console.error(`${finding.file}:${finding.line}  ${finding.rule}  ${finding.message}`);
  }
  console.log(`lint:electron: ${findings.length} finding(s)`);
  process.exitCode = findings.length === 0 ? 0 : 1;
}
