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
    expect(listening).toMatchObject({ type: "listening", api_key: expect.any(String) });
    const url = new URL(listening.url);
    expect(url.hostname).toBe("127.0.0.1");

    const models = await run(["models", "lucy-pro-t2i"]);
    expect(models.code).toBe(0);
    const image = await run(["image", "A lighthouse", "-o", "-", "--no-json"], {
      env: { DECART_API_KEY: listening.api_key, DECART_BASE_URL: listening.url },
    });
    expect(image.code, image.stderr).toBe(0);
    expect(image.bytes.subarray(1, 4).toString()).toBe("PNG");

    child.kill("SIGTERM");
    const [code] = await once(child, "close");
    expect(code).toBe(0);
  });

  it("exits 2 for a port that is not one", async () => {
    const { code, stderr } = await run(["emulator", "--port", "70000"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--port");
  });
});
