import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { emulatorFlags } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { run, start, tempDir } from "./helpers.js";

/** Starts `decart emulator … --json` and resolves with its `listening` event and the child. */
async function listening(args: string[]) {
  const child = start(["emulator", "--port", "0", ...args, "--json"]);
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await once(lines, "line")) as [string];
  return { child, event: JSON.parse(first) as { url: string; api_key: string; admin_token: string } };
}

async function stop(child: ReturnType<typeof start>) {
  child.kill("SIGTERM");
  const [code] = await once(child, "close");
  expect(code).toBe(0);
}

describe("decart emulator", () => {
  it("listens on 127.0.0.1 only, serves the CLI, and stops on SIGTERM with 0", async () => {
    const child = start(["emulator", "--port", "0", "--fast", "--json"]);
    const lines = createInterface({ input: child.stdout! });
    const [first] = (await once(lines, "line")) as [string];
    const listening = JSON.parse(first);
    expect(listening).toMatchObject({
      type: "listening",
      api_key: expect.any(String),
      admin_token: expect.any(String),
    });
    const url = new URL(listening.url);
    expect(url.hostname).toBe("127.0.0.1");

    const models = await run(["models", "lucy-pro-t2i"]);
    expect(models.code).toBe(0);
    const image = await run(["image", "A lighthouse", "-o", "-", "--no-json"], {
      env: { DECART_API_KEY: listening.api_key, DECART_BASE_URL: listening.url },
    });
    expect(image.code, image.stderr).toBe(0);
    expect(image.bytes.subarray(1, 4).toString()).toBe("PNG");

    // The admin token it printed reads the emulator's stats: the image above was one Process API request.
    const stats = await fetch(`${listening.url}/_emulator/stats`, {
      headers: { authorization: `Bearer ${listening.admin_token}` },
    });
    expect(stats.status).toBe(200);
    expect((await stats.json()).requests.byRoute.process).toBe(1);

    child.kill("SIGTERM");
    const [code] = await once(child, "close");
    expect(code).toBe(0);
  });

  it("ends with a stopped event carrying its exit code: 130 after Ctrl-C, 0 after SIGTERM, 129 after SIGHUP", async () => {
    for (const [signal, exit] of [
      ["SIGINT", 130],
      ["SIGTERM", 0],
      // Before the fix SIGHUP ended it by the signal: no exit code, no stopped line, the emulator not closed.
      ["SIGHUP", 129],
    ] as const) {
      const child = start(["emulator", "--port", "0", "--json"]);
      const lines: string[] = [];
      const reader = createInterface({ input: child.stdout! });
      reader.on("line", (line) => lines.push(line) === 1 && child.kill(signal));
      const [code] = await once(child, "close");
      expect(code, signal).toBe(exit);
      expect(JSON.parse(lines[0]!), signal).toMatchObject({ type: "listening" });
      expect(
        lines.slice(1).map((line) => JSON.parse(line)),
        signal,
      ).toEqual([{ type: "stopped", exit_code: exit }]);
    }
  });

  it("one SIGTERM delivered twice at once (timeout(1) signals it, then its process group) stops it as one: exit 0, its stopped event", async () => {
    // Its process kept on once it is done (a timer then, as a process that still writes would be) until the test has
    // sent the second signal (the file `sent` written), so that it comes before it exits, however soon it closes.
    const { dir, remove } = tempDir();
    const keep = join(dir, "keep.mjs");
    const sent = join(dir, "sent");
    writeFileSync(
      keep,
      `import { existsSync } from "node:fs";
process.once("beforeExit", () => {
  const wait = setInterval(() => existsSync(${JSON.stringify(sent)}) && (clearInterval(wait), setTimeout(() => {}, 50)), 5);
});
`,
    );
    // Its steady clock stands still (see `clock.mjs`): the two deliveries come at one instant of it, however late this
    // process sends the second (the CLI takes the same signal within `ONE_DELIVERY_MS` of the first as that one).
    const child = start(["emulator", "--port", "0", "--json"], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(keep).href}`, CLOCK_STILL: "1" },
      clock: true,
    });
    const lines: string[] = [];
    const first = new Promise((resolve) =>
      createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line) === 1 && resolve(line)),
    );
    await first;
    // A few milliseconds apart, so that it surely gets two deliveries (two sent at one instant may reach it as one).
    // Before the fix the second found no handler: the process ended by the signal, no stopped event.
    const closed = once(child, "close");
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill("SIGTERM");
    writeFileSync(sent, "");
    const [code, signal] = await closed;
    expect(signal).toBe(null);
    expect(code).toBe(0);
    remove();
    expect(lines.slice(1).map((line) => JSON.parse(line))).toEqual([{ type: "stopped", exit_code: 0 }]);
  });

  it("prints its URL, dev key and admin token for a human", async () => {
    const child = start(["emulator", "--port", "0", "--fast", "--no-json"]);
    const lines = createInterface({ input: child.stdout! });
    const printed: string[] = [];
    for await (const line of lines) if (printed.push(line) === 3) break;
    child.kill("SIGTERM");
    await once(child, "close");
    expect(printed[0]).toMatch(/^Decart emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed[1]).toMatch(/^API key: \S+$/);
    expect(printed[2]).toMatch(/^Admin token: emu_admin_\S+ /);
  });

  it("exits 2 for a port in use, saying how to pick another", async () => {
    const { createServer } = await import("node:net");
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const port = String((taken.address() as { port: number }).port);
      const { code, stdout, stderr } = await run(["emulator", "--port", port]);
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is in use: pick another with --port <n>, or --port 0`);
      expect(JSON.parse(stdout.trim())).toMatchObject({ type: "error", exit_code: 2 });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("exits 2 for a port that is not one", async () => {
    const { code, stderr } = await run(["emulator", "--port", "70000"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--port");
  });

  it("takes every flag of decart-emulator but --host (its help lists them)", async () => {
    const { stdout, code } = await run(["emulator", "--help"]);
    expect(code).toBe(0);
    const names = emulatorFlags.map((flag) => flag.name).filter((name) => name !== "host");
    expect(names).toEqual(
      expect.arrayContaining(["headers-timeout", "request-timeout", "min-upload-rate", "write-timeout"]),
    );
    for (const name of names) expect(stdout).toContain(`--${name}`);
    expect(stdout).not.toMatch(/^\s+--host /m); // 127.0.0.1 only
  });

  it("shows the trickle fault in --faults' help (the emulator's own text), as a JSON rule it takes", async () => {
    const { stdout, code } = await run(["emulator", "--help"]);
    expect(code).toBe(0);
    const help = stdout.replace(/\s+/g, " ");
    expect(help).toContain('"content:trickle" sends each result in 1024-byte writes 10 ms apart');
    const example = /'(\[[^']*"trickle"[^']*\])'/.exec(help)?.[1];
    expect(example).toBeDefined();
    const { child, event } = await listening(["--faults", example!]);
    try {
      const res = await fetch(`${event.url}/_emulator/faults`, {
        headers: { authorization: `Bearer ${event.admin_token}` },
      });
      expect(await res.json()).toEqual([{ route: "content", kind: "trickle", rate: 1, chunkBytes: 4096, delayMs: 5 }]);
    } finally {
      await stop(child);
    }
  });

  it("passes the emulator's flags on: keys, admin token, faults, result size", async () => {
    const { child, event } = await listening([
      "--fast",
      "--keys",
      "k_one,k_two",
      "--admin-token",
      "adm_given_secret",
      "--faults",
      "process:503@1",
      "--result-bytes",
      "300000",
      "--headers-timeout",
      "5000",
      "--request-timeout",
      "5000",
      "--min-upload-rate",
      "1024",
      "--write-timeout",
      "5000",
    ]);
    try {
      expect(event).toMatchObject({ api_key: "k_one", admin_token: "adm_given_secret" });
      const form = () => {
        const fd = new FormData();
        fd.append("prompt", "A lake");
        return fd;
      };
      // The second key is accepted too; every Process API request meets the fault.
      const image = await fetch(`${event.url}/v1/generate/lucy-pro-t2i`, {
        method: "POST",
        headers: { "x-api-key": "k_two" },
        body: form(),
      });
      expect(image.status).toBe(503);
      // A video through the CLI: its result padded to the size given.
      const temp = tempDir();
      try {
        const out = join(temp.dir, "lake.mp4");
        const video = await run(["video", "A lake", "-o", out], {
          env: { DECART_API_KEY: "k_two", DECART_BASE_URL: event.url, DECART_JOURNAL: join(temp.dir, "j.jsonl") },
        });
        expect(video.code, video.stderr).toBe(0);
        expect(statSync(out).size).toBe(300_000);
      } finally {
        temp.remove();
      }
    } finally {
      await stop(child);
    }
  });

  it("quotes the values of the commands it prints: pasted into sh, a key or token given with shell syntax is that text", async () => {
    const key = "k$HOME;echo PWNED `id` 'q'";
    // (A token is one word of visible ASCII: no space.)
    const token = `adm$(echo;echo_PWNED)"x"'q'\`id\``;
    const child = start(["emulator", "--port", "0", "--keys", key, "--admin-token", token, "--no-json"]);
    let stderr = "";
    let stdout = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
      if (stderr.includes("Stop it")) child.kill("SIGTERM");
    });
    await once(child, "close");
    const use = /^Use it: +(.*)$/m.exec(stderr)?.[1];
    const stats = /^Stats: +(.*)$/m.exec(stderr)?.[1];
    expect(use, stderr).toMatch(/^export /);
    expect(stats, stderr).toMatch(/^curl /);
    // Each line as sh runs it: the variables it sets, and the words curl (a function here: nothing is fetched) gets.
    const sh = (script: string) =>
      spawnSync("sh", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH } });
    const url = /listening on (\S+)/.exec(stdout)?.[1];
    expect(url, stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const exported = sh(`${use}\nprintf '%s\\n' "$DECART_API_KEY" "$DECART_BASE_URL"`);
    expect(exported.stdout + exported.stderr).toBe(`${key}\n${url}\n`);
    const curl = sh(`curl() { printf '%s\\n' "$@"; }\n${stats}`);
    expect(curl.stdout + curl.stderr).toBe(`-H\nAuthorization: Bearer ${token}\n${url}/_emulator/stats\n`);
  });

  it("refuses --host, saying it listens on 127.0.0.1 only and what serves another interface", async () => {
    const { code, stderr } = await run(["emulator", "--port", "0", "--host", "0.0.0.0"]);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain("decart emulator listens on 127.0.0.1 only");
    expect(stderr).toContain("decart-emulator --host");
  });

  it.each([
    ["--write-timeout", "0", "--write-timeout must be a positive number"],
    ["--headers-timeout", "soon", "--headers-timeout must be a positive number"],
    ["--min-upload-rate", "-5", "--min-upload-rate must be a positive number"],
    ["--request-timeout", "3000000000", "--request-timeout must be a positive number, at most 2147483647 ms"],
    ["--max-jobs", "1.5", "--max-jobs must be a positive integer"],
    ["--max-jobs", "0x10", '--max-jobs must be a positive integer, in decimal digits (got "0x10")'],
    ["--time-scale", "1e-3", '--time-scale must be a non-negative number, in decimal digits (got "1e-3")'],
    ["--faults", "submit:explode", "--faults: fault rule 0: unknown kind"],
    ["--faults", "503@", '--faults: the rate of "503@" must be a decimal number from 0 to 1'],
    ["--keys", ",", "--keys must be a comma-separated list"],
  ])("exits 2 for %s %s, naming the flag", async (flag, value, message) => {
    const { code, stderr, stdout } = await run(["emulator", "--port", "0", flag, value]);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(message);
    expect(JSON.parse(stdout.trim())).toMatchObject({ type: "error", exit_code: 2 });
  });
});
