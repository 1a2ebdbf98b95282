/**
 * The official SDK's side of `cli-batch.ts`: N `lucy-clip` jobs through `@decartai/sdk`'s `queue.submitAndPoll`, C at a
 * time, each result written to `<out>/<i>.mp4`. Plain JavaScript run by `node` (as the CLI is), so that both peak RSS
 * figures are of a bare Node process. Prints `{"completed": n}` on stdout.
 *   node cli-batch-official.mjs <url> <key> <input.mp4> <out dir> <jobs> <concurrency>
 */
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createDecartClient, models } from "@decartai/sdk";

const [url, apiKey, input, out, jobs, concurrency] = process.argv.slice(2);
const N = Number(jobs);
const client = createDecartClient({ apiKey, baseUrl: url });
const data = new Blob([readFileSync(input)], { type: "video/mp4" });
let next = 0;
let completed = 0;
const worker = async () => {
  while (next < N) {
    const i = next++;
    // The official SDK does not retry: a failed request ends its job (counted, not fatal to the batch).
    const result = await client.queue
      .submitAndPoll({ model: models.video("lucy-clip"), prompt: `batch ${i}`, data })
      .catch(() => undefined);
    if (result?.status === "completed") {
      await writeFile(join(out, `${i}.mp4`), new Uint8Array(await result.data.arrayBuffer()));
      completed++;
    }
  }
};
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
process.stdout.write(`${JSON.stringify({ completed })}\n`);
