/**
 * A malformed request behind valid ones on the same connection (pipelined, or bytes a client sent beyond the
 * Content-Length it counted wrong), and an error inside a routed request's body. Over raw sockets: every valid request
 * gets its whole answer first, then the error's JSON answer; nothing is lost, and each request is counted once.
 */
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Emulator, EmulatorOptions } from "../src/index.js";
import { pollUntil, start, submit } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function startWith(options: EmulatorOptions = {}): Promise<Emulator> {
  emu = await start(options);
  return emu;
}

/** Writes `bytes` on a new connection (never ending its side) and resolves with all it got once the server closed. */
function exchange(e: Emulator, bytes: string | Buffer): Promise<Buffer> {
  const u = new URL(e.url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {});
    socket.on("close", () => resolve(Buffer.concat(chunks)));
    socket.write(bytes);
  });
}

/** A request of a synchronous image route, whose answer comes after its wait: what the next request waits behind. */
function imageRequest(e: Emulator): string {
  const form = "prompt=an image";
  return (
    `POST /v1/generate/lucy-pro-t2i HTTP/1.1\r\n${head(e)}content-type: application/x-www-form-urlencoded\r\n` +
    `content-length: ${form.length}\r\n\r\n${form}`
  );
}

interface Answer {
  status: number;
  headers: string;
  body: Buffer;
}

/** Splits what a connection got into its answers (each framed by its Content-Length); a cut answer throws. */
function answers(all: Buffer): Answer[] {
  const out: Answer[] = [];
  let at = 0;
  while (at < all.length) {
    const end = all.indexOf("\r\n\r\n", at);
    if (end < 0) throw new Error(`a cut head: ${all.subarray(at).toString("latin1")}`);
    const headers = all.subarray(at, end).toString("latin1").toLowerCase();
    const length = Number(/\r\ncontent-length: (\d+)/.exec(headers)?.[1] ?? 0);
    const body = all.subarray(end + 4, end + 4 + length);
    if (body.length < length) throw new Error(`a cut body: ${body.length} of ${length} bytes`);
    out.push({ status: Number(/^http\/1\.1 (\d{3})/.exec(headers)?.[1]), headers, body });
    at = end + 4 + length;
  }
  return out;
}

const head = (e: Emulator) => `host: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n`;

describe("a malformed request behind a valid one on the same connection", () => {
  it("a submit whose Content-Length was counted in characters: the job's answer, then 400 for the extra bytes", async () => {
    const e = await startWith();
    // Two characters of two bytes: the form ends two bytes early ("seed=123"), and "45" starts a next request.
    const form = "prompt=été&seed=12345";
    expect(Buffer.byteLength(form)).toBeGreaterThan(form.length);
    const got = answers(
      await exchange(
        e,
        Buffer.concat([
          Buffer.from(
            `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\n${head(e)}content-type: application/x-www-form-urlencoded\r\n` +
              `content-length: ${form.length}\r\n\r\n`,
          ),
          Buffer.from(form),
        ]),
      ),
    );
    expect(got.map((a) => a.status)).toEqual([200, 400]);
    const job = JSON.parse(got[0]!.body.toString()) as { job_id: string; status: string };
    expect(job.status).toBe("pending");
    expect(e.job(job.job_id)?.model).toBe("lucy-pro-t2v");
    expect(got[1]!.headers).toContain("content-type: application/json");
    expect(got[1]!.headers).toContain("connection: close");
    expect(JSON.parse(got[1]!.body.toString())).toEqual({ detail: "Bad Request" });
    const s = e.stats();
    expect(s.jobsCreated).toBe(1);
    expect(s.requests).toMatchObject({ total: 2, byRoute: { submit: 1, other: 1 } });
  });

  it("a download pipelined with garbage: the whole result, then 400", async () => {
    const e = await startWith();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "pipelined download" });
    await pollUntil(e, id);
    const got = answers(await exchange(e, `GET /v1/jobs/${id}/content HTTP/1.1\r\n${head(e)}\r\nGARBAGE\r\n\r\n`));
    expect(got.map((a) => a.status)).toEqual([200, 400]);
    expect(got[0]!.body.length).toBe(e.job(id)!.resultBytes);
    expect(e.job(id)!.contentReads).toBe(1);
  });

  it("a head over 16 KiB behind a synchronous route's wait: the image first, then 431", async () => {
    const e = await startWith({ timing: { pendingMs: 0, processingMs: 200 } });
    const got = answers(
      await exchange(
        e,
        `${imageRequest(e)}GET /v1/jobs/job_x HTTP/1.1\r\n${head(e)}x-pad: ${"a".repeat(20_000)}\r\n\r\n`,
      ),
    );
    expect(got.map((a) => a.status)).toEqual([200, 431]);
    expect(got[0]!.headers).toContain("content-type: image/png");
    expect(JSON.parse(got[1]!.body.toString())).toEqual({ detail: "Request Header Fields Too Large" });
    expect(e.stats().requests).toMatchObject({ total: 2, byRoute: { process: 1, other: 1 } });
  });

  it("a CONNECT behind a synchronous route's wait: the image first, then 405", async () => {
    const e = await startWith({ timing: { pendingMs: 0, processingMs: 200 } });
    const got = answers(
      await exchange(e, `${imageRequest(e)}CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n`),
    );
    expect(got.map((a) => a.status)).toEqual([200, 405]);
    expect(got[0]!.headers).toContain("content-type: image/png");
  });
});

describe("an error inside the body of a routed request", () => {
  it("a bad chunk size answers that request 400, counted once", async () => {
    const e = await startWith();
    const got = answers(
      await exchange(
        e,
        `POST /v1/client/tokens HTTP/1.1\r\n${head(e)}transfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      ),
    );
    expect(got.map((a) => a.status)).toEqual([400]);
    expect(got[0]!.headers).toContain("content-type: application/json");
    expect(got[0]!.headers).toContain("connection: close");
    expect(JSON.parse(got[0]!.body.toString())).toEqual({ detail: "Bad Request" });
    expect(e.stats().requests).toMatchObject({ total: 1, byRoute: { tokens: 1, other: 0 } });
  });
});

describe("a request pipelined behind an answer that closes the connection", () => {
  const form = "prompt=pipelined behind a close";
  const submitRequest = (e: Emulator) =>
    `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\n${head(e)}content-type: application/x-www-form-urlencoded\r\n` +
    `content-length: ${form.length}\r\n\r\n${form}`;
  /** Requests answered before their body is read (or 417), each with the whole of its body sent. */
  const firsts = (e: Emulator): [string, number, string][] => {
    const host = `host: ${new URL(e.url).host}\r\n`;
    const body = `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${form.length}\r\n\r\n${form}`;
    return [
      ["a submit with a bad key", 401, `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\n${host}x-api-key: wrong\r\n${body}`],
      ["a forced 503", 503, `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\n${head(e)}x-emulator-fault: 503\r\n${body}`],
      ["a GET with a body", 404, `GET /v1/jobs/job_first HTTP/1.1\r\n${head(e)}content-length: 5\r\n\r\nhello`],
      ["a POST to a retired model", 410, `POST /v1/jobs/lucy-2-v2v HTTP/1.1\r\n${head(e)}${body}`],
      [
        "an Expect the emulator does not take",
        417,
        `GET /v1/jobs/job_first HTTP/1.1\r\n${head(e)}expect: bogus\r\n\r\n`,
      ],
    ];
  };

  it("is neither processed, counted nor logged: one answer, no job (RFC 9112, 9.6)", async () => {
    const lines: string[] = [];
    const e = await startWith({ logger: (line) => lines.push(line) });
    const cases = firsts(e);
    const got = await Promise.all(cases.map(([, , first]) => exchange(e, first + submitRequest(e))));
    got.forEach((all, i) => {
      const [label, status] = cases[i]!;
      const answered = answers(all);
      expect(
        answered.map((a) => a.status),
        label,
      ).toEqual([status]);
      expect(answered[0]!.headers, label).toContain("connection: close");
    });
    const s = e.stats();
    expect(s.jobsCreated).toBe(0);
    expect(s.requests.total).toBe(cases.length);
    await e.close();
    expect(lines.filter((l) => l.includes("→")).length).toBe(cases.length);
    expect(lines.join("\n")).not.toMatch(/cut|no answer/);
  });

  it("a keep-alive answer still lets the next request through (its job made and answered)", async () => {
    const e = await startWith();
    const got = answers(
      await exchange(
        e,
        `GET /v1/jobs/job_first HTTP/1.1\r\n${head(e)}\r\n${submitRequest(e).replace("\r\n\r\n", "\r\nconnection: close\r\n\r\n")}`,
      ),
    );
    expect(got.map((a) => a.status)).toEqual([404, 200]);
    expect(e.stats().jobsCreated).toBe(1);
  });

  it("bytes behind a request that said Connection: close itself are no request", async () => {
    const e = await startWith();
    const got = answers(
      await exchange(e, `GET /v1/jobs/job_first HTTP/1.1\r\n${head(e)}connection: close\r\n\r\n${submitRequest(e)}`),
    );
    expect(got.map((a) => a.status)).toEqual([404]);
    const s = e.stats();
    expect(s.jobsCreated).toBe(0);
    expect(s.requests).toMatchObject({ total: 1, byRoute: { status: 1, other: 0 } });
  });
});
