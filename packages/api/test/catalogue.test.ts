import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import {
  canonicalModel,
  catalogue,
  isImageModelName,
  isModelName,
  isVideoModelName,
  jobStatuses,
  type ModelName,
  maxFileBytes,
  maxFileDocs,
  maxIdLength,
  modelDocs,
  retiredModels,
} from "../src/index.js";

const spec = YAML.parse(readFileSync(fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url)), "utf8"));

function deref(node: any): any {
  let n = node;
  while (n?.$ref)
    n = n.$ref
      .slice(2)
      .split("/")
      .reduce((o: any, k: string) => o[k], spec);
  return n;
}

const modelOps = Object.entries<any>(spec.paths)
  .filter(([, item]) => item.post?.["x-decart-model"])
  .map(([path, item]) => ({ path, op: item.post, x: item.post["x-decart-model"] }));
const legacyOps = Object.entries<any>(spec.paths)
  .filter(([, item]) => item.post?.["x-decart-legacy-sync-of"])
  .map(([path, item]) => ({ path, op: item.post, of: item.post["x-decart-legacy-sync-of"] as string }));

describe("catalogue against the spec", () => {
  it("has exactly one entry per model operation", () => {
    expect(modelOps.length).toBeGreaterThan(15);
    expect(Object.keys(catalogue).sort()).toEqual(modelOps.map((m) => m.x.name).sort());
  });

  it.each(modelOps.map((m) => [m.x.name, m] as const))("%s has the spec's kind, path and fields", (name, m) => {
    expect(isModelName(name)).toBe(true);
    expect([isVideoModelName(name), isImageModelName(name)]).toEqual([m.x.kind === "video", m.x.kind === "image"]);
    const info = catalogue[name as ModelName];
    expect(info.kind).toBe(m.x.kind);
    expect(info.path).toBe(m.path);
    expect(m.path).toBe(m.x.kind === "video" ? `/v1/jobs/${name}` : `/v1/generate/${name}`);
    const schema = deref(deref(m.op.requestBody).content["multipart/form-data"].schema);
    expect(info.fields.map((f) => f.name)).toEqual(Object.keys(schema.properties));
    for (const f of info.fields) {
      const prop = deref(schema.properties[f.name]);
      expect(f.required, `${name}.${f.name} required`).toBe((schema.required ?? []).includes(f.name));
      if (prop.format === "binary") expect(f.type).toBe("file");
      else if (prop.contentMediaType === "application/json") expect(f.type).toBe("json");
      else expect(f.type).toBe(prop.type);
      for (const key of ["enum", "default", "minLength", "maxLength", "minimum", "maximum"] as const) {
        expect(key in f ? (f as Record<string, unknown>)[key] : undefined, `${name}.${f.name}.${key}`).toEqual(
          prop[key],
        );
      }
    }
  });

  it("gives the spec's limit of one file (x-decart-max-file-bytes of its 413), 200 MiB", () => {
    expect(maxFileBytes).toBe(200 * 1024 * 1024);
  });

  it("says the limit of one file as the docs do (200 MB) and as the byte figure maxFileBytes holds", () => {
    const text = readFileSync(fileURLToPath(new URL("../../../spec/openapi.yaml", import.meta.url)), "utf8").replace(
      /\s+/g,
      " ",
    );
    // Every byte and MiB figure the spec says is maxFileBytes's; a decimal unit only as the docs' words, 200 MB (the
    // server's exact limit is not known: the client and the emulator hold the larger reading).
    const figures = (re: RegExp) => [...text.matchAll(re)].map((m) => Number(m[1]));
    expect(figures(/(\d+) bytes/g).length).toBeGreaterThan(0);
    for (const n of figures(/(\d+) bytes/g)) expect(n).toBe(maxFileBytes);
    for (const n of figures(/(\d+(?:\.\d+)?) MiB/g)) expect(n).toBe(maxFileBytes / 2 ** 20);
    for (const [m] of text.matchAll(/\b\d+(?:\.\d+)? ?[kKMGT]B\b/g)) expect(m).toBe("200 MB");
    expect(text).toContain(`x-decart-max-file-bytes: ${maxFileBytes}`);
    const said = `${maxFileBytes} bytes (${maxFileBytes / 2 ** 20} MiB)`;
    const limit = deref(spec.components.responses.PayloadTooLarge).description.replace(/\s+/g, " ");
    expect(limit).toContain(said);
    // The docs' words are the 413's x-decart-max-file-docs (what the client's refusal of a larger file quotes).
    expect(maxFileDocs).toBe("200 MB");
    expect(limit).toContain(`the docs say ${maxFileDocs}`);
    const video = Object.entries(modelDocs).filter(([name]) =>
      catalogue[name as ModelName].fields.some(
        (f) => f.name === "data" && (f as { accept?: readonly string[] }).accept?.includes("video/mp4"),
      ),
    );
    expect(video.length).toBeGreaterThan(0);
    for (const [name, docs] of video) {
      const data = (docs.fields as Record<string, string>).data!.replace(/\s+/g, " ");
      expect(data, name).toContain("at most 200 MB (the docs' words");
      expect(data, name).toContain(said);
    }
  });

  it("gives the spec's maxLength of every job_id and file_id path parameter as maxIdLength", () => {
    const lengths = Object.values<any>(spec.paths).flatMap((item) =>
      Object.values<any>(item).flatMap((op) =>
        (op.parameters ?? [])
          .map(deref)
          .filter((p: any) => p.in === "path" && ["job_id", "file_id"].includes(p.name))
          .map((p: any) => deref(p.schema).maxLength),
      ),
    );
    expect(lengths.length).toBe(4);
    for (const n of lengths) expect(maxIdLength).toBe(n);
  });

  it("gives lucy-pro-t2v the fields of the migration note", () => {
    const t2v = catalogue["lucy-pro-t2v"];
    const byName = Object.fromEntries(t2v.fields.map((f) => [f.name, f]));
    expect(byName.prompt).toMatchObject({ type: "string", required: true, minLength: 1, maxLength: 1000 });
    expect(byName.resolution).toMatchObject({ enum: ["720p", "480p"], default: "720p", required: false });
    expect(byName.orientation).toMatchObject({ enum: ["landscape", "portrait"], required: false });
    expect(byName.seed).toMatchObject({ type: "integer", required: false });
  });

  it("marks file fields with the media types they accept", () => {
    const data = catalogue["lucy-clip"].fields.find((f) => f.name === "data");
    expect(data).toMatchObject({ type: "file", required: true });
    expect(data && "accept" in data ? data.accept : []).toContain("video/mp4");
    const image = catalogue["lucy-image-2"].fields.find((f) => f.name === "data");
    expect(image && "accept" in image ? image.accept : []).toContain("image/png");
  });

  it("resolves aliases to canonical models with the same inputs", () => {
    const aliases = modelOps.filter((m) => m.x.aliasOf);
    expect(aliases.map((m) => m.x.name)).toEqual(
      expect.arrayContaining(["lucy-latest", "lucy-vton-latest", "lucy-restyle-latest", "lucy-clip-latest"]),
    );
    for (const m of aliases) {
      const target = canonicalModel(m.x.name);
      expect(target).toBe(m.x.aliasOf);
      const t = catalogue[target];
      expect("aliasOf" in t || "deprecatedInFavourOf" in t).toBe(false);
      expect(t.kind).toBe(m.x.kind);
      expect(catalogue[m.x.name as ModelName].fields).toEqual(t.fields);
    }
  });

  it("answers a name it does not know unchanged, prototype names included", () => {
    for (const name of ["lucy-nope", "", "constructor", "__proto__", "toString"])
      expect(canonicalModel(name)).toBe(name);
  });

  it("marks deprecated models in both the operation and the catalogue", () => {
    // (Which models are deprecated is the spec's to say: any, the checks below hold for each.)
    const deprecated = modelOps.filter((m) => m.op.deprecated);
    expect(deprecated.length).toBeGreaterThan(0);
    // Every deprecated model's entry says so, with a replacement or without; no other entry does.
    for (const m of modelOps) {
      const info = catalogue[m.x.name as ModelName] as { deprecated?: boolean };
      expect(info.deprecated, m.x.name).toBe(m.op.deprecated ? true : undefined);
    }
    for (const m of deprecated.filter((m) => m.x.deprecatedInFavourOf)) {
      const info = catalogue[m.x.name as ModelName];
      expect("deprecatedInFavourOf" in info && info.deprecatedInFavourOf).toBe(m.x.deprecatedInFavourOf);
      expect(isModelName(m.x.deprecatedInFavourOf)).toBe(true);
      expect(m.op.description).toContain(`Deprecated: use \`${m.x.deprecatedInFavourOf}\``);
    }
    for (const m of modelOps.filter((m) => !m.op.deprecated)) {
      expect("deprecatedInFavourOf" in catalogue[m.x.name as ModelName]).toBe(false);
    }
  });

  it("says of a model deprecated with no replacement when the official SDKs dropped it and that it may be gone", () => {
    // When the official SDKs dropped a model (docs/reference, not the spec): checked for each such model the spec still
    // serves; a model the spec deprecates with no replacement later need not be listed here.
    const removed: Record<string, string> = { "lucy-pro-flf2v": "2026-03-17", "lucy-motion": "2026-05-10" };
    const without = modelOps.filter((m) => m.op.deprecated && !m.x.deprecatedInFavourOf);
    for (const m of without) {
      const said = modelDocs[m.x.name as ModelName].description.replace(/\s+/g, " ");
      expect(said, m.x.name).toContain("Deprecated, with no replacement");
      if (Object.hasOwn(removed, m.x.name))
        expect(said, m.x.name).toContain(`removed from the official SDKs on ${removed[m.x.name]}`);
      expect(said, m.x.name).toContain("the server may answer 410");
      expect("deprecatedInFavourOf" in catalogue[m.x.name as ModelName]).toBe(false);
      expect(catalogue[m.x.name as ModelName]).toMatchObject({ deprecated: true });
      // Still served (tests, the CLI and the playground use them; the emulator keeps them for older SDKs).
      expect(isModelName(m.x.name)).toBe(true);
      expect(retiredModels.map((r) => r.name)).not.toContain(m.x.name);
    }
  });

  it("gives a video model the deprecated synchronous route the spec has for it, and no image model one", () => {
    // (A video model newer than that route has none: the spec's to say, as legacyOps reads it.)
    for (const [name, info] of Object.entries(catalogue)) {
      const legacy = legacyOps.find((l) => l.of === name);
      if (info.kind === "video" && legacy) {
        expect(legacy.op.deprecated, name).toBe(true);
        expect("legacySyncPath" in info && info.legacySyncPath).toBe(`/v1/generate/${name}`);
      } else {
        expect(legacy, name).toBeUndefined();
        expect("legacySyncPath" in info, name).toBe(false);
      }
    }
  });

  it("carries restyle's either-prompt-or-reference rule", () => {
    const rules = catalogue["lucy-restyle-2"].rules;
    expect(rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ rule: "exactlyOne", fields: ["prompt", "reference_image"] })]),
    );
  });

  it("keeps each model's prose apart from the catalogue, one description per field", () => {
    for (const m of modelOps) {
      const docs = modelDocs[m.x.name as ModelName];
      expect(docs.operationId).toBe(m.op.operationId);
      expect(docs.summary).toBe(m.op.summary);
      expect(Object.keys(docs.fields)).toEqual(catalogue[m.x.name as ModelName].fields.map((f) => f.name));
      for (const text of Object.values(docs.fields)) expect(text.length).toBeGreaterThan(0);
      expect(JSON.stringify(catalogue[m.x.name as ModelName])).not.toContain("description");
    }
  });

  it("lists retired models apart from the served ones, and the job states in order", () => {
    for (const r of retiredModels) expect(isModelName(r.name)).toBe(false);
    for (const name of [...retiredModels.map((r) => r.name), undefined, "", "toString", "__proto__", "lucy-pro-t2vv"]) {
      expect([isVideoModelName(name), isImageModelName(name)]).toEqual([false, false]);
    }
    expect(retiredModels.map((r) => r.name)).toContain("lucy-2.1-vton");
    expect(jobStatuses).toEqual(["pending", "processing", "completed", "failed"]);
  });
});
