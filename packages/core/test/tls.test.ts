import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionError, createDecartClient, InvalidInputError, models } from "../src/index.js";
import { nodeUpload, saveResult } from "../src/node.js";
import { silent } from "./helpers.js";

// https servers whose certificates (made for this run by openssl) the client does not trust: a self-signed one, and
// chains that end in a CA it does not know (as a TLS-intercepting proxy's do).
let server: Server;
let url: string;
let dir: string;
let connections = 0;
/** Servers of a certificate issued by an unknown CA, by the code Node's TLS gives for each. */
const untrusted: { code: string; url: string; server: Server }[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "decart-tls-"));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  const key = (name: string) => [
    ..."-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout".split(" "),
    at(name),
  ];
  // A self-signed one.
  openssl(
    ..."req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 2 -out".split(" "),
    at("cert.pem"),
    "-keyout",
    at("key.pem"),
  );
  await writeFile(at("ca.cnf"), "basicConstraints=critical,CA:true\nkeyUsage=keyCertSign\n");
  await writeFile(at("leaf.cnf"), "subjectAltName=IP:127.0.0.1\n");
  // An unknown root CA, an intermediate CA it issued, and a leaf issued by each.
  openssl("req", "-x509", ...key("ca.key"), "-subj", "/CN=Unknown Root", "-days", "2", "-out", at("ca.pem"));
  const issue = (name: string, subject: string, issuer: string, ext: string, serial: string) => {
    openssl("req", "-new", ...key(`${name}.key`), "-subj", subject, "-out", at(`${name}.csr`));
    const ca = ["-CA", at(`${issuer}.pem`), "-CAkey", at(`${issuer}.key`), "-set_serial", serial, "-days", "2"];
    openssl("x509", "-req", "-in", at(`${name}.csr`), ...ca, "-extfile", at(ext), "-out", at(`${name}.pem`));
  };
  issue("int", "/CN=Unknown Intermediate", "ca", "ca.cnf", "2");
  issue("leaf", "/CN=127.0.0.1", "ca", "leaf.cnf", "3");
  issue("leaf2", "/CN=127.0.0.1", "int", "leaf.cnf", "4");
  const listen = async (key: string, certs: string[]) => {
    const pem = (await Promise.all(certs.map((c) => readFile(at(c), "utf8")))).join("");
    const s = createServer({ key: await readFile(at(key)), cert: pem }, (_, res) => res.end());
    // Counted as accepted (before the server sends its certificate): each attempt is one.
    s.on("connection", () => connections++);
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return { server: s, url: `https://127.0.0.1:${(s.address() as { port: number }).port}` };
  };
  ({ server, url } = await listen("key.pem", ["cert.pem"]));
  untrusted.push(
    { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", ...(await listen("leaf.key", ["leaf.pem"])) },
    { code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", ...(await listen("leaf2.key", ["leaf2.pem", "int.pem"])) },
    { code: "SELF_SIGNED_CERT_IN_CHAIN", ...(await listen("leaf.key", ["leaf.pem", "ca.pem"])) },
  );
});
afterAll(async () => {
  for (const s of [server, ...untrusted.map((u) => u.server)]) await new Promise((resolve) => s.close(resolve));
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

// A model's input given as a file URL of such a server (a TLS-intercepting proxy's CA not trusted, a self-signed
// certificate): the download fails the same each time, so its error is not retryable (fetch's error's cause is a code
// of Node's TLS: UNABLE_TO_… starts as undici's UND_ERR_… do, which are failures of the network).
describe("a file URL whose server's certificate the client does not trust", () => {
  it("fails the download once, nothing sent, not retryable, naming the certificate's code", async () => {
    const client = createDecartClient({ apiKey: "k", baseUrl: url, logger: silent, maxRetries: 2 });
    for (const { code, url: origin } of [{ code: "DEPTH_ZERO_SELF_SIGNED_CERT", url }, ...untrusted]) {
      connections = 0;
      const data = `${origin}/frame.png`;
      const e = await client.queue.submit({ model: models.video("lucy-pro-i2v"), prompt: "x", data }).catch((e) => e);
      expect(e, code).toBeInstanceOf(InvalidInputError);
      expect(e, code).toMatchObject({ field: "data", expected: "a reachable http(s) URL", retryable: false });
      expect(e.message).toBe(`Could not download "data" from ${data}: TypeError: fetch failed (${code})`);
      // The download's one connection; the submit never went.
      expect(connections, code).toBe(1);
    }
  });
});
