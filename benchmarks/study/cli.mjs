// The study runner's entry: registers tsx's loader, then runs the TypeScript CLI.
// A plain .mjs so that `node benchmarks/study/cli.mjs` and the --jobs children it spawns need no build.
import { register } from 'tsx/esm/api';

register();
await import('./cli/main.ts');
