import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { run, start } from "./helpers.js";

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
});
