import { models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { render, screen } from "@testing-library/react";
import { renderToString } from "react-dom/server";
import { afterEach, expect, it } from "vitest";
import { useGenerateImage, useGenerateVideo, useJob, useResultUrl } from "../src/index.js";
import { clientFor, countingFetch, startFast, strictWith, tokensOf, until } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const result = new Blob(["x"]);

function Page({ jobId }: { jobId: string }) {
  const video = useGenerateVideo();
  const image = useGenerateImage();
  const job = useJob(jobId);
  const url = useResultUrl(result);
  return <p>{[video.status, image.status, job.status, job.jobId, String(url)].join(" ")}</p>;
}

it("a server render is idle and makes no request, even for a job that exists", async () => {
  emu = await startFast();
  const { job_id } = await clientFor(emu).queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "on it [hold]" });
  // The server's client and the page's read a job at once when they watch it (a first read after 0 ms): had the server
  // render started a watch, its read would come before the page's, on an earlier timer of the same length.
  const fast = { initialDelayMs: 0, intervalMs: 15 };
  const server = { token: tokensOf(emu), fetch: countingFetch() };
  const page = { token: tokensOf(emu), fetch: countingFetch() };
  const ServerWrapper = strictWith(clientFor(emu, { ...server, poll: fast }));
  const html = renderToString(
    <ServerWrapper>
      <Page jobId={job_id} />
    </ServerWrapper>,
  );
  expect(html).toBe(`<p>idle idle idle ${job_id} undefined</p>`);
  const PageWrapper = strictWith(clientFor(emu, { ...page, poll: fast }));
  render(
    <PageWrapper>
      <Page jobId={job_id} />
    </PageWrapper>,
  );
  await until(() => screen.queryByText(/^idle idle (pending|processing) /) !== null); // the page's first read
  expect(page.token.calls).toBe(1);
  expect(page.fetch.sent.length).toBeGreaterThan(0);
  expect(server.token.calls).toBe(0);
  expect(server.fetch.sent.length).toBe(0);
});
