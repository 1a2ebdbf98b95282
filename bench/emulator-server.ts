/**
 * Child process for the emulator benchmarks: runs one server and talks to its parent over IPC.
 *   tsx emulator-server.ts emulator   → the @decart/emulator (fast timing), with one completed job
 *   tsx emulator-server.ts bare [json] → a bare node:http server answering a fixed JSON body (see below)
 *   tsx emulator-server.ts drain      → a bare node:http server that reads and drops request bodies
 * It sends {type:"ready", url, apiKey?, jobId?} once listening, and answers {type:"mem"} with its memory:
 * the current RSS and the peak RSS since the last {type:"reset-peak"} (sampled every 20 ms).
 */
import { createServer } from "node:http";
import { startEmulator } from "@decart/emulator";

const mode = process.argv[2] ?? "emulator";
const send = (msg: unknown) => process.send?.(msg);

let peak = process.memoryUsage.rss();
setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20).unref();

process.on("message", (msg: { type: string }) => {
  if (msg.type === "mem") {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    send({ type: "mem", rss, peak });
  } else if (msg.type === "reset-peak") {
    peak = process.memoryUsage.rss();
    send({ type: "reset-peak", peak });
  } else if (msg.type === "exit") {
    process.exit(0);
  }
});

if (mode === "drain") {
  // A bare node:http server that reads and drops any body, then answers 200: the floor for upload memory.
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end('{"ok":true}'));
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    send({ type: "ready", url: `http://127.0.0.1:${port}` });
  });
} else if (mode === "bare") {
  // The fixed answer: by default the same body and headers as the emulator's status answer (passed by the parent
  // as JSON in argv[3]), so that both servers put the same bytes on the wire and only the work behind differs.
  const given = process.argv[3]
    ? (JSON.parse(process.argv[3]) as { body: string; headers: Record<string, string> })
    : { body: JSON.stringify({ job_id: "job_0123456789abcdef0123456789abcdef", status: "completed" }), headers: {} };
  const body = Buffer.from(given.body);
  const headers = { "content-type": "application/json", ...given.headers, "content-length": String(body.length) };
  const server = createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    send({ type: "ready", url: `http://127.0.0.1:${port}` });
  });
} else {
  const emu = await startEmulator({ timing: "fast" });
  const fd = new FormData();
  fd.append("prompt", "benchmark job");
  const res = await fetch(`${emu.url}/v1/jobs/lucy-pro-t2v`, {
    method: "POST",
    headers: { "x-api-key": emu.apiKey },
    body: fd,
  });
  const { job_id: jobId } = (await res.json()) as { job_id: string };
  for (;;) {
    const s = (await (await fetch(`${emu.url}/v1/jobs/${jobId}`, { headers: { "x-api-key": emu.apiKey } })).json()) as {
      status: string;
    };
    if (s.status === "completed") break;
    await new Promise((r) => setTimeout(r, 20));
  }
  emu.resetStats();
  send({ type: "ready", url: emu.url, apiKey: emu.apiKey, adminToken: emu.adminToken, jobId });
}
