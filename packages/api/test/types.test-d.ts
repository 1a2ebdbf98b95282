import { describe, expectTypeOf, it } from "vitest";
import type { ImageModelName, JobStatus, ModelInputs, VideoModelName } from "../src/index.js";

describe("generated types", () => {
  it("requires prompt for lucy-pro-t2v, and orientation is the two-value union", () => {
    type T2V = ModelInputs<"lucy-pro-t2v">;
    expectTypeOf<T2V["prompt"]>().toEqualTypeOf<string>();
    expectTypeOf<T2V>().toHaveProperty("prompt");
    expectTypeOf<{ seed: 1 }>().not.toExtend<T2V>();
    expectTypeOf<NonNullable<T2V["orientation"]>>().toEqualTypeOf<"landscape" | "portrait">();
    expectTypeOf<NonNullable<T2V["resolution"]>>().toEqualTypeOf<"720p" | "480p">();
  });

  it("types file fields as Blob", () => {
    expectTypeOf<ModelInputs<"lucy-clip">["data"]>().toEqualTypeOf<Blob>();
    expectTypeOf<NonNullable<ModelInputs<"lucy-clip">["reference_image"]>>().toEqualTypeOf<Blob>();
  });

  it("splits models by kind", () => {
    expectTypeOf<"lucy-pro-t2v">().toExtend<VideoModelName>();
    expectTypeOf<"lucy-pro-t2i">().toExtend<ImageModelName>();
    expectTypeOf<"lucy-pro-t2i">().not.toExtend<VideoModelName>();
    expectTypeOf<JobStatus>().toEqualTypeOf<"pending" | "processing" | "completed" | "failed">();
  });
});
