// The migration note's flow, end to end: an image through the Process API and a video through the Queue API.
// With no DECART_API_KEY it starts an embedded emulator on loopback; with one (and optionally DECART_BASE_URL)
// it talks to that server instead. Files land in ./out/ (or the folder named by QUICKSTART_OUT).
import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createDecartClient, models } from "@decart/core";
import { startEmulator } from "@decart/emulator";

const outDir = resolve(process.env.QUICKSTART_OUT ?? "out");
const prompt = "A serene lake at sunset";

const apiKey = process.env.DECART_API_KEY?.trim();
// A tenth of the models' typical job times: the status lines show the whole lifecycle in a few seconds.
const emulator = apiKey ? undefined : await startEmulator({ timing: { timeScale: 0.1 } });
const baseUrl = emulator?.url ?? process.env.DECART_BASE_URL;
console.log(
  emulator
    ? `No DECART_API_KEY: using an embedded emulator at ${emulator.url}`
    : `Using ${baseUrl ?? "the Decart API"}`,
);

try {
  // The client's default poll schedule follows the models' real durations; the sped-up emulator wants quicker reads.
  const poll = emulator ? { initialDelayMs: 200, intervalMs: 200 } : undefined;
  const client = createDecartClient({ apiKey: apiKey ?? emulator?.apiKey, baseUrl, poll });
  await mkdir(outDir, { recursive: true });

  // Images stay synchronous: the Process API.
  const image = await client.process({ model: models.image("lucy-pro-t2i"), prompt });
  const imagePath = resolve(outDir, image.type === "image/jpeg" ? "image.jpg" : "image.png");
  await writeFile(imagePath, new Uint8Array(await image.arrayBuffer()));
  console.log(`Image: ${imagePath} (${image.size} bytes)`);

  // Videos go through the Queue API: submit, watch the status change, download.
  const started = Date.now();
  const result = await client.queue.submitAndPoll({
    model: models.video("lucy-pro-t2v"),
    prompt,
    onSubmitted: (jobId) => console.log(`Job ID: ${jobId}`),
    onStatusChange: (job) => console.log(`Status: ${job.status} (${((Date.now() - started) / 1000).toFixed(1)} s)`),
  });
  if (result.status === "failed") {
    console.error(`Generation failed: ${result.error}`);
    process.exitCode = 1;
  } else {
    const videoPath = resolve(outDir, "video.mp4");
    await writeFile(videoPath, new Uint8Array(await result.data.arrayBuffer()));
    console.log(`Video: ${videoPath} (${result.data.size} bytes)`);
  }
} finally {
  await emulator?.close();
}
