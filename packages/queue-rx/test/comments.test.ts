// The sources' comments keep to the line width of the code (biome's `lineWidth`, 120), which the formatter does not
// wrap comments to: a TSDoc paragraph with a line of 170 characters reads badly in an editor and in a diff.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

it("no comment line of src/ is over 120 characters", () => {
  const { lineWidth } = JSON.parse(readFileSync(resolve(root, "../../biome.json"), "utf8")).formatter;
  expect(lineWidth).toBe(120);
  const long = readdirSync(resolve(root, "src"))
    .filter((name) => name.endsWith(".ts"))
    .flatMap((name) =>
      readFileSync(resolve(root, "src", name), "utf8")
        .split("\n")
        .map((line, i) => ({ at: `src/${name}:${i + 1}`, line }))
        .filter(({ line }) => /^\s*(\*|\/\/|\/\*)/.test(line) && line.length > lineWidth),
    )
    .map(({ at, line }) => `${at} (${line.length})`);
  expect(long).toEqual([]);
});
