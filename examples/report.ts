// What each example prints when run as a program (npx tsx examples/<name>.ts): its test accuracy
// against chance, and the seconds it took. Imported by a test, an example only exports its run.
import { pathToFileURL } from 'node:url';

/** Runs `run` and prints its result when `moduleUrl` is the program node was started with. */
export async function reportWhenMain(
  moduleUrl: string,
  run: () => Promise<{ testAccuracy: number }>,
  chance: number,
): Promise<void> {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const started = performance.now();
  const { testAccuracy } = await run();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`test accuracy ${(100 * testAccuracy).toFixed(1)}% (chance ${(100 * chance).toFixed(0)}%), ${seconds} s`);
}
