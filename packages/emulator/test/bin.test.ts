import { spawn } from "node:child_process";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type EmulatorFlag, emulatorFlags, emulatorOptionsFromFlags } from "../src/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "decart-emulator.js");

/** Starts the built bin and resolves with its printed URL, key and admin token. */
function launch(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const ready = new Promise<{ url: string; key: string; admin: string }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const key = /API key: (\S+)/.exec(out)?.[1];
      const admin = /Admin token: (\S+)/.exec(out)?.[1];
      if (url && key && admin) resolve({ url, key, admin });
    });
    child.on("exit", (code) => reject(new Error(`bin exited with ${code}: ${out}`)));
  });
  return { child, ready };
}

describe("decart-emulator bin", () => {
  it("prints its URL and a dev key, serves the API, and exits on SIGTERM", async () => {
    const { child, ready } = launch(["--port", "0", "--fast", "--quiet"]);
    try {
      const { url, key } = await ready;
      const fd = new FormData();
      fd.append("prompt", "from the bin");
      const res = await fetch(`${url}/v1/jobs/lucy-pro-t2v`, {
        method: "POST",
        headers: { "x-api-key": key },
        body: fd,
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("pending");
    } finally {
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });

  // In its own process, as users run it: Node closes a connection at once after an answer that says Connection: close,
  // and a client still sending its body then gets a reset (fetch: EPIPE) instead of the answer. (In the tests' own
  // process the answer always wins the race.)
  it("an answer given before the body was read reaches a client still sending it: a bad key's 401, a fault's 503", async () => {
    const { child, ready } = launch(["--port", "0", "--fast", "--quiet"]);
    try {
      const { url, key } = await ready;
      const seen: string[] = [];
      const sets: Record<string, string>[] = [
        { "x-api-key": "wrong" },
        { "x-api-key": key, "x-emulator-fault": "503" },
      ];
      for (const headers of sets)
        for (const size of [1e6, 8e6, 1e6, 8e6]) {
          const fd = new FormData();
          fd.append("prompt", "x");
          fd.append("data", new Blob([new Uint8Array(size)], { type: "video/mp4" }), "in.mp4");
          seen.push(
            await fetch(`${url}/v1/jobs/lucy-clip`, { method: "POST", headers, body: fd }).then(
              async (r) =>
                `${r.status} ${r.headers.get("connection")} ${((await r.json()) as { detail: string }).detail}`,
              (e) => `failed: ${e.cause?.code ?? e.message}`,
            ),
          );
        }
      expect(seen).toEqual([
        ...Array(4).fill("401 close Invalid API key."),
        ...Array(4).fill(expect.stringMatching(/^503 close /)),
      ]);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("takes --keys and --faults", async () => {
    const { child, ready } = launch(["--port", "0", "--keys", "k1,k2", "--faults", "submit:503@1", "--quiet"]);
    try {
      const { url, key } = await ready;
      expect(key).toBe("k1");
      const fd = new FormData();
      fd.append("prompt", "x");
      const res = await fetch(`${url}/v1/jobs/lucy-pro-t2v`, {
        method: "POST",
        headers: { "x-api-key": "k2" },
        body: fd,
      });
      expect(res.status).toBe(503);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("--help shows the trickle fault, with its defaults and as a JSON rule the bin takes", async () => {
    const child = spawn(process.execPath, [bin, "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    let help = "";
    child.stdout.on("data", (c: Buffer) => {
      help += c.toString();
    });
    expect(await new Promise<number | null>((r) => child.on("exit", (c) => r(c)))).toBe(0);
    help = help.replace(/\s+/g, " ");
    expect(help).toContain('"content:trickle" sends each result in 1024-byte writes 10 ms apart');
    const example = /'(\[[^']*"trickle"[^']*\])'/.exec(help)?.[1];
    expect(example).toBeDefined();
    const { child: emulator, ready } = launch(["--port", "0", "--quiet", "--faults", example!]);
    try {
      const { url, admin } = await ready;
      const res = await fetch(`${url}/_emulator/faults`, { headers: { authorization: `Bearer ${admin}` } });
      expect(await res.json()).toEqual([{ route: "content", kind: "trickle", rate: 1, chunkBytes: 4096, delayMs: 5 }]);
    } finally {
      emulator.kill("SIGTERM");
    }
  });

  it("prints the admin token; the admin routes take it and refuse requests without it", async () => {
    const { child, ready } = launch(["--port", "0", "--quiet"]);
    try {
      const { url, admin } = await ready;
      expect((await fetch(`${url}/_emulator/stats`)).status).toBe(401);
      const res = await fetch(`${url}/_emulator/stats`, { headers: { authorization: `Bearer ${admin}` } });
      expect(res.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("takes the client limits: --headers-timeout drops a connection that sends no head", async () => {
    const { child, ready } = launch([
      "--port",
      "0",
      "--quiet",
      "--headers-timeout",
      "300",
      "--request-timeout",
      "300",
      "--min-upload-rate",
      "1000",
      "--write-timeout",
      "1000",
    ]);
    try {
      const { url } = await ready;
      const u = new URL(url);
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(u.port), u.hostname);
        let out = "";
        socket.on("data", (c: Buffer) => {
          out += c.toString();
        });
        socket.on("error", () => {});
        socket.on("close", () => resolve(out));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("refuses --host 0.0.0.0 without keys of one's own, saying why", async () => {
    const child = spawn(process.execPath, [bin, "--host", "0.0.0.0", "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toContain("default key is public");
  });

  it("fails with a message on a bad option", async () => {
    const child = spawn(process.execPath, [bin, "--faults", "submit:explode"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toContain("unknown kind");
  });

  it("names the flag of a value it does not take", async () => {
    for (const [args, message] of [
      [["--write-timeout", "0"], "--write-timeout must be a positive number"],
      [["--max-jobs", "2.5"], "--max-jobs must be a positive integer"],
      [["--max-jobs", "0x10"], '--max-jobs must be a positive integer, in decimal digits (got "0x10")'],
      [["--port", "70000"], "--port must be an integer from 0 to 65535"],
      [["--request-timeout", "3000000000"], "--request-timeout must be a positive number, at most 2147483647 ms"],
      [["--admin-token", "two words"], "--admin-token must be a non-empty string that Authorization: Bearer"],
    ] as const) {
      // On a free port: a value wrongly taken starts the emulator, which is stopped as soon as it says so.
      const child = spawn(process.execPath, [bin, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
      });
      child.stdout.on("data", () => child.kill());
      const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      expect(code, args.join(" ")).toBe(1);
      expect(err).toContain(message);
    }
  });
});

describe("emulatorOptionsFromFlags", () => {
  it("reads a table no caller can change: emulatorFlags and each flag are frozen", () => {
    const table = emulatorFlags.map((flag) => ({ ...flag }));
    const writeTimeout = emulatorFlags.find((flag) => flag.name === "write-timeout")!;
    // A caller renaming a flag, dropping one, adding one or giving one a value: refused (test files are strict code).
    expect(() => {
      (writeTimeout as { name: string }).name = "renamed";
    }).toThrow(TypeError);
    expect(() => {
      delete (emulatorFlags[0] as { short?: string }).short;
    }).toThrow(TypeError);
    expect(() => {
      (emulatorFlags.find((flag) => flag.name === "fast") as { value?: string }).value = "x";
    }).toThrow(TypeError);
    expect(() => (emulatorFlags as EmulatorFlag[]).push({ name: "bogus", description: "" })).toThrow(TypeError);
    expect(() => (emulatorFlags as EmulatorFlag[]).pop()).toThrow(TypeError);
    expect(emulatorFlags).toEqual(table);
    expect(emulatorOptionsFromFlags({ "write-timeout": "5000" })).toEqual({ port: 4010, writeTimeoutMs: 5000 });
    expect(() => emulatorOptionsFromFlags({ bogus: "1" })).toThrow("--bogus is not an emulator flag");
  });

  it("turns every flag of emulatorFlags into its option", () => {
    const values: Record<string, string | boolean> = {
      port: "0",
      host: "::1",
      "allowed-hosts": "a.test, b.test",
      keys: "k1,k2",
      "admin-token": "adm",
      fast: true,
      "time-scale": "0.5",
      faults: "status:503@0.25",
      "job-timeout": "1000",
      retention: "0",
      "max-upload": "2048",
      "max-jobs": "3",
      "result-bytes": "4096",
      "headers-timeout": "100",
      "request-timeout": "200",
      "min-upload-rate": "300",
      "write-timeout": "400",
    };
    expect(Object.keys(values).sort()).toEqual(emulatorFlags.map((flag) => flag.name).sort());
    expect(emulatorOptionsFromFlags(values)).toEqual({
      port: 0,
      host: "::1",
      allowedHosts: ["a.test", "b.test"],
      keys: ["k1", "k2"],
      adminToken: "adm",
      timing: { pendingMs: 20, processingMs: 60, timeScale: 0.5 },
      faults: [{ kind: "503", route: "status", rate: 0.25 }],
      jobTimeoutMs: 1000,
      retentionMs: 0,
      maxUploadBytes: 2048,
      maxJobs: 3,
      resultBytes: 4096,
      headersTimeoutMs: 100,
      requestTimeoutMs: 200,
      minUploadBytesPerSecond: 300,
      writeTimeoutMs: 400,
    });
    expect(emulatorOptionsFromFlags({})).toEqual({ port: 4010 });
    expect(emulatorOptionsFromFlags({ fast: true })).toEqual({ port: 4010, timing: "fast" });
    expect(() => emulatorOptionsFromFlags({ quiet: true })).toThrow("--quiet is not an emulator flag");
  });

  it("refuses a duration longer than a timer can wait (2^31−1 ms) on every duration flag, and takes that longest one", () => {
    for (const [flag, option] of [
      ["job-timeout", "jobTimeoutMs"],
      ["retention", "retentionMs"],
      ["headers-timeout", "headersTimeoutMs"],
      ["request-timeout", "requestTimeoutMs"],
      ["write-timeout", "writeTimeoutMs"],
    ] as const) {
      expect(() => emulatorOptionsFromFlags({ [flag]: "3000000000" }), flag).toThrow(
        `--${flag} must be a ${flag === "job-timeout" || flag === "retention" ? "non-negative" : "positive"} number, at most 2147483647 ms (about 24.8 days) (got "3000000000")`,
      );
      expect(emulatorOptionsFromFlags({ [flag]: "2147483647" })[option]).toBe(2 ** 31 - 1);
    }
  });

  it("takes a number flag's value in decimal digits only, naming the flag, as the CLI reads its own numbers", () => {
    const numberFlags = ["port", "time-scale", "job-timeout", "retention", "max-upload", "max-jobs", "result-bytes"];
    numberFlags.push("headers-timeout", "request-timeout", "min-upload-rate", "write-timeout");
    for (const flag of numberFlags) {
      for (const text of [
        "0x10",
        "0b1",
        "0o7",
        "1e3",
        "1E3",
        "Infinity",
        " 7",
        "7 ",
        "+7",
        "1_000",
        "",
        "9007199254740993",
      ]) {
        expect(() => emulatorOptionsFromFlags({ [flag]: text }), `--${flag} ${JSON.stringify(text)}`).toThrow(
          new RegExp(`^--${flag} must be .*\\(got ${JSON.stringify(text).replace(/[+]/g, "\\+")}\\)$`),
        );
      }
    }
    expect(() => emulatorOptionsFromFlags({ "max-jobs": "0x10" })).toThrow(
      '--max-jobs must be a positive integer, in decimal digits (got "0x10")',
    );
    expect(() => emulatorOptionsFromFlags({ "time-scale": "1e-1" })).toThrow(
      '--time-scale must be a non-negative number, in decimal digits (got "1e-1")',
    );
    // The forms that are numbers as written: whole, and with a fraction where the flag takes one.
    expect(emulatorOptionsFromFlags({ "max-jobs": "16", port: "0" })).toEqual({ port: 0, maxJobs: 16 });
    for (const [text, timeScale] of [
      ["0.5", 0.5],
      [".5", 0.5],
      ["5.", 5],
      ["007", 7],
    ] as const) {
      expect(emulatorOptionsFromFlags({ "time-scale": text }).timing, text).toEqual({ timeScale });
    }
    expect(emulatorOptionsFromFlags({ "write-timeout": "2.5" }).writeTimeoutMs).toBe(2.5);
  });

  it("refuses a --result-bytes above 4 GiB, and takes that largest one", () => {
    for (const text of ["4294967297", "1000000000000"]) {
      expect(() => emulatorOptionsFromFlags({ "result-bytes": text }), text).toThrow(
        `--result-bytes must be a positive integer, at most 4294967296 (got ${JSON.stringify(text)})`,
      );
    }
    expect(emulatorOptionsFromFlags({ "result-bytes": "4294967296" }).resultBytes).toBe(4 * 1024 ** 3);
  });

  it("refuses a fault item with no rate or an unreadable one after @, and a list of no items, saying what to give", () => {
    for (const faults of ["503@", "503@ ", "503@1e-400", "503@abc", "status:503@1.5", "503@-0"]) {
      expect(() => emulatorOptionsFromFlags({ faults }), faults).toThrow(
        /^--faults: the rate of ".*" must be a decimal number from 0 to 1 after "@" \(e\.g\. (status:)?503@0\.1\), or no "@" at all for a rate of 1$/,
      );
    }
    // The JSON form with no rule too, with the same message.
    for (const faults of [" , ,", ",", " ", "[]", " [ ] "]) {
      expect(() => emulatorOptionsFromFlags({ faults }), faults).toThrow(
        /^--faults: no fault rule in .*: give comma-separated \[route:\]kind\[@rate\] items, e\.g\. status:503@0\.1, or a JSON array of at least one rule$/,
      );
    }
    expect(emulatorOptionsFromFlags({ faults: "503@0, status:500@.5 ,504@1, 429@0.000" }).faults).toEqual([
      { kind: "503", route: "*", rate: 0 },
      { kind: "500", route: "status", rate: 0.5 },
      { kind: "504", route: "*", rate: 1 },
      { kind: "429", route: "*", rate: 0 },
    ]);
  });

  it("takes a trickle fault with its defaults, or its chunk and pause as JSON; refuses them out of bounds", () => {
    expect(emulatorOptionsFromFlags({ faults: "content:trickle" }).faults).toEqual([
      { kind: "trickle", route: "content", rate: 1 },
    ]);
    const json = '[{"route":"content","kind":"trickle","chunkBytes":4096,"delayMs":5}]';
    expect(emulatorOptionsFromFlags({ faults: json }).faults).toEqual([
      { kind: "trickle", route: "content", rate: 1, chunkBytes: 4096, delayMs: 5 },
    ]);
    for (const [rule, message] of [
      ['[{"kind":"trickle","chunkBytes":0}]', /--faults: .*chunkBytes must be a whole number from 1 to 1048576/],
      ['[{"kind":"trickle","delayMs":2000}]', /--faults: .*delayMs must be within 0..1000 for trickle/],
      ['[{"kind":"slow","chunkBytes":64}]', /--faults: .*chunkBytes is for trickle only/],
    ] as const)
      expect(() => emulatorOptionsFromFlags({ faults: rule }), rule).toThrow(message);
  });
});
