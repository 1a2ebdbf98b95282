/**
 * Hostile and broken clients, over real sockets: a head sent a byte at a time, a body that stops coming. Each is
 * answered 408 JSON and dropped, while an honest slow upload within the limits succeeds and other clients finish
 * their jobs. The limits are set small here, so nothing waits long, yet well above a busy machine's pauses where a
 * well-behaved client shares the server (a pause longer than a limit would cut it too); the outcomes are asserted,
 * never durations.
 */
import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Emulator, EmulatorOptions } from "../src/index.js";
import { get, multipart, pollUntil, start, submit } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function startWith(options: EmulatorOptions): Promise<Emulator> {
  emu = await start(options);
  return emu;
}

interface Hostile {
  socket: Socket;
  /** Resolves with what the server sent, once the connection is gone (closed or reset). */
  gone: Promise<string>;
}

/**
 * A connection that never ends its own side: once the server has ended its side, the client keeps writing `afterEnd`
 * (bytes the parser takes without complaint: empty lines before a request line), which the server's system resets
 * only when the server has let go of the connection (a half-closed one would read on).
 */
function hostile(url: string, afterEnd = "\r\n"): Hostile {
  const u = new URL(url);
  const socket = connect({ port: Number(u.port), host: u.hostname, allowHalfOpen: true });
  let out = "";
  socket.on("data", (c: Buffer) => {
    out += c.toString("latin1");
  });
  socket.on("error", () => {});
  socket.on("end", () => {
    if (afterEnd === "") return;
    const timer = setInterval(() => {
      if (socket.destroyed) clearInterval(timer);
      else socket.write(afterEnd);
    }, 10);
  });
  const gone = new Promise<string>((resolve) => socket.on("close", () => resolve(out)));
  return { socket, gone };
}

/** A head that never ends, written one byte at a time (before and after the answer) until the server drops it. */
function slowLoris(url: string): Hostile {
  const client = hostile(url, "");
  const head = `POST /v1/files HTTP/1.1\r\nhost: ${new URL(url).host}\r\nx-pad: ${"a".repeat(100_000)}`;
  let i = 0;
  const timer = setInterval(() => {
    if (client.socket.destroyed || i >= head.length) return clearInterval(timer);
    client.socket.write(head[i++]!);
  }, 10);
  client.gone.then(() => clearInterval(timer));
  return client;
}

/** A status line and JSON body out of a raw HTTP answer. */
function parse(answer: string): { status: number; headers: string; body: any } {
  const end = answer.indexOf("\r\n\r\n");
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]),
    headers: answer.slice(0, end).toLowerCase(),
    body: JSON.parse(answer.slice(end + 4)),
  };
}

/** Submits, polls and downloads one job: the well-behaved client beside the hostile ones. */
async function wellBehavedJob(e: Emulator): Promise<number> {
  const id = await submit(e, "lucy-pro-t2v", { prompt: "a well-behaved client" });
  const seen = await pollUntil(e, id);
  expect(seen.at(-1)!.status).toBe("completed");
  const res = await get(e, `/v1/jobs/${id}/content`);
  expect(res.status).toBe(200);
  return (await res.arrayBuffer()).byteLength;
}

/**
 * A finished job's download on a new connection, stalled half-way for `stallMs` (the emulator's stall fault), with
 * `next(host, id)` written right behind it on the same connection.
 */
async function behindADownload(e: Emulator, stallMs: number, next: (host: string, id: string) => string) {
  const id = await submit(e, "lucy-pro-t2v", { prompt: "a download before a 408" });
  await pollUntil(e, id);
  const host = new URL(e.url).host;
  const client = hostile(e.url);
  client.socket.write(
    `GET /v1/jobs/${id}/content HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${e.apiKey}\r\n` +
      `x-emulator-fault: stall; delay=${stallMs}\r\n\r\n${next(host, id)}`,
  );
  return { id, client };
}

/** The download's answer in `answer` goes out first and whole (job `id`'s result): the answer after it, parsed. */
function afterTheDownload(e: Emulator, id: string, answer: string) {
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  const bodyStart = answer.indexOf("\r\n\r\n") + 4;
  const length = e.job(id)!.resultBytes!;
  expect(Number(/content-length: (\d+)/i.exec(answer)?.[1])).toBe(length);
  return parse(answer.slice(bodyStart + length));
}

const BOUNDARY = "limits-boundary";

describe("a request head that comes too slowly", () => {
  it("a slow-loris client (a byte at a time) gets 408 JSON and is dropped; another client finishes its job", async () => {
    const e = await startWith({ headersTimeoutMs: 1000 });
    const loris = slowLoris(e.url);
    expect(await wellBehavedJob(e)).toBeGreaterThan(0);
    const answer = parse(await loris.gone);
    expect(answer.status).toBe(408);
    expect(answer.headers).toContain("content-type: application/json");
    expect(answer.body).toEqual({ detail: "Request Timeout" });
  });

  it("a connection that sends nothing at all is dropped too", async () => {
    const e = await startWith({ headersTimeoutMs: 1000 });
    const idle = hostile(e.url);
    const answer = parse(await idle.gone);
    expect(answer.status).toBe(408);
  });

  it("a pipelined head that comes too late behind a download is answered 408 after it, never in it", async () => {
    const e = await startWith({ headersTimeoutMs: 1000 });
    // The download sends half its body and stalls past the head's limit; the next request's head never ends. Whichever
    // ends first (on a busy machine), the download's answer goes out whole, then the 408.
    const { id, client } = await behindADownload(
      e,
      2000,
      (host, job) => `GET /v1/jobs/${job} HTTP/1.1\r\nhost: ${host}\r\n`,
    );
    expect(afterTheDownload(e, id, await client.gone).status).toBe(408);
    expect(e.job(id)!.contentReads).toBe(1);
  });
});

describe("a request sent on a connection after its 408 (the head came too slowly)", () => {
  // The 408 says Connection: close, and its client takes its request as not received and sends it again: the
  // emulator, which reads on while the close lingers, must drop what comes, or the request makes a second job.
  const form = "prompt=sent after the 408";
  const submitRequest = (e: Emulator) =>
    `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\nhost: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n` +
    `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${form.length}\r\n\r\n${form}`;

  /** Writes `later` on the connection as soon as its 408 arrives; resolves with all it got once the server let go. */
  function afterThe408(e: Emulator, first: string, later: string): Promise<string> {
    const client = hostile(e.url);
    client.socket.once("data", () => client.socket.write(later));
    if (first) client.socket.write(first);
    return client.gone;
  }
  /**
   * A submit split by `parts` into what is written first and what once the 408 came (head limit 500 ms): the one
   * answer is the 408, no job is made, and the 408 is all that is counted.
   */
  async function expectDroppedAfterThe408(parts: (whole: string) => [string, string]) {
    const e = await startWith({ headersTimeoutMs: 500 });
    const answer = await afterThe408(e, ...parts(submitRequest(e)));
    expect(answer.match(/HTTP\/1\.1 /g)).toEqual(["HTTP/1.1 "]);
    expect(parse(answer).status).toBe(408);
    const s = e.stats();
    expect(s.jobsCreated).toBe(0);
    expect(s.requests).toMatchObject({ total: 1, byRoute: { submit: 0, other: 1 } });
  }

  it("a whole request written on a connection that had sent nothing: dropped, no job, not counted", async () => {
    await expectDroppedAfterThe408((whole) => ["", whole]);
  });

  it("a head that ends after its 408 (a slow head that goes on): dropped, no job, not counted", async () => {
    await expectDroppedAfterThe408((whole) => {
      const cut = whole.indexOf("x-api-key");
      return [whole.slice(0, cut), whole.slice(cut)];
    });
  });

  it("a head that ends while its 408 waits behind a download: the download whole, the 408, no job", async () => {
    const e = await startWith({ headersTimeoutMs: 500 });
    const whole = submitRequest(e);
    const cut = whole.indexOf("x-api-key");
    // The download stalls half-way long past the head's limit: the 408 is decided (counted) while it waits.
    const { id, client } = await behindADownload(e, 5000, () => whole.slice(0, cut));
    while (e.stats().requests.byRoute.other === 0) await new Promise((r) => setTimeout(r, 10));
    client.socket.write(whole.slice(cut));
    expect(afterTheDownload(e, id, await client.gone).status).toBe(408);
    const s = e.stats();
    expect(s.jobsCreated).toBe(1);
    expect(s.requests.byRoute.submit).toBe(1);
  });
});

describe("a head that came in time while the emulator's own loop was busy", () => {
  // Node checks the head's deadline with a timer, and timers run before the sockets are read: the emulator's loop is
  // blocked here (as by a long synchronous step) right after the client wrote, so that its bytes wait in the system's
  // buffer past headersTimeoutMs. What had come by then is read before the head is judged too slow.
  const form = "prompt=sent whole, at once";
  const submitRequest = (e: Emulator) =>
    `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\nhost: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n` +
    `connection: close\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${form.length}\r\n\r\n${form}`;
  const statuses = (answer: string) => [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);

  /** A connection whose head deadline runs (the emulator accepted it), on which nothing was sent yet. */
  async function accepted(e: Emulator): Promise<Hostile> {
    const client = hostile(e.url);
    await new Promise((resolve) => client.socket.once("connect", resolve));
    // Connections are accepted in the order they came: once a request on one opened later is answered, this one is.
    await (await get(e, "/v1/jobs/job_unknown")).arrayBuffer();
    return client;
  }
  /** Blocks the loop (the emulator's too: it runs in this process) past the head's limit of 1 s. */
  const busy = () => {
    const end = performance.now() + 1500;
    while (performance.now() < end);
  };
  /**
   * On a connection an emulator (head limit 1 s) accepted, `write` sends its bytes, then the loop is busy: the
   * statuses its client got once the server let go, and the emulator's stats then.
   */
  async function writtenThenBusy(write: (client: Hostile, e: Emulator) => void) {
    const e = await startWith({ headersTimeoutMs: 1000 });
    const client = await accepted(e);
    write(client, e);
    busy();
    const answered = statuses(await client.gone);
    return { answered, stats: e.stats() };
  }

  it("a whole submit written at once: answered, one job, no 408", async () => {
    const { answered, stats } = await writtenThenBusy((client, e) => client.socket.write(submitRequest(e)));
    expect(answered).toEqual(["200"]);
    expect(stats.jobsCreated).toBe(1);
    expect(stats.requests.byRoute).toMatchObject({ submit: 1, other: 0 });
  });

  it("half a head written in time: still 408, and the rest, sent after it, is dropped (no job)", async () => {
    const { answered, stats } = await writtenThenBusy((client, e) => {
      const whole = submitRequest(e);
      const cut = whole.indexOf("x-api-key");
      client.socket.once("data", () => client.socket.write(whole.slice(cut)));
      client.socket.write(whole.slice(0, cut));
    });
    expect(answered).toEqual(["408"]);
    expect(stats.jobsCreated).toBe(0);
    expect(stats.requests.byRoute).toMatchObject({ submit: 0, other: 1 });
  });

  it("bytes that are not HTTP written in time: one answer, their 400, not a 408 besides", async () => {
    const { answered, stats } = await writtenThenBusy((client) => client.socket.write("NOT HTTP AT ALL\r\n\r\n"));
    expect(answered).toEqual(["400"]);
    expect(stats.requests.byRoute.other).toBe(1);
  });
});

describe("a request body that comes too slowly", () => {
  it("a body that stops half-way gets 408 JSON and the connection is closed; another client finishes its job", async () => {
    const e = await startWith({ requestTimeoutMs: 300, minUploadBytesPerSecond: 1000 });
    const body = multipart(BOUNDARY, [{ name: "file", filename: "a.bin", value: Buffer.alloc(50_000, 7) }]);
    const client = hostile(e.url);
    client.socket.write(
      `POST /v1/files HTTP/1.1\r\nhost: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n` +
        `content-type: multipart/form-data; boundary=${BOUNDARY}\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    client.socket.write(body.subarray(0, 1000));
    expect(await wellBehavedJob(e)).toBeGreaterThan(0);
    const answer = parse(await client.gone);
    expect(answer.status).toBe(408);
    expect(answer.headers).toContain("content-type: application/json");
    expect(answer.headers).toContain("connection: close");
    expect(answer.body.detail).toMatch(/^Request body too slow/);
    expect(e.stats().requests.byRoute.files).toBe(1);
  });

  describe("a request answered 408 while its answer waits behind a download, whose body then comes whole", () => {
    // The 408 waits for the stalled download before it on the connection, which stays open meanwhile: the body's
    // rest, sent then, is read, but the request is over (its client, told 408, sends it again): nothing is done.
    async function answeredThenWhole(
      e: Emulator,
      slow: Promise<void>,
      request: (host: string) => string,
      rest: string,
    ) {
      const { id, client } = await behindADownload(e, 5000, request);
      await slow;
      client.socket.write(rest);
      const second = afterTheDownload(e, id, await client.gone);
      expect(second.status).toBe(408);
      expect(second.body.detail).toMatch(/^Request body too slow/);
    }

    /** An emulator whose log says when it answered a body too slow. */
    async function startSlow(options: EmulatorOptions): Promise<{ e: Emulator; slow: Promise<void> }> {
      let seen!: () => void;
      const slow = new Promise<void>((resolve) => {
        seen = resolve;
      });
      const e = await startWith({
        requestTimeoutMs: 300,
        minUploadBytesPerSecond: 1000,
        ...options,
        logger: (line) => {
          if (line.includes("came too slowly")) seen();
        },
      });
      return { e, slow };
    }

    it("a submit makes no job", async () => {
      const { e, slow } = await startSlow({});
      const form = "prompt=a submit whose body comes after its 408";
      await answeredThenWhole(
        e,
        slow,
        (host) =>
          `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${e.apiKey}\r\n` +
          `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${form.length}\r\n\r\n${form.slice(0, 5)}`,
        form.slice(5),
      );
      expect(e.stats().jobsCreated).toBe(1);
    });

    it("a client token request makes no token (the only one of maxClientTokens stays free)", async () => {
      const { e, slow } = await startSlow({ maxClientTokens: 1 });
      const json = "{}";
      await answeredThenWhole(
        e,
        slow,
        (host) =>
          `POST /v1/client/tokens HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${e.apiKey}\r\n` +
          `content-type: application/json\r\ncontent-length: ${json.length}\r\n\r\n${json.slice(0, 1)}`,
        json.slice(1),
      );
      const res = await fetch(`${e.url}/v1/client/tokens`, {
        method: "POST",
        headers: { "x-api-key": e.apiKey, "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(200);
    });
  });

  it("an honest slow upload, longer than the floor but above the rate, succeeds", async () => {
    const e = await startWith({ requestTimeoutMs: 500, minUploadBytesPerSecond: 1000 });
    const body = multipart(BOUNDARY, [{ name: "file", filename: "a.bin", value: Buffer.alloc(100 * 1024, 7) }]);
    const u = new URL(e.url);
    const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          method: "POST",
          path: "/v1/files",
          headers: {
            "x-api-key": e.apiKey,
            "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
            "content-length": body.length,
          },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      // 1 KiB every 10 ms: well above the 1000 bytes per second asked, and far longer than the 500 ms floor alone.
      let sent = 0;
      const step = () => {
        const next = Math.min(body.length, sent + 1024);
        req.write(body.subarray(sent, next));
        sent = next;
        if (sent < body.length) setTimeout(step, 10);
        else req.end();
      };
      step();
    });
    expect(answer.status).toBe(200);
    expect(answer.body.size_bytes).toBe(100 * 1024);
  });
});

describe("a download client that stops reading", () => {
  /** Starts an emulator whose log says when it cut a client that took nothing of an answer. */
  async function startWatched(options: EmulatorOptions): Promise<{ e: Emulator; cut: Promise<string> }> {
    let seen!: (line: string) => void;
    const cut = new Promise<string>((resolve) => {
      seen = resolve;
    });
    const e = await startWith({
      ...options,
      logger: (line) => {
        if (line.includes("took nothing of the answer")) seen(line);
      },
    });
    return { e, cut };
  }

  it("is cut once it takes nothing for writeTimeoutMs; another client finishes its job meanwhile", async () => {
    const { e, cut } = await startWatched({ writeTimeoutMs: 1000, resultBytes: 32 * 1024 * 1024 });
    const id = await submit(e, "lucy-pro-t2v", { prompt: "a download nobody reads" });
    await pollUntil(e, id);
    const client = hostile(e.url);
    client.socket.once("data", () => client.socket.pause());
    client.socket.write(
      `GET /v1/jobs/${id}/content HTTP/1.1\r\nhost: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n\r\n`,
    );
    expect(await wellBehavedJob(e)).toBe(32 * 1024 * 1024);
    expect(await cut).toContain("connection cut");
    // Read what was already on its way: the answer stops short of its Content-Length.
    client.socket.resume();
    const answer = await client.gone;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.length - answer.indexOf("\r\n\r\n") - 4).toBeLessThan(32 * 1024 * 1024);
  });

  it("is cut at writeTimeoutMs after its last write was taken, not twice that: back at 1.75× the limit, it is cut", async () => {
    // Node's socket idle timer, when it ran out while a write was taken in part, started once more: a client that
    // stopped reading was cut only after twice the limit, and one that came back to read before that was never cut.
    const limit = 2000;
    const { e, cut } = await startWatched({ writeTimeoutMs: limit, resultBytes: 32 * 1024 * 1024 });
    const id = await submit(e, "lucy-pro-t2v", { prompt: "a download read again too late" });
    await pollUntil(e, id);
    const client = hostile(e.url);
    client.socket.once("data", () => {
      client.socket.pause();
      setTimeout(() => client.socket.resume(), limit * 1.75);
    });
    client.socket.write(
      `GET /v1/jobs/${id}/content HTTP/1.1\r\nhost: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n\r\n`,
    );
    let taken = 0;
    const whole = new Promise<string>((resolve) => {
      client.socket.on("data", (c: Buffer) => {
        taken += c.length;
        if (taken > 32 * 1024 * 1024) resolve("the whole answer");
      });
    });
    expect(await Promise.race([cut, whole])).toContain(`took nothing of the answer for ${limit} ms`);
    const answer = await client.gone;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.length - answer.indexOf("\r\n\r\n") - 4).toBeLessThan(32 * 1024 * 1024);
  });

  it("the pause of a stall fault does not count: the stalled download completes", async () => {
    const e = await startWith({ writeTimeoutMs: 500 });
    const id = await submit(e, "lucy-pro-t2v", { prompt: "a stalled download" });
    await pollUntil(e, id);
    const res = await get(e, `/v1/jobs/${id}/content`, { "x-emulator-fault": "stall; delay=1500" });
    expect(res.status).toBe(200);
    const bytes = (await res.arrayBuffer()).byteLength;
    expect(bytes).toBe(Number(res.headers.get("content-length")));
    expect(bytes).toBe(e.job(id)!.resultBytes);
  });

  it("a pipelined request waiting on a synchronous route is not cut while the emulator works", async () => {
    const e = await startWith({ writeTimeoutMs: 500, timing: { pendingMs: 0, processingMs: 1500 } });
    const host = new URL(e.url).host;
    const form = "prompt=pipelined";
    const client = hostile(e.url);
    client.socket.write(
      `GET /v1/jobs/job_unknown HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${e.apiKey}\r\n\r\n` +
        `POST /v1/generate/lucy-pro-t2i HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${e.apiKey}\r\nconnection: close\r\n` +
        `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${form.length}\r\n\r\n${form}`,
    );
    const answer = await client.gone;
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(answer).toContain("HTTP/1.1 200 OK");
    expect(answer).toContain("content-type: image/png");
  });
});

describe("limit options", () => {
  it("refuses a limit that is not a positive number", async () => {
    await expect(start({ headersTimeoutMs: 0 })).rejects.toThrow(/headersTimeoutMs/);
    await expect(start({ minUploadBytesPerSecond: Number.NaN })).rejects.toThrow(/minUploadBytesPerSecond/);
    for (const maxUploadBytes of [Number.NaN, -1, Number.POSITIVE_INFINITY, "5"]) {
      await expect(start({ maxUploadBytes: maxUploadBytes as number }), String(maxUploadBytes)).rejects.toThrow(
        /maxUploadBytes must be a non-negative number/,
      );
    }
  });

  it("refuses a duration longer than a timer can wait (2^31−1 ms), and takes that longest one", async () => {
    for (const name of [
      "headersTimeoutMs",
      "requestTimeoutMs",
      "writeTimeoutMs",
      "jobTimeoutMs",
      "retentionMs",
    ] as const) {
      await expect(start({ [name]: 2 ** 31 }), name).rejects.toThrow(
        new RegExp(`${name} must be a (positive|non-negative) number, at most 2147483647 ms`),
      );
      await expect(start({ [name]: Number.POSITIVE_INFINITY }), name).rejects.toThrow(name);
      await (await start({ [name]: 2 ** 31 - 1 })).close();
    }
  });

  it("a body whose deadline is further than a timer can wait (a very low upload rate) is waited for, not polled", async () => {
    // 1 byte per 10^6 s: the 10 body bytes below put the deadline 10^7 s away, far beyond a timer's longest wait, which
    // Node would turn into a 1 ms timer (with a TimeoutOverflowWarning) re-armed for as long as the upload is open.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const e = await startWith({ requestTimeoutMs: 1, minUploadBytesPerSecond: 0.000001 });
      const body = multipart(BOUNDARY, [{ name: "file", filename: "a.bin", value: Buffer.alloc(100, 7) }]);
      const client = hostile(e.url);
      client.socket.write(
        `POST /v1/files HTTP/1.1\r\nhost: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\nconnection: close\r\n` +
          `content-type: multipart/form-data; boundary=${BOUNDARY}\r\ncontent-length: ${body.length}\r\n\r\n`,
      );
      // Once the head is in (the request is counted), its body watch has armed its first check, due in 1 ms.
      while (e.stats().requests.byRoute.files !== 1) await new Promise((r) => setImmediate(r));
      client.socket.write(body.subarray(0, 10));
      // A timer armed now fires after that check (timers run in the order they are due), and the check's last step
      // (a setImmediate, after the socket was read) before the next one below.
      await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.startsWith("TimeoutOverflowWarning"))).toEqual([]);
      client.socket.end(body.subarray(10));
      expect(parse(await client.gone).status).toBe(200);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
