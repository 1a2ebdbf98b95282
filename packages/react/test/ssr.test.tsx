import { type DecartClient, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { act, render, screen } from "@testing-library/react";
import { type ReactNode, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { expect, it, vi } from "vitest";
import { useGenerateImage, useGenerateVideo, useJob, useResultUrl } from "../src/index.js";
import { clientFor, countingFetch, startFast, strictWith, tokensOf, until } from "./helpers.js";

let emu: Emulator | undefined;

const result = new Blob(["x"]);

/**
 * `html`, a server render, in a container of the document, hydrated as `ui` under a provider of `client`: the container,
 * React's recoverable errors (a mismatch is one), and `done()` to unmount and remove it.
 */
async function hydrate(html: string, client: DecartClient, ui: ReactNode) {
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.append(container);
  const recoverable: unknown[] = [];
  const PageWrapper = strictWith(client).wrapper;
  const root = await act(async () =>
    hydrateRoot(
      container,
      <StrictMode>
        <PageWrapper>{ui}</PageWrapper>
      </StrictMode>,
      {
        onRecoverableError: (error) => recoverable.push(error),
      },
    ),
  );
  const done = () => {
    act(() => root.unmount());
    container.remove();
  };
  return { container, recoverable, done };
}

function Page({ jobId }: { jobId: string }) {
  const video = useGenerateVideo();
  const image = useGenerateImage();
  const job = useJob(jobId);
  const url = useResultUrl(result);
  const watching = job.watching ? "watching" : "not watching";
  return <p>{[video.status, image.status, job.status, job.jobId, watching, String(url)].join(" ")}</p>;
}

it("a server render is idle and makes no request, even for a job that exists", async () => {
  emu = await startFast();
  const { job_id } = await clientFor(emu).queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "on it [hold]" });
  // The server's client and the page's read a job at once when they watch it (a first read after 0 ms): had the server
  // render started a watch, its read would come before the page's, on an earlier timer of the same length.
  const fast = { initialDelayMs: 0, intervalMs: 15 };
  const server = { token: tokensOf(emu), fetch: countingFetch() };
  const page = { token: tokensOf(emu), fetch: countingFetch() };
  const ServerWrapper = strictWith(clientFor(emu, { ...server, poll: fast })).wrapper;
  const html = renderToString(
    <ServerWrapper>
      <Page jobId={job_id} />
    </ServerWrapper>,
  );
  // Nothing runs on the server: the job is not watched there.
  expect(html).toBe(`<p>idle idle idle ${job_id} not watching undefined</p>`);
  const PageWrapper = strictWith(clientFor(emu, { ...page, poll: fast })).wrapper;
  render(
    <PageWrapper>
      <Page jobId={job_id} />
    </PageWrapper>,
  );
  expect(screen.getByText(/^idle idle idle job_\w+ watching /)).toBeDefined(); // watching from the mount
  await until(() => screen.queryByText(/^idle idle (pending|processing) /) !== null); // the page's first read
  expect(page.token.calls).toBe(1);
  expect(page.fetch.sent.length).toBeGreaterThan(0);
  expect(server.token.calls).toBe(0);
  expect(server.fetch.sent.length).toBe(0);
});

it("a page hydrates a server render without a mismatch, then watches the job", async () => {
  emu = await startFast();
  const { job_id } = await clientFor(emu).queue.submit({
    model: models.video("lucy-pro-t2v"),
    prompt: "hydrated [hold]",
  });
  const ServerWrapper = strictWith(clientFor(emu)).wrapper;
  const html = renderToString(
    <ServerWrapper>
      <Page jobId={job_id} />
    </ServerWrapper>,
  );
  const errors = vi.spyOn(console, "error");
  const { container, recoverable, done } = await hydrate(html, clientFor(emu), <Page jobId={job_id} />);
  try {
    expect(recoverable).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    await until(() => /^idle idle \w+ job_\w+ watching /.test(container.textContent ?? ""));
    await until(() => /^idle idle processing /.test(container.textContent ?? ""));
  } finally {
    done();
    errors.mockRestore();
  }
});

function Job({ jobId }: { jobId: string }) {
  const job = useJob(jobId);
  return (
    <button type="button" onClick={job.stop}>
      {`${job.watching ? "watching" : "not watching"}, ${job.canRetry ? "can retry" : "cannot retry"}`}
    </button>
  );
}

it("a server render of useJob cannot retry (nothing to watch again there); the page hydrates alike, then can once stopped", async () => {
  emu = await startFast();
  const { job_id } = await clientFor(emu).queue.submit({
    model: models.video("lucy-pro-t2v"),
    prompt: "retry? [hold]",
  });
  const server = countingFetch();
  const ServerWrapper = strictWith(clientFor(emu, { fetch: server })).wrapper;
  const html = renderToString(
    <ServerWrapper>
      <Job jobId={job_id} />
    </ServerWrapper>,
  );
  expect(html).toBe('<button type="button">not watching, cannot retry</button>');
  expect(server.sent.length).toBe(0);
  const { container, recoverable, done } = await hydrate(html, clientFor(emu), <Job jobId={job_id} />);
  try {
    expect(recoverable).toEqual([]);
    expect(container.textContent).toBe("watching, cannot retry");
    await act(async () => container.querySelector("button")!.click());
    expect(container.textContent).toBe("not watching, can retry");
  } finally {
    done();
  }
});
