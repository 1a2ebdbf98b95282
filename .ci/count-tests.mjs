// Sums the vitest JSON reports of every package, plus the reports named on the command line (same two fields, e.g.
// the release check's), and prints CI's closing line: "N passed, N failed".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
const missing = [];
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (!pkg.scripts?.test) continue;
    const report = join(dir, ".vitest-results/results.json");
    if (!existsSync(report)) {
      missing.push(pkg.name);
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    console.log(`${pkg.name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  }
}
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    missing.push(file);
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  console.log(`${file}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
// A package whose tests never reported counts as one failure, so a crash cannot pass as green.
for (const name of missing) console.log(`${name}: no test report`);
failed += missing.length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
