// A call cut by its own budget (`timeoutMs`) says how long that budget was: `process`'s request, the read of its file
// input given as a URL, and a watch's status read (`queue.wait`), as `submitAndPoll`'s submit and reads say it
// (budget.test.ts, input-reads.test.ts).
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, JobTimeoutError, models, TimeoutError } from "../src/index.js";
import { silent } from "./helpers.js";

// A server that takes every request and never answers it.
let server: Server;
let url: string;
let requests = 0;
beforeAll(async () => {
  server = createServer((req) => {
    requests++;
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

// The per-read limits are a minute: only the call's budget (300 ms) can end it.
const client = () =>
  createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, timeoutMs: 60_000, uploadTimeoutMs: 60_000 });

describe("a timeout at the end of a call's budget names the budget's length", () => {
  it("process: its request, never answered", async () => {
    const error = await client()
      .process({ model: models.image("lucy-pro-t2i"), prompt: "a lighthouse", timeoutMs: 300 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/lucy-pro-t2i: timed out \(the budget of 300 ms\); a job \(or file\) may exist/);
  });

  it("process: a file input's URL, never answered", async () => {
    const error = await client()
      .process({ model: models.image("lucy-pro-i2i"), prompt: "a lighthouse", data: `${url}/in.png`, timeoutMs: 300 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/^Could not download "data" from .*: timed out \(the budget of 300 ms\)$/);
  });

  it("a watch: the status read its budget cut names the figure, as the watch's timeout does", async () => {
    const error = await client()
      .queue.wait("job_never_read", { timeoutMs: 300, download: false })
      .catch((e) => e);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error.message).toMatch(/^Job job_never_read not done within 300 ms/);
    expect(error.cause).toBeInstanceOf(TimeoutError);
    expect(error.cause.message).toMatch(/\/v1\/jobs\/job_never_read: timed out \(the budget of 300 ms\)$/);
  });

  it("a deadline a fraction of a ms away: the budget named with its figure (0.3 ms), not as 0 ms", async () => {
    // (The client's clock stands still: the deadline stays 0.3 ms away, and the attempt's timer alone ends it.)
    const c = createDecartClient({
      apiKey: "k",
      baseUrl: url,
      logger: silent,
      timeoutMs: 60_000,
      poll: { now: () => 1000 },
    });
    const error = await c.queue
      .submit({ model: models.video("lucy-pro-t2v"), prompt: "a lighthouse", deadline: 1000.3 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/\/v1\/jobs\/lucy-pro-t2v: timed out \(the budget of 0\.3 ms\)/);
  });

  it("a view layer's watch: readStatus given the watch's budgetMs names it; a deadline alone, the watch says so", async () => {
    const c = client();
    const watch = c.queue.createWatch("job_layer", { timeoutMs: 300 });
    expect(watch.budgetMs).toBe(300);
    expect(c.queue.createWatch("job_layer", { deadline: watch.deadline }).budgetMs).toBeUndefined();
    const error = await c.queue
      .readStatus("job_layer", { deadline: watch.deadline, budgetMs: watch.budgetMs })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/\/v1\/jobs\/job_layer: timed out \(the budget of 300 ms\)$/);
  });

  it.each([
    ["readStatus", (c: ReturnType<typeof client>) => c.queue.readStatus("job_1", { budgetMs: "300" as never })],
    ["download", (c: ReturnType<typeof client>) => c.queue.download("job_1", { budgetMs: 0 })],
  ])("%s: a budgetMs that is no positive number is refused before anything is sent", async (_name, call) => {
    const error = await call(client()).catch((e) => e);
    expect(error).toMatchObject({ code: "INVALID_INPUT", field: "budgetMs" });
  });

  it.each([
    ["readStatus", (c: ReturnType<typeof client>) => c.queue.readStatus("job_1", { budgetMs: 300 })],
    ["status", (c: ReturnType<typeof client>) => c.queue.status("job_1", { budgetMs: 300 })],
    ["download", (c: ReturnType<typeof client>) => c.queue.download("job_1", { budgetMs: 300 })],
  ])(
    "%s: a budgetMs without deadline (it would name nothing) is refused, naming the fix, before anything is sent",
    async (_name, call) => {
      const before = requests;
      // (A per-read limit of 1 s: a call that were sent would end with a TimeoutError, not hang.)
      const c = createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, timeoutMs: 1000, maxRetries: 0 });
      const error = await call(c).catch((e) => e);
      expect(error).toMatchObject({ code: "INVALID_INPUT", field: "budgetMs" });
      expect(error.message).toBe('Invalid options: "budgetMs" must be given with `deadline`');
      expect(requests).toBe(before);
    },
  );
});
