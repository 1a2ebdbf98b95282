// The core's engine alone decides when to read and to download again, and how to wait: queue-rx runs its steps and
// adds no policy of its own. A purpose-built server (answers the emulator never gives), and a client whose clock moves
// only as its `poll.delay` is asked to wait: no real time is waited, and every run asks the same waits.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  createDecartClient,
  type DecartClient,
  type DelayFunction,
  InvalidInputError,
  InvalidResponseError,
  type JobEvent,
  type Logger,
  models,
} from "@decart/core";
import { lastValueFrom, tap, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { throwOnFailure } from "../src/operators.js";
import { submitJob, watchJob } from "../src/watch.js";
import { until } from "./helpers.js";
import { silent } from "./marbles.js";

/** A server run by `answer`, the paths it was asked for, and a client of it whose clock is moved by its waits. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url!);
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  let t = 0;
  const client = (delay?: DelayFunction, logger: Logger = silent): DecartClient =>
    createDecartClient({
      apiKey: "dct_test",
      baseUrl: `http://127.0.0.1:${port}`,
      logger,
      random: () => 0.5,
      poll: { now: () => t, ...(delay && { delay }) },
    });
  /** A wait that moves the clock by `ms` at once, noting `ms` in `waits`. */
  const waiting = (waits: number[]): DelayFunction => {
    return async (ms) => {
      waits.push(ms);
      t += ms;
    };
  };
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { paths, client, waiting, close };
}

const json = (res: ServerResponse, body: object) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("the core's engine decides, queue-rx runs its steps", () => {
  it("a result answered as no video (200 text/html) is downloaded as often as the core's own watch downloads it", async () => {
    const server = await serve((req, res) => {
      if (!req.url!.endsWith("/content"))
        return json(res, { job_id: /job_\w+/.exec(req.url!)![0], status: "completed" });
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>a login page</html>");
    });
    try {
      const client = server.client(server.waiting([]));
      const contentOf = (jobId: string) => server.paths.filter((p) => p === `/v1/jobs/${jobId}/content`).length;
      const core = await client.queue.wait("job_core").catch((e) => e);
      const rx = await lastValueFrom(watchJob(client, "job_rx")).catch((e) => e);
      expect(core).toBeInstanceOf(InvalidResponseError);
      expect(rx).toBeInstanceOf(InvalidResponseError);
      expect(rx.jobId).toBe("job_rx");
      // The engine's retries, and no client retry inside each of them (one attempt per download).
      expect(contentOf("job_core")).toBeGreaterThan(1);
      expect(contentOf("job_rx")).toBe(contentOf("job_core"));
    } finally {
      await server.close();
    }
  });

  it("the call's poll.delay does every wait, as in the core's watch: the same waits, each asked with a signal", async () => {
    const reads = new Map<string, number>();
    const server = await serve((req, res) => {
      const jobId = /job_\w+/.exec(req.url!)![0];
      reads.set(jobId, (reads.get(jobId) ?? 0) + 1);
      // Processing for three reads, then completed; a 503 on the second read (a retry's backoff is a wait too).
      const n = reads.get(jobId)!;
      if (n === 2) {
        res.writeHead(503, { "content-type": "application/json" });
        return res.end("{}");
      }
      json(res, { job_id: jobId, status: n > 3 ? "completed" : "processing" });
    });
    try {
      const client = server.client();
      const poll = (waits: number[], signals: AbortSignal[]) => {
        const move = server.waiting(waits);
        const delay: DelayFunction = (ms, signal) => {
          signals.push(signal!);
          return move(ms, signal);
        };
        return { initialDelayMs: 5000, intervalMs: 5000, maxIntervalMs: 5000, delay };
      };
      const core: number[] = [];
      const rx: number[] = [];
      const signals: AbortSignal[] = [];
      const waited = await client.queue.wait("job_core", { download: false, poll: poll(core, []) });
      const watched = await lastValueFrom(watchJob(client, "job_rx", { download: false, poll: poll(rx, signals) }));
      expect(waited.status).toBe("completed");
      expect(watched.type).toBe("completed");
      expect(core).toContain(5000);
      expect(rx).toEqual(core);
      expect(signals).toHaveLength(rx.length);
      expect(signals.every((s) => s instanceof AbortSignal && !s.aborted)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("a status read tried again goes to the client's logger's debug, as the core's own watch says it", async () => {
    // Each job's first read is answered 503, the next completed; a submit makes job_s1, job_s2 …
    const reads = new Map<string, number>();
    let made = 0;
    const server = await serve((req, res) => {
      if (req.method === "POST") return json(res, { job_id: `job_s${++made}`, status: "pending" });
      const jobId = /job_\w+/.exec(req.url!)![0];
      reads.set(jobId, (reads.get(jobId) ?? 0) + 1);
      if (reads.get(jobId) === 1) {
        res.writeHead(503, { "content-type": "application/json" });
        return res.end(JSON.stringify({ detail: "maintenance" }));
      }
      json(res, { job_id: jobId, status: "completed" });
    });
    try {
      const said: string[] = [];
      const client = server.client(server.waiting([]), { debug: (m) => said.push(m), warn: () => {} });
      const input = { model: models.video("lucy-pro-t2v"), prompt: "a lake" };
      await client.queue.wait("job_core", { download: false });
      const [core] = said;
      expect(core).toMatch(/^Job job_core: .*503.*; retry 1 in \d+ ms$/);
      await lastValueFrom(watchJob(client, "job_rx", { download: false }));
      await lastValueFrom(submitJob(client, input, { download: false }));
      await lastValueFrom(submitAll(client, [input, input], { download: false }).pipe(toArray()));
      // One line for each job's one retried read, as the core's watch writes it (the same wait: the same jitter).
      expect(said).toEqual(
        ["job_core", "job_rx", "job_s1", "job_s2", "job_s3"].map((id) => core!.replaceAll("job_core", id)),
      );
    } finally {
      await server.close();
    }
  });

  it("a wait of poll.delay: unsubscribing aborts its signal, and one that rejects ends the watch with CALLBACK_ERROR", async () => {
    const server = await serve((req, res) => json(res, { job_id: /job_\w+/.exec(req.url!)![0], status: "processing" }));
    try {
      const client = server.client();
      let asked: AbortSignal | undefined;
      const forever: DelayFunction = (_ms, signal) => {
        asked = signal;
        return new Promise(() => {});
      };
      const watching = watchJob(client, "job_a", { download: false, poll: { delay: forever } }).subscribe();
      await until(() => asked !== undefined);
      expect(asked!.aborted).toBe(false);
      watching.unsubscribe();
      expect(asked!.aborted).toBe(true);
      const boom = new Error("boom");
      const error = await lastValueFrom(
        watchJob(client, "job_b", { download: false, poll: { delay: () => Promise.reject(boom) } }),
      ).catch((e) => e);
      expect(error).toMatchObject({ code: "CALLBACK_ERROR", jobId: "job_b", cause: boom });
    } finally {
      await server.close();
    }
  });

  it("a 503 whose Retry-After is longer than what is left ends the watch at once, in JobTimeoutError naming it", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { "content-type": "application/json", "retry-after": "30" });
      res.end(JSON.stringify({ detail: "maintenance" }));
    });
    try {
      const waits: number[] = [];
      const events: JobEvent[] = [];
      const error = await lastValueFrom(
        watchJob(server.client(server.waiting(waits)), "job_a", { timeoutMs: 20_000 }).pipe(tap((e) => events.push(e))),
      ).catch((e) => e);
      // The first read, and no wait for a try the budget cannot hold: no `retrying`, no silence until the deadline.
      expect(waits).toEqual([0]);
      expect(events).toEqual([]);
      expect(error).toMatchObject({ name: "JobTimeoutError", jobId: "job_a" });
      expect(error.message).toContain(
        "asked to wait 30000 ms (Retry-After), past the budget's end: maintenance (HTTP 503",
      );
      expect(error.cause).toMatchObject({ name: "ServerError", retryAfterMs: 30_000 });
    } finally {
      await server.close();
    }
  });

  it("a job id with a lone surrogate (half of an emoji) is refused naming jobId, before any request", async () => {
    const server = await serve((_req, res) => json(res, { job_id: "job_a", status: "processing" }));
    try {
      const error = await lastValueFrom(watchJob(server.client(), "job_🎬".slice(0, 5))).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "jobId" });
      expect(server.paths).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("a failed job's reason that quotes the key: throwOnFailure's JobFailedError says it redacted", async () => {
    const server = await serve((req, res) =>
      json(res, { job_id: "job_a", status: "failed", error: `quota exceeded for ${req.headers["x-api-key"]}` }),
    );
    try {
      const error = await lastValueFrom(watchJob(server.client(), "job_a").pipe(throwOnFailure())).catch((e) => e);
      expect(error).toMatchObject({ name: "JobFailedError", reason: "quota exceeded for [redacted]" });
      expect(error.message).toBe("Job job_a failed: quota exceeded for [redacted]");
    } finally {
      await server.close();
    }
  });
});
