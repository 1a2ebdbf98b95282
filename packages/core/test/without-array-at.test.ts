import { afterAll, beforeAll, expect, it } from "vitest";
import { models } from "../src/index.js";
import { json, serve, virtualClient } from "./helpers.js";

// A browser without `Array.prototype.at` (Safari before 15.4): a job submitted, read completed (its duration learnt
// from its timestamps), its result downloaded. The client uses no `at` of its own on the way.
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  server = await serve((req, res) => {
    if (req.method === "POST") return json(res, 200, { job_id: "job_1", status: "pending" });
    if (!req.url!.endsWith("/content"))
      return json(res, 200, {
        job_id: "job_1",
        status: "completed",
        created_at: "2026-12-07T10:00:00Z",
        updated_at: "2026-12-07T10:00:30Z",
      });
    res.writeHead(200, { "content-type": "video/mp4", "content-length": 4 });
    res.end(Buffer.from([0, 0, 0, 0]));
  });
});
afterAll(() => server.close());

it("without Array.prototype.at, submitAndPoll takes a completed job's result", async () => {
  const { client } = virtualClient(server.url);
  const at = Object.getOwnPropertyDescriptor(Array.prototype, "at")!;
  delete (Array.prototype as { at?: unknown }).at;
  try {
    const result = await client.queue.submitAndPoll({ model: models.video("lucy-pro-t2v"), prompt: "a lake" });
    expect(result.status === "completed" && result.data.size).toBe(4);
  } finally {
    Object.defineProperty(Array.prototype, "at", at);
  }
});
