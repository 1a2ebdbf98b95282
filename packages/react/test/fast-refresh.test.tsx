// Fast Refresh: a file edited while the page runs. React keeps the state of the components it swaps and makes their
// memos anew; the hooks' generators are kept as state (useKept), so a job being watched, or an image being made, is
// not dropped from the page by an edit. The edit is made as a dev server makes it, through React Refresh's runtime
// (hooked in by test/refresh.ts): the component registered again under the same id, then a refresh.
import { models } from "@decart/core";
import { act, render } from "@testing-library/react";
import { useState } from "react";
import { performReactRefresh, register } from "react-refresh/runtime";
import { describe, expect, it } from "vitest";
import { DecartProvider, useGenerateImage, useGenerateVideo, useJob } from "../src/index.js";
import { clientFor, startFast, until } from "./helpers.js";

/** What the page's component shows: each version of it writes the hooks it used here. */
let seen:
  | {
      version: number;
      kept: string;
      video: ReturnType<typeof useGenerateVideo>;
      image: ReturnType<typeof useGenerateImage>;
      job: ReturnType<typeof useJob>;
    }
  | undefined;
/** The job the page follows by its id. */
let followed = "";

/** The page's component as the file first writes it, then as an edit writes it: the same hooks, in the same order. */
function PageBefore() {
  const [kept] = useState("state of the first version");
  seen = { version: 1, kept, video: useGenerateVideo(), image: useGenerateImage(), job: useJob(followed) };
  return null;
}
function PageEdited() {
  const [kept] = useState("state of the edited version");
  seen = { version: 2, kept, video: useGenerateVideo(), image: useGenerateImage(), job: useJob(followed) };
  return null;
}

describe("Fast Refresh", () => {
  it("keeps the job a hook watches and the image it makes through an edit of the component that uses them", async () => {
    const emu = await startFast();
    const client = clientFor(emu);
    // An image request that takes a while, so that the edit comes while it is on its way.
    emu.setFaults([{ route: "process", kind: "slow", delayMs: 1500 }]);
    followed = (await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "followed [hold]" })).job_id;
    register(PageBefore, "page.tsx Page");
    render(
      <DecartProvider client={client}>
        <PageBefore />
      </DecartProvider>,
    );
    let jobId: string | undefined;
    await act(async () => {
      jobId = await seen!.video.submit({ model: models.video("lucy-pro-t2v"), prompt: "watched [hold]" });
    });
    let image: Promise<Blob | undefined> | undefined;
    act(() => {
      image = seen!.image.submit({ model: models.image("lucy-pro-t2i"), prompt: "made" });
    });
    await until(() => seen!.video.status === "processing" && seen!.job.status === "processing");

    // The file is saved with an edit: the new version replaces the old one in the running page.
    register(PageEdited, "page.tsx Page");
    await act(async () => {
      performReactRefresh();
    });
    expect(seen!.version).toBe(2);
    expect(seen!.kept).toBe("state of the first version"); // React kept the component's state
    expect(seen!.video).toMatchObject({ status: "processing", jobId, watching: true });
    expect(seen!.image.status).not.toBe("idle");
    expect(seen!.job).toMatchObject({ status: "processing", jobId: followed });

    // And the hooks go on: the job is watched to its end, the image shown.
    expect(emu.release(jobId!)).toBe(true);
    expect(emu.release(followed)).toBe(true);
    await until(() => seen!.video.status === "completed" && seen!.job.status === "completed");
    expect(seen!.video.result?.size).toBeGreaterThan(0);
    const made = await image!;
    await until(() => seen!.image.status === "completed");
    expect(seen!.image.result).toBe(made);
    expect(emu.stats().jobsCreated).toBe(2);
  });
});
