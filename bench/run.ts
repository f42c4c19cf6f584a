// Runs every bench/*.bench.ts in turn, each in its own Node process (so no benchmark inherits
// another's warm caches or heap), and passes their figures straight through.
//   node bench/run.ts            all of them
//   node bench/run.ts store      only store.bench.ts (an exact name, with or without .bench.ts;
//                                when no file has that name, those whose name contains it)
// A benchmark prints figures and never fails on a missed target; a non-zero exit here means
// one of them crashed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);

const all = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .sort();

function selected(filter: string): string[] {
  const exact = all.filter((name) => name === filter || name === `${filter}.bench.ts`);
  return exact.length > 0 ? exact : all.filter((name) => name.includes(filter));
}

const benches = filters.length === 0 ? all : [...new Set(filters.flatMap(selected))].sort();

if (benches.length === 0) {
  console.error(`No benchmark matches ${filters.join(', ') || '*.bench.ts'} in ${benchDir}`);
  process.exit(1);
}

const failed: string[] = [];
for (const name of benches) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(benchDir, name)], { stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status === 0) console.log(`=== ${name}: done in ${seconds} s ===`);
  else {
    failed.push(name);
    console.log(`=== ${name}: FAILED (${result.signal ?? `exit ${result.status}`}) after ${seconds} s ===`);
  }
}

if (failed.length > 0) {
  console.error(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
