import { models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { renderToString } from "react-dom/server";
import { afterEach, expect, it } from "vitest";
import { useGenerateImage, useGenerateVideo, useJob, useResultUrl } from "../src/index.js";
import { clientFor, pause, startFast, strictWith } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

function Page({ jobId }: { jobId: string }) {
  const video = useGenerateVideo();
  const image = useGenerateImage();
  const job = useJob(jobId);
  const url = useResultUrl(new Blob(["x"]));
  return <p>{[video.status, image.status, job.status, job.jobId, String(url)].join(" ")}</p>;
}

it("a server render is idle and makes no request, even for a job that exists", async () => {
  emu = await startFast();
  const client = clientFor(emu);
  const { job_id } = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "on the server" });
  emu.resetStats();
  const Wrapper = strictWith(client);
  const html = renderToString(
    <Wrapper>
      <Page jobId={job_id} />
    </Wrapper>,
  );
  expect(html).toBe(`<p>idle idle idle ${job_id} undefined</p>`);
  await pause(100);
  expect(emu.stats().requests.total).toBe(0);
});
