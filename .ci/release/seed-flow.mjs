// The migration note's flow, from the installed tarballs.
import { createDecartClient, models } from "@decart/core";
import { startEmulator } from "@decart/emulator";

const emu = await startEmulator({ timing: "fast" });
try {
  const client = createDecartClient({
    apiKey: emu.apiKey,
    baseUrl: emu.url,
    poll: { initialDelayMs: 20, intervalMs: 20 },
  });
  const statuses = [];
  const result = await client.queue.submitAndPoll({
    model: models.video("lucy-pro-t2v"),
    prompt: "A serene lake at sunset",
    onStatusChange: (job) => statuses.push(job.status),
  });
  const bytes = result.status === "completed" ? new Uint8Array(await result.data.arrayBuffer()) : new Uint8Array();
  const mp4 = new TextDecoder().decode(bytes.subarray(4, 8)) === "ftyp";
  console.log(JSON.stringify({ status: result.status, error: result.error, statuses, bytes: bytes.length, mp4 }));
} finally {
  await emu.close();
}
