/**
 * The README's "Testing code that uses the client": its sample runs here as written (its tests are this file's), and
 * what it says of `vi.runAllTimersAsync()` holds: it fires the timeout of a request still waiting for its answer.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDecartClient, models } from "../src/index.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.split("\n## Testing code that uses the client\n")[1]?.split("\n## ")[0] ?? "";
// (A `js` block: the release check typechecks the `ts` ones in a project without vitest; this file typechecks it.)
const [, sample] = /```js\n([\s\S]*?)```/.exec(section) ?? [];

describe("the README's testing sample", () => {
  it("is there, importing the client as a user does", () => {
    expect(sample).toContain('from "@decart/core"');
  });

  it("typechecks as TypeScript (strict), as a user's test file", () => {
    const program = ts.createProgram([fileURLToPath(file)], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
      types: ["node"],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const errors = ts
      .getPreEmitDiagnostics(program, program.getSourceFile(fileURLToPath(file)))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(errors).toEqual([]);
  }, 60_000);
});

// The sample as a module of this package (its imports resolve as in a user's project; `@decart/core` is the source),
// in the ignored results folder: importing it now adds its tests to this file's.
const dir = new URL("../.vitest-results/", import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL("readme-testing.sample.ts", dir);
writeFileSync(
  file,
  sample!.replace('"@decart/core"', JSON.stringify(fileURLToPath(new URL("../src/index.js", import.meta.url)))),
);
await import(fileURLToPath(file));

describe("vi.runAllTimersAsync(), which the README says never to use", () => {
  const held: ServerResponse[] = [];
  afterEach(() => {
    vi.useRealTimers();
    for (const res of held.splice(0)) res.destroy();
  });

  it("fires the timeout of a submit whose answer has not come yet: SUBMIT_OUTCOME_UNKNOWN, a job may exist", async () => {
    // A server that takes the submit and holds its answer (as a loopback answer not there yet is).
    let taken!: () => void;
    const arrived = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        held.push(res);
        taken();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      vi.useFakeTimers();
      const client = createDecartClient({
        apiKey: "test-key",
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        random: () => 0.5,
        logger: { warn: () => {}, debug: () => {} },
      });
      const submit = client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "a lake" }).catch((e) => e);
      // The request arrives (fake timers do not hold the socket) and its answer is held; then every timer at once.
      await arrived;
      await vi.runAllTimersAsync();
      const error = await submit;
      expect(error).toMatchObject({ name: "TimeoutError", code: "SUBMIT_OUTCOME_UNKNOWN" });
      expect(error.message).toContain("a job (or file) may exist");
    } finally {
      vi.useRealTimers();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
