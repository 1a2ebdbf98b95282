// The API reference as TypeDoc builds it (`pnpm run docs`), as CI builds it: no warning, and a comment on every
// export (what an editor shows on hover too).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bareExports, typedocProject } from "test-utils/typedoc";
import type { ProjectReflection } from "typedoc";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

let project: ProjectReflection;
/** What TypeDoc warned of, converting and validating the package as `pnpm run docs` does. */
let warnings: string[];
beforeAll(async () => {
  ({ project, warnings } = await typedocProject(root));
}, 60_000);

describe("the API reference (TypeDoc, as `pnpm run docs` builds it)", () => {
  it("builds without a warning: every type a public signature names is exported, inlined, or said to be internal", () => {
    expect(warnings).toEqual([]);
  });

  it("gives every export a comment", () => {
    const bare = bareExports(project);
    expect(bare).toEqual([]);
  });
});
