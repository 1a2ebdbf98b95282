import { join } from "node:path";
import { Application, LogLevel, type ProjectReflection, ReflectionKind } from "typedoc";

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

/** The names of the exports of `project` that have no comment (a re-export, a reference, is its target's). */
export function bareExports(project: ProjectReflection): string[] {
  return (project.children ?? [])
    .filter((item) => item.kind !== ReflectionKind.Reference)
    .filter((item) => !(item.comment ?? item.signatures?.[0]?.comment)?.summary.length)
    .map((item) => item.name);
}
