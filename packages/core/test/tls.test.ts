import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, models } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { silent } from "./helpers.js";

// An https server whose certificate is self-signed (made for this run by openssl): the client does not trust it.
let server: Server;
let url: string;
let dir: string;
let connections = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-tls-"));
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "2"].concat([
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]),
    { stdio: "ignore" },
  );
  server = createServer(
    { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) },
    (_, res) => res.end(),
  );
  // Counted as accepted (before the server sends its certificate): each attempt is one.
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe("a server certificate the client does not trust", () => {
  const client = () =>
    createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, maxRetries: 2, upload: nodeUpload() });
  const check = (e: unknown) => {
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
    expect((e as Error).message).toContain("certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT");
  };

  it("fails nodeUpload's request once, not retried, saying so in words", async () => {
    connections = 0;
    const e = await client()
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob([new Uint8Array(4)]) })
      .catch((e) => e);
    check(e);
    expect(connections).toBe(1);
  });

  it("fails saveResult's download once, not retried", async () => {
    connections = 0;
    check(await saveResult(client(), "job_1", join(dir, "out.mp4")).catch((e) => e));
    expect(connections).toBe(1);
  });
});

// Through Node's fetch (a client without nodeUpload), whose error names the certificate's code in its cause: the
// handshake failed, nothing was sent. A submit is not SUBMIT_OUTCOME_UNKNOWN ("a job may exist"), and neither it nor a
// read is tried again.
describe("a server certificate the client does not trust, through fetch", () => {
  const client = () => createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, maxRetries: 2 });
  const check = (e: unknown, method: string) => {
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e).toMatchObject({ code: "CONNECTION_ERROR", retryable: false });
    const { message } = e as Error;
    expect(message).toMatch(
      new RegExp(
        `^${method} ${url.replace(/\./g, "\\.")}/\\S+: connection failed \\(DEPTH_ZERO_SELF_SIGNED_CERT\\): certificate not trusted, not sent$`,
      ),
    );
  };

  it("fails a submit once, not sent, not retried", async () => {
    connections = 0;
    const e = await client()
      .queue.submit({ model: models.video("lucy-clip"), prompt: "x", data: new Blob([new Uint8Array(4)]) })
      .catch((e) => e);
    check(e, "POST");
    expect(connections).toBe(1);
  });

  it("fails a status read once, not retried", async () => {
    connections = 0;
    const e = await client()
      .queue.status("job_1")
      .catch((e) => e);
    check(e, "GET");
    expect(connections).toBe(1);
  });
});
