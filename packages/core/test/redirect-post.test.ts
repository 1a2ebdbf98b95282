import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { clientFor, instantDelay, json, serve, startFast } from "./helpers.js";

// Fronts of the emulator on loopback (each port its own origin) that forward a request, or answer it with a redirect.
let emu: Emulator;
const servers: Server[] = [];
beforeAll(async () => {
  emu = await startFast();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
  await emu.close();
});

/** A front that answers `redirect`'s [Location, status] when it gives one, else forwards to the emulator. */
async function front(redirect: (path: string, method: string) => [string, number] | undefined = () => undefined) {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    const to = redirect(req.url!, req.method!);
    if (to) {
      req.resume();
      res.writeHead(to[1], { location: to[0] }).end();
      return;
    }
    const up = request(`${emu.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const submit = (baseUrl: string) =>
  clientFor(emu, { baseUrl, maxRetries: 0 })
    .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "redirected" })
    .catch((e) => e);

describe("a redirect answered to a submit (a POST)", () => {
  it("six 307s within one origin: more than 5 redirects, nothing taken (never SUBMIT_OUTCOME_UNKNOWN)", async () => {
    const gw = await front((path) => {
      const hop = /^\/p(\d)\//.exec(path);
      return hop ? [path.replace(/^\/p\d/, `/p${+hop[1]! + 1}`), 307] : undefined;
    });
    const e = await submit(`${gw.url}/p0`);
    expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 307 });
    expect(e.message).toContain("more than 5 redirects, nothing taken (HTTP 307");
    expect(e.message).not.toContain("may exist");
  });

  it("a 301 within one origin (a path that moved) is followed with the POST: the job is made", async () => {
    const gw = await front((path) => (path.startsWith("/old/") ? [path.slice(4), 301] : undefined));
    const job = await submit(`${gw.url}/old`);
    expect(job.job_id).toMatch(/^job_/);
    expect(gw.seen.filter((line) => line.startsWith("POST"))).toHaveLength(2);
    expect(gw.seen.some((line) => line.startsWith("GET"))).toBe(false);
  });

  for (const status of [301, 302, 307, 308])
    for (const upload of [false, true])
      it(`a gateway's ${status} to another origin (${upload ? "nodeUpload()" : "fetch"}): not followed, nothing sent there nor taken, the error says where`, async () => {
        const api = await front();
        const gw = await front((path) => [`${api.url}${path}`, status]);
        const jobs = emu.stats().jobsCreated;
        const e = await clientFor(emu, { baseUrl: gw.url, maxRetries: 0, ...(upload ? { upload: nodeUpload() } : {}) })
          .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "redirected" })
          .catch((e) => e);
        expect(e).toMatchObject({ code: "INVALID_RESPONSE", status, retryable: false });
        expect(e.message).toContain(
          `redirected to ${api.url}, nothing was sent there: set baseUrl to it if the API is there (HTTP ${status}`,
        );
        expect(e.message).not.toContain("may exist");
        expect(api.seen).toEqual([]);
        expect(emu.stats().jobsCreated).toBe(jobs);
      });

  it("a stream input through nodeUpload() answered a 301 to another origin: the redirect's error, not UPLOAD_NOT_REPEATABLE", async () => {
    const api = await front();
    const gw = await front((path) => [`${api.url}${path}`, 301]);
    const data = Readable.from([Buffer.alloc(64 * 1024), Buffer.alloc(64 * 1024)]);
    const e = await clientFor(emu, { baseUrl: gw.url, maxRetries: 0, upload: nodeUpload() })
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data } as never)
      .catch((e) => e);
    expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 301 });
    expect(e.message).toContain(`redirected to ${api.url}, nothing was sent there`);
    expect(api.seen).toEqual([]);
  });

  it("a status read redirected to another origin: the error names it and says the key was not sent there", async () => {
    const api = await front();
    const gw = await front((path) => [`${api.url}${path}`, 301]);
    const e = await clientFor(emu, { baseUrl: gw.url, maxRetries: 0 })
      .queue.status("job_x")
      .catch((e) => e);
    expect(e).toMatchObject({ status: 401 });
    expect(e.message).toContain(`; redirected to ${api.url}, the key withheld from another origin: set baseUrl`);
  });
});

describe("a redirect the client will not send a POST on: final, not sent again", () => {
  // Each such redirect took nothing (`nothing taken`, `nothing was sent there`), and was `retryable`: the submit was
  // sent again, up to maxRetries, to get the same redirect.
  const refused: [name: string, redirect: (api: string) => (path: string) => [string, number] | undefined][] = [
    ["a 301 to another origin", (api) => (path) => [`${api}${path}`, 301]],
    ["a 302 to another origin", (api) => (path) => [`${api}${path}`, 302]],
    ["a 307 to an ftp: URL", () => () => ["ftp://files.example/x", 307]],
    [
      "six 308s within one origin",
      () => (path) => {
        const hop = /^\/p(\d)\//.exec(path);
        return hop ? [path.replace(/^\/p\d/, `/p${+hop[1]! + 1}`), 308] : undefined;
      },
    ],
  ];
  for (const [name, redirect] of refused)
    for (const upload of [false, true])
      it(`${name} (${upload ? "nodeUpload()" : "fetch"}): retryable false, the POST sent once`, async () => {
        const api = await front();
        const gw = await front(redirect(api.url));
        const delay = instantDelay();
        const e = await clientFor(emu, {
          baseUrl: `${gw.url}/p0`,
          maxRetries: 2,
          poll: { delay },
          ...(upload ? { upload: nodeUpload() } : {}),
        })
          .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "redirected" })
          .catch((e) => e);
        expect(e).toMatchObject({ code: "INVALID_RESPONSE", retryable: false });
        expect(e.message).not.toContain("may exist");
        expect(delay.calls).toEqual([]);
        expect(gw.seen.filter((line) => line.startsWith("POST /p0/"))).toHaveLength(1);
        expect(api.seen).toEqual([]);
      });
});

describe("a POST sent on by a redirect, then answered 500", () => {
  /** A server that answers a path under /a/ with `status` to the same path without it, and any other with a 500. */
  async function failing(status: number) {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      req.on("end", () => {
        if (req.url!.startsWith("/a/")) res.writeHead(status, { location: req.url!.slice(2) }).end();
        else res.writeHead(500, { "content-type": "application/json" }).end('{"detail":"boom"}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
  }

  for (const status of [307, 308, 301, 302])
    for (const upload of [false, true])
      it(`a ${status} then a 500 (${upload ? "nodeUpload()" : "fetch"}): a job may exist, not sent again`, async () => {
        const s = await failing(status);
        const e = await clientFor(emu, {
          baseUrl: `${s.url}/a`,
          maxRetries: 2,
          ...(upload ? { upload: nodeUpload() } : {}),
        })
          .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
          .catch((e: unknown) => e);
        expect(s.seen.filter((line) => line.startsWith("POST /v1"))).toHaveLength(1);
        expect(e).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", status: 500 });
      });
});

describe("through a proxy (which adds the key): a POST's 307 or 308 to another origin is followed", () => {
  // A host's apex to www, or http to https, in front of the proxy route: nothing needs the key to go there.
  for (const status of [307, 308])
    for (const upload of [false, true])
      it(`a ${status} to another loopback origin (${upload ? "nodeUpload()" : "fetch"}): the job is made there`, async () => {
        const route = await serve((req, res, body) =>
          json(res, 200, { job_id: `job_${req.method}_${body.length > 0}`, status: "pending" }),
        );
        const gw = await front((path) => [`${route.url}/route${path}`, status]);
        try {
          const job = await createDecartClient({
            proxy: `${gw.url}/p`,
            maxRetries: 0,
            ...(upload ? { upload: nodeUpload() } : {}),
          }).queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "through the proxy" });
          expect(job).toEqual({ job_id: "job_POST_true", status: "pending" });
          expect(route.seen).toMatchObject([{ method: "POST", path: "/route/p/v1/jobs/lucy-pro-t2v", key: undefined }]);
        } finally {
          await route.close();
        }
      });

  it("a status read sent on by a 307 to another origin that answers 401: the error names `proxy`, no key withheld", async () => {
    // Through a proxy the client holds no key (the proxy adds it): none was withheld from the origin the 307 led to.
    const other = await serve((_req, res) => json(res, 401, { detail: "Missing API key" }));
    const gw = await front((path) => [`${other.url}${path}`, 307]);
    try {
      const e = await createDecartClient({ proxy: gw.url, maxRetries: 0 })
        .queue.status("job_x")
        .catch((e) => e);
      expect(e).toMatchObject({ code: "AUTHENTICATION", status: 401 });
      expect(e.message).toBe(
        `Missing API key (HTTP 401, request req_test); redirected to ${other.url}: set proxy to it if the API is there`,
      );
      expect(other.seen).toMatchObject([{ method: "GET", path: "/v1/jobs/job_x", key: undefined }]);
    } finally {
      await other.close();
    }
  });

  it("a 301 to another origin: not followed, the error names `proxy`", async () => {
    const route = await serve((_req, res) => json(res, 200, { job_id: "job_never", status: "pending" }));
    const gw = await front((path) => [`${route.url}${path}`, 301]);
    try {
      const e = await createDecartClient({ proxy: gw.url, maxRetries: 0 })
        .queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "x" })
        .catch((e) => e);
      expect(e).toMatchObject({ code: "INVALID_RESPONSE", status: 301, retryable: false });
      expect(e.message).toContain(`redirected to ${route.url}, nothing was sent there: set proxy to it`);
      expect(e.message).not.toContain("baseUrl");
      expect(route.seen).toEqual([]);
    } finally {
      await route.close();
    }
  });
});
