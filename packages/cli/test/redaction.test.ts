import { join } from "node:path";
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { KEY, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
let dir: string;
useEmulator({}, (f) => ({ emu, env, dir } = f));

describe("the API key", () => {
  // Every mode (human, NDJSON), with --verbose, on success and on each kind of failure.
  const cases: Array<[string, string[]]> = [
    ["success", ["image", "A lighthouse", "-o", "OUT"]],
    ["invalid input", ["image", "A lighthouse", "resolution=4k"]],
    ["server failure", ["image", "[fail] A lighthouse"]],
    ["the key as an input value", ["image", "A lighthouse", `seed=${KEY}`]],
    ["an unreachable server", ["image", "A lighthouse", "--base-url", "http://127.0.0.1:9"]],
  ];
  for (const [name, args] of cases) {
    for (const mode of ["--json", "--no-json"]) {
      it(`never appears in any output: ${name} (${mode}, --verbose)`, async () => {
        const out = join(dir, `${name}${mode}.png`.replace(/\W+/g, "-"));
        const { stdout, stderr } = await run([...args.map((a) => (a === "OUT" ? out : a)), mode, "--verbose"], {
          env,
        });
        expect(stdout + stderr).not.toContain(KEY);
        expect(stdout + stderr).not.toContain(KEY.slice(4, 20));
      });
    }
  }

  it("never appears when given as a flag that the server refuses", async () => {
    const wrong = "dct_refused_Yh3Kd8Pw2Qm6";
    const { code, stdout, stderr } = await run(["image", "A lighthouse", "--api-key", wrong, "--verbose"], { env });
    expect(code).toBe(4);
    expect(stdout + stderr).not.toContain(wrong);
  });

  it("given as --api-key, gets a one-line warning in human mode that recommends DECART_API_KEY", async () => {
    const flagOnly = { ...env, DECART_API_KEY: undefined };
    const args = ["image", "A lighthouse", "--api-key", KEY];
    const warning = /^.*--api-key is visible.*DECART_API_KEY.*$/gm;

    const human = await run([...args, "-o", join(dir, "flag-human.png"), "--no-json"], { env: flagOnly });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr.match(warning)).toHaveLength(1);
    expect(human.stdout + human.stderr).not.toContain(KEY);

    const ndjson = await run([...args, "-o", join(dir, "flag-json.png"), "--json"], { env: flagOnly });
    expect(ndjson.code, ndjson.stderr).toBe(0);
    expect(ndjson.stderr).not.toMatch(warning);

    const fromEnv = await run(["image", "A lighthouse", "-o", join(dir, "env-human.png"), "--no-json"], { env });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stderr).not.toMatch(warning);
  });
});

describe("--verbose", () => {
  it("logs every request, the submit and the image request (sent by the streaming upload) included", async () => {
    const video = await run(["video", "A lake", "-o", join(dir, "verbose.mp4"), "--verbose", "--json"], { env });
    expect(video.code, video.stderr).toBe(0);
    const jobId = video.stdout.match(/"job_id":"(job_\w+)"/)?.[1];
    expect(jobId).toBeDefined();
    expect(video.stderr).toMatch(/^→ POST http:\/\/127\.0\.0\.1:\d+\/v1\/jobs\/lucy-pro-t2v$/m);
    expect(video.stderr).toMatch(/^← 200 POST \S+\/v1\/jobs\/lucy-pro-t2v \(\d+ ms, request req_\w+\)$/m);
    expect(video.stderr).toMatch(new RegExp(`^← 200 GET \\S+/v1/jobs/${jobId}/content `, "m"));

    const image = await run(["image", "A lighthouse", "-o", join(dir, "verbose.png"), "--verbose", "--json"], { env });
    expect(image.code, image.stderr).toBe(0);
    expect(image.stderr).toMatch(/^← 200 POST \S+\/v1\/generate\/lucy-pro-t2i \(\d+ ms, request req_\w+\)$/m);
  });

  it("never appears in the form JSON writes it (a quote or a backslash escaped), quoted in a message and in its NDJSON line", async () => {
    // The message quotes the value as JSON does (escaped once); its NDJSON line escapes that again.
    for (const key of ['dct_quote"Wn4Tb7Ks1Jf5', "dct_slash\\Wn4Tb7Ks1Jf5"]) {
      for (const mode of ["--json", "--no-json"]) {
        const { code, stdout, stderr } = await run(["image", "A lighthouse", `orientation=${key}`, mode], {
          env: { ...env, DECART_API_KEY: key },
        });
        expect(code, stderr).toBe(2);
        expect(stdout + stderr, `${key} ${mode}`).not.toContain("Wn4Tb7Ks1Jf5");
      }
    }
  });

  it("with a character a header cannot carry: exit 4 naming where it came from, nothing sent, never shown", async () => {
    for (const [args, extra, named] of [
      [[], { DECART_API_KEY: "dct_SECRETA\nSECRETB" }, "DECART_API_KEY"],
      [[], { DECART_API_KEY: "dct_SECRETA\u0007SECRETB" }, "DECART_API_KEY"],
      [["--api-key", "dct_SECRETA\u00e9SECRETB"], {}, "--api-key"],
    ] as const) {
      const { code, stdout, stderr } = await run(["image", "A lighthouse", "-o", join(dir, "k.png"), ...args], {
        env: { ...env, ...extra },
      });
      expect(code, stderr).toBe(4);
      expect(stderr).toContain(`${named} holds a character that an HTTP header cannot carry`);
      expect(stdout + stderr).not.toContain("SUBMIT_OUTCOME_UNKNOWN");
      expect(stdout + stderr).not.toContain("SECRETA");
      expect(stdout + stderr).not.toContain("SECRETB");
    }
    expect(emu.stats().requests.total).toBe(0);
  });

  it("never appears in commander's own errors: a mistyped --x=KEY, the key as a command, from the flag or the env", async () => {
    for (const [args, extra, shown] of [
      // With its suggestion, as `--apikey KEY` has it (the word compared whole, with its value, was like no option).
      [
        ["--apikey=KEY", "models"],
        { DECART_API_KEY: undefined },
        "unknown option '--apikey=***'\n(Did you mean --api-key?)",
      ],
      [["--api_key=KEY", "models"], { DECART_API_KEY: undefined }, "unknown option '--api_key=***'"],
      [
        ["jobs", "status", "--api-kye=KEY", "job_x"],
        { DECART_API_KEY: undefined },
        "unknown option '--api-kye=***'\n(Did you mean --api-key?)",
      ],
      [["models", "--json=KEY"], { DECART_API_KEY: KEY }, "'--json=***'"],
      [["KEY"], { DECART_API_KEY: KEY }, "unknown command '***'"],
      [["--api-key=KEY", "KEY"], { DECART_API_KEY: undefined }, "unknown command '***'"],
      [["--api-key", "KEY", "KEY"], { DECART_API_KEY: undefined }, "unknown command '***'"],
    ] as const) {
      for (const mode of ["--json", "--no-json"]) {
        const given = args.map((arg) => arg.replace("KEY", KEY));
        const { code, stdout, stderr } = await run([mode, ...given], { env: { ...env, ...extra } });
        expect(code, stderr).toBe(2);
        expect(stderr).toContain(shown);
        expect(stdout + stderr).not.toContain(KEY);
        expect(stdout + stderr).not.toContain(KEY.slice(4, 20));
        if (mode === "--json") expect(JSON.parse(stdout).message).toContain(shown);
      }
    }
    expect(emu.stats().requests.total).toBe(0);
  });
});
