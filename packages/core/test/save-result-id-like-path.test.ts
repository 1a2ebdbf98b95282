/**
 * A job id's format is not documented (spec: JobSubmitResponse.job_id): an id with a dot and a media extension, or a
 * slash, is saved as `queue.download` downloads it. Only a call whose path argument is no path (the arguments swapped)
 * or whose id is an absolute path is refused as `saveResult(client, path, jobId)`.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, InvalidInputError } from "../src/index.js";
import { saveResult } from "../src/node.js";
import { json, serve, silent } from "./helpers.js";

// An MP4's first box (`ftyp isom`), as the content of every job.
const mp4 = Buffer.from("000000186674797069736f6d0000020069736f6d69736f32", "hex");
let server: Awaited<ReturnType<typeof serve>>;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-core-save-id-"));
  server = await serve((req, res) => {
    const id = decodeURIComponent(req.url!.split("/")[3]!);
    if (req.url!.endsWith("/content")) {
      res.writeHead(200, { "content-type": "video/mp4" });
      res.end(mp4);
    } else json(res, 200, { job_id: id, status: "completed" });
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("saveResult of a job id that looks like a file's name", () => {
  it.each(["take-2.gif", "team/42", "run.webm"])("saves job %s to the path given", async (id) => {
    const client = createDecartClient({ apiKey: "dct_test_key_0123456789", baseUrl: server.url, logger: silent });
    const path = join(dir, `${id.replace(/\W/g, "_")}.mp4`);
    const saved = await saveResult(client, id, path);
    expect(saved.bytes).toBe(mp4.length);
    expect(await readFile(path)).toEqual(mp4);
    expect(server.seen.some((s) => s.path === `/v1/jobs/${encodeURIComponent(id)}/content`)).toBe(true);
  });

  it("still refuses the arguments swapped, a relative path where the id goes", async () => {
    const client = createDecartClient({ apiKey: "dct_test_key_0123456789", baseUrl: server.url, logger: silent });
    const before = server.arrived();
    const error = await saveResult(client, "out.mp4", "job_abc").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "jobId" });
    expect(server.arrived()).toBe(before);
  });
});
