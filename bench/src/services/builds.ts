// Which platform builds a profiling run starts: this tree's dist by default,
// or several (an A/B of two builds in the same minutes) from PROFILE_BUILDS.
import fs from 'node:fs';
import path from 'node:path';
import { PLATFORM_MAIN, REPO_ROOT } from './paths';

export interface PlatformBuild {
  label: string;
  /** Its dist/apps/platform/main.js. */
  main: string;
  /** Node flags of its own (an A/B of a flag such as --max-semi-space-size on one build). */
  nodeArgs: string[];
}

/**
 * PROFILE_BUILDS="A=/tmp/a/dist/apps/platform/main.js,B=dist/apps/platform/main.js --max-semi-space-size=64":
 * label=main.js, then node flags if any; unset: this tree's build.
 */
export function platformBuilds(spec: string | undefined): PlatformBuild[] {
  if (!spec) return [{ label: 'dist', main: PLATFORM_MAIN, nodeArgs: [] }];
  return spec.split(',').map((entry) => {
    const eq = entry.indexOf('=');
    const [file, ...nodeArgs] = entry
      .slice(eq + 1)
      .trim()
      .split(/\s+/);
    if (eq < 1 || !file) {
      throw new Error(`PROFILE_BUILDS: expected label=path/to/main.js [flags], got ${JSON.stringify(entry)}`);
    }
    const main = path.resolve(REPO_ROOT, file);
    if (!fs.existsSync(main)) throw new Error(`PROFILE_BUILDS: ${main} does not exist (build it first)`);
    return { label: entry.slice(0, eq).trim(), main, nodeArgs };
  });
}
