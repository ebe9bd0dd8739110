import fs from 'node:fs';
import path from 'node:path';

/** The repository root (the package.json named "anxin"), wherever the compiled bench runs from. */
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'anxin'
    )
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root from ' + __dirname);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();
/** Compiled bench entry points live beside this file's compiled form. */
export const BENCH_DIST = path.resolve(__dirname, '..');
export const PLATFORM_MAIN = path.join(REPO_ROOT, 'dist/apps/platform/main.js');
