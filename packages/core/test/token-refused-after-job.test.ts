/**
 * A token source that refuses (a `TOKEN_ERROR` keeping its 401 or 403) after a watch saw the job says, as the API's
 * 401 or 403 then does, that the job exists and goes on (it bills), and how to follow it.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartError, models, PermissionDeniedError } from "../src/index.js";
import { silent, useEmulatorClient, virtualTime } from "./helpers.js";

const env = useEmulatorClient({ timing: { pendingMs: 600_000, processingMs: 600_000 } });

describe("a token source that refuses after the job was seen", () => {
  it("ends the watch with a TOKEN_ERROR saying the job exists and goes on", async () => {
    const { job_id } = await env.client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a job" });
    let asked = 0;
    // A token valid for a minute (on the client's clock, from 0, moved only by its waits: its wall clock too), then a
    // refusal: the session ended.
    const page = createDecartClient({
      token: async () => {
        if (asked++) throw new PermissionDeniedError("Not allowed (HTTP 403)", { status: 403 });
        return { apiKey: env.emu.apiKey, expiresAt: new Date(60_000).toISOString() };
      },
      baseUrl: env.emu.url,
      logger: silent,
      poll: virtualTime(),
    });
    const seen: string[] = [];
    const error = (await page.queue
      .wait(job_id, { timeoutMs: 3_600_000, onStatusChange: (job) => seen.push(job.status) })
      .catch((e) => e)) as DecartError;
    expect(seen).toEqual(["pending"]);
    expect(error).toMatchObject({ code: "TOKEN_ERROR", status: 403, jobId: job_id });
    expect(error.message).toMatch(
      new RegExp(
        `^Job ${job_id} exists and goes on \\(it bills\\): The token route refused \\(HTTP 403\\): .*; follow it with queue\\.wait\\(jobId\\) once the token source gives a valid key$`,
      ),
    );
  });
});
