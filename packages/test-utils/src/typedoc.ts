import { join } from "node:path";
import { Application, type DeclarationReflection, LogLevel, type ProjectReflection, ReflectionKind } from "typedoc";
// (The workspace's one vitest, the root's, as the packages' tests run it.)
import { beforeAll, describe, expect, it } from "vitest";

/**
 * The API reference of the package at `root` as `pnpm run docs` builds it (TypeDoc over its `tsconfig.build.json`,
 * converted and validated), with what TypeDoc warned of on the way: the packages' docs tests. (An entry of its own:
 * TypeDoc takes a while to load, and only these tests need it.)
 */
export async function typedocProject(root: string): Promise<{ project: ProjectReflection; warnings: string[] }> {
  const warnings: string[] = [];
  const app = await Application.bootstrapWithPlugins({
    tsconfig: join(root, "tsconfig.build.json"),
    skipErrorChecking: true,
    // Source links are not what these tests read: without them, a checkout with no git remote builds without a warning.
    disableSources: true,
    logLevel: "Error",
  });
  const log = app.logger.log.bind(app.logger);
  app.logger.log = (message, level) => {
    if (level >= LogLevel.Warn) warnings.push(message);
    log(message, level);
  };
  const project = (await app.convert())!;
  app.validate(project);
  return { project, warnings };
}

/**
 * The names of the exports of `project` that have no comment (a re-export, a reference, is its target's). A package of
 * several entries (`.`, `./node` …) is a project of modules: each entry's exports, named `entry.export`.
 */
export function bareExports(project: ProjectReflection): string[] {
  const bare = (items: DeclarationReflection[] = [], prefix = ""): string[] =>
    items.flatMap((item) =>
      item.kind === ReflectionKind.Module
        ? bare(item.children, `${item.name}.`)
        : item.kind !== ReflectionKind.Reference && !(item.comment ?? item.signatures?.[0]?.comment)?.summary.length
          ? [`${prefix}${item.name}`]
          : [],
    );
  return bare(project.children);
}

/**
 * The docs test of the package at `root`, its API reference as `pnpm run docs` (and CI) builds it: one `describe` in
 * which TypeDoc builds it without a warning (every type a public signature names is exported, inlined, or said to be
 * internal), and every export has a comment (what an editor shows on hover too) but those named in `bare` (sorted);
 * then the package's own tests, `more`, which read the project through `project()` once they run.
 */
export function describeDocs(
  root: string,
  bare: string[] = [],
  more?: (project: () => ProjectReflection) => void,
): void {
  let docs: { project: ProjectReflection; warnings: string[] };
  beforeAll(async () => {
    docs = await typedocProject(root);
  }, 60_000);
  describe("the API reference (TypeDoc, as `pnpm run docs` builds it)", () => {
    it("builds without a warning: every type a public signature names is exported, inlined, or said to be internal", () => {
      expect(docs.warnings).toEqual([]);
    });

    it("gives every export a comment", () => {
      expect(bareExports(docs.project).sort()).toEqual(bare);
    });

    more?.(() => docs.project);
  });
}
