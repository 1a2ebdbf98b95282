// The API reference as TypeDoc builds it (`pnpm run docs`), as CI builds it: no warning, and a comment on everything
// it lists (what a user reads there, and in an editor's hover text, which comes from the same TSDoc comments).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { typedocProject } from "test-utils/typedoc";
import { type DeclarationReflection, type ProjectReflection, ReflectionKind } from "typedoc";
import { beforeAll, describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

let project: ProjectReflection;
/** What TypeDoc warned of, converting and validating the package as `pnpm run docs` does. */
let warnings: string[];
beforeAll(async () => {
  ({ project, warnings } = await typedocProject(root));
}, 60_000);

/** Whether a reflection has a comment of its own, or its (first) signature has. */
const documented = (item: DeclarationReflection): boolean =>
  Boolean((item.comment ?? item.signatures?.[0]?.comment)?.summary.length);

describe("the API reference (TypeDoc, as `pnpm run docs` builds it)", () => {
  it("builds without a warning: every type a public signature names is exported, inlined, or said to be internal", () => {
    expect(warnings).toEqual([]);
  });

  it("gives every export a comment, and every field and method of an exported interface", () => {
    const bare: string[] = [];
    const exports = project.children ?? [];
    expect(exports.map((item) => item.name)).toEqual(
      expect.arrayContaining(["Emulator", "EmulatorOptions", "EmulatorStats", "FaultRule", "JobRecord", "FaultKind"]),
    );
    for (const item of exports) {
      if (!documented(item)) bare.push(item.name);
      if (item.kind !== ReflectionKind.Interface) continue;
      for (const member of item.children ?? []) if (!documented(member)) bare.push(`${item.name}.${member.name}`);
    }
    expect(bare).toEqual([]);
  });
});
