/**
 * Once an answer says the server may have taken a POST (`mayHaveTaken`: a 2xx or a redirect, whatever follows it),
 * nothing after it sends the POST again (unless `retrySubmit`), and the call fails with `SUBMIT_OUTCOME_UNKNOWN`.
 * Purpose-built servers on loopback play the answers the emulator cannot make.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, type DecartClientOptions, models } from "../src/index.js";
import { mayHaveTaken, nodeUpload } from "../src/node.js";
import { closedPort, instantDelay, serve, silent } from "./helpers.js";

const KEY = "dct_taken_key_0123456789abcdef";
const t2v = () => models.video("lucy-pro-t2v");

const client = (url: string, options: Parameters<typeof createDecartClient>[0] = {}) =>
  createDecartClient({
    apiKey: KEY,
    baseUrl: url,
    logger: silent,
    poll: { delay: instantDelay() },
    ...options,
  } as DecartClientOptions);

describe("a submit redirected after the server took it", () => {
  // The server made the job and sends the client to its status on a host that refuses connections: the refused GET
  // said nothing was sent (it was retryable, as a refused POST is), and the whole submit was POSTed again.
  it("a 303 whose GET is refused: SUBMIT_OUTCOME_UNKNOWN with the 303's request id, the POST not sent again", async () => {
    const dead = await closedPort();
    const api = await serve((_req, res) => {
      res.writeHead(303, { location: `http://127.0.0.1:${dead}/v1/jobs/job_1`, "x-request-id": "req_see" });
      res.end();
    });
    try {
      const error = await client(api.url)
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_see" });
      expect(error.message).toMatch(
        /: connection refused \(request req_see\); a job \(or file\) may exist: not sent again \(that could bill twice\): ask support before retrying$/,
      );
      expect(api.seen).toHaveLength(1);
      const polled = await client(api.url)
        .queue.submitAndPoll({ model: t2v(), prompt: "x", timeoutMs: 60_000 })
        .catch((e) => e);
      expect(polled).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false });
      expect(api.seen).toHaveLength(2);
    } finally {
      await api.close();
    }
  });
});

describe("a submit answered with a redirect that is not followed, or one whose next hop fails for good", () => {
  // mayHaveTaken of a 303, a 300 or a 304 is true: a job may exist. A final failure (not retryable) went out as it was,
  // an HTTP_ERROR "HTTP error (HTTP 300)" or the next hop's 404, as if the server had refused the submit.
  const answers: [name: string, answer: (path: string) => [status: number, headers: Record<string, string>]][] = [
    ["a 304", () => [304, {}]],
    ["a 300 without Location", () => [300, {}]],
    ["a 303 whose GET gets 404", (path) => (path === "/gone" ? [404, {}] : [303, { location: "/gone" }])],
    ["a 303 whose GET gets 401", (path) => (path === "/other" ? [401, {}] : [303, { location: "/other" }])],
    ["a 303 to an ftp: URL (not followed)", () => [303, { location: "ftp://files.example/job_1" }]],
  ];
  // With a token source, a 401 is read as the key refused: the token is renewed and the request sent once more. Here
  // the 401 answered the GET a 303 led to, on another origin (sent without the key): the POST was sent again.
  it("a 303 to another origin whose GET gets 401, with a token source: no new token, the POST not sent again", async () => {
    const other = await serve((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"detail":"Missing API key"}');
    });
    const api = await serve((_req, res) => {
      res.writeHead(303, { location: `${other.url}/v1/jobs/job_1`, "x-request-id": "req_see" });
      res.end();
    });
    let tokens = 0;
    const token = async () => ({ apiKey: `ek_${++tokens}`, expiresAt: new Date(Date.now() + 600e3).toISOString() });
    try {
      const error = await createDecartClient({ token, baseUrl: api.url, logger: silent })
        .queue.submit({ model: t2v(), prompt: "x" })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, status: 401 });
      expect(api.seen).toHaveLength(1);
      expect(other.seen.map((r) => r.key)).toEqual([undefined]);
      expect(tokens).toBe(1);
    } finally {
      await Promise.all([api.close(), other.close()]);
    }
  });

  for (const [name, answer] of answers) {
    it(`${name}: SUBMIT_OUTCOME_UNKNOWN, not sent again but with retrySubmit`, async () => {
      const api = await serve((req, res) => {
        const [status, headers] = answer(req.url!);
        res.writeHead(status, { ...headers, "x-request-id": "req_odd" });
        res.end();
      });
      try {
        const error = await client(api.url)
          .queue.submit({ model: t2v(), prompt: "x" })
          .catch((e) => e);
        expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_odd" });
        expect(error.message).toMatch(/ \(HTTP \d+, request req_odd\); a job \(or file\) may exist: not sent again/);
        // (Said once: an error settled where it is made is not settled again on its way out.)
        expect(error.message.split("may exist")).toHaveLength(2);
        expect(api.seen.filter((r) => r.method === "POST")).toHaveLength(1);
        await client(api.url, { retrySubmit: true, maxRetries: 1 })
          .queue.submit({ model: t2v(), prompt: "x" })
          .catch(() => {});
        expect(api.seen.filter((r) => r.method === "POST")).toHaveLength(3);
      } finally {
        await api.close();
      }
    });
  }
});

describe("a submit answered 301, 302, 307 or 308 without a Location", () => {
  // A redirect that asks for the same request elsewhere says the server that answered it took nothing, whether or not
  // it can be followed (mayHaveTaken of it is false, as for one followed or refused): it was SUBMIT_OUTCOME_UNKNOWN
  // here, "a job may exist", and mayHaveTaken(301) answered true.
  for (const status of [301, 302, 307, 308])
    it(`${status}: its error as it is, nothing may exist, final, sent once (through fetch and nodeUpload)`, async () => {
      const api = await serve((_req, res) => {
        res.writeHead(status, { "x-request-id": "req_odd" });
        res.end();
      });
      try {
        for (const upload of [undefined, nodeUpload()]) {
          const error = await client(api.url, { upload, maxRetries: 2 })
            .queue.submit({ model: t2v(), prompt: "x" })
            .catch((e) => e);
          expect(error).toMatchObject({ code: "HTTP_ERROR", status, retryable: false, requestId: "req_odd" });
          expect(error.message).not.toMatch(/may exist/);
          expect(mayHaveTaken(status, undefined)).toBe(false);
        }
        expect(api.seen.map((r) => r.method)).toEqual(["POST", "POST"]);
      } finally {
        await api.close();
      }
    });
});

describe("a submit sent on by a 307 or 308", () => {
  // A 307 or 308 asks for the same POST at another place: the server that answered it took nothing, and the answer of
  // the POST sent on decides (a 422 there is the submit refused, not a job that may exist).
  for (const status of [307, 308]) {
    it(`${status} to a place that refuses the submit: the 422 as it is, nothing may exist`, async () => {
      const api = await serve((req, res) => {
        if (req.url!.endsWith("/")) {
          res.writeHead(status, { location: req.url!.slice(0, -1) });
          return void res.end();
        }
        res.writeHead(422, { "content-type": "application/json" });
        res.end('{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required"}]}');
      });
      try {
        const error = await client(api.url)
          .queue.submit({ model: { ...t2v(), path: `${t2v().path}/` }, prompt: "x" })
          .catch((e) => e);
        expect(error).toMatchObject({ status: 422, retryable: false });
        expect(error.code).not.toBe("SUBMIT_OUTCOME_UNKNOWN");
        expect(error.message).not.toMatch(/may exist/);
        expect(api.seen.map((r) => r.method)).toEqual(["POST", "POST"]);
      } finally {
        await api.close();
      }
    });
  }
});

describe("a JSON answer whose connection fails once it came whole", () => {
  // The submit's answer, chunked (or with a Content-Length it does not reach), its whole JSON sent, then the connection
  // closed before the body's end (a proxy that closes early): the job id came, and was thrown away with the text read.
  const whole = '{"job_id":"job_42","status":"pending"}';
  for (const [name, headers] of [
    ["chunked", {}],
    ["a Content-Length it does not reach", { "content-length": String(whole.length + 10) }],
  ] as const) {
    it(`${name}: the answer is taken, through fetch and nodeUpload; a part of it is SUBMIT_OUTCOME_UNKNOWN`, async () => {
      let text = whole;
      const api = await serve((_req, res) => {
        res.writeHead(200, { ...headers, "content-type": "application/json", "x-request-id": "req_cut" });
        res.write(text, () => res.socket!.destroy());
      });
      try {
        for (const upload of [undefined, nodeUpload()]) {
          text = whole;
          const job = await client(api.url, { upload }).queue.submit({ model: t2v(), prompt: "x" });
          expect(job).toEqual({ job_id: "job_42", status: "pending" });
          text = whole.slice(0, -1);
          const error = await client(api.url, { upload })
            .queue.submit({ model: t2v(), prompt: "x" })
            .catch((e) => e);
          expect(error).toBeInstanceOf(ConnectionError);
          expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", retryable: false, requestId: "req_cut" });
        }
        expect(api.seen).toHaveLength(4);
      } finally {
        await api.close();
      }
    });
  }

  it("a status read whose whole JSON came, the body's end never coming: the answer is taken once the read's time runs out", async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"job_id":"job_42","status":"processing"}');
    });
    // (Time enough for the answer's headers on a loaded machine: the read's time then runs out on the body's end.)
    try {
      expect(await client(api.url, { timeoutMs: 1500, maxRetries: 0 }).queue.status("job_42")).toEqual({
        job_id: "job_42",
        status: "processing",
      });
    } finally {
      await api.close();
    }
  });
});
