/**
 * The playground end to end in Chromium (playwright-core drives the one installed, no browser is downloaded:
 * `CHROMIUM_PATH`, else chromium, chromium-browser, google-chrome or google-chrome-stable on PATH, else Debian's
 * /usr/bin/chromium; see scripts/chromium.mjs): the built page served by Vite's preview server with the emulator and the
 * token route behind it.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createDecartClient, models } from "@decart/core";
import { type Emulator, startEmulator } from "@decart/emulator";
import { type Browser, type BrowserContextOptions, chromium, type Locator, type Page } from "playwright-core";
import { type Plugin, type PreviewServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium } from "../../../scripts/chromium.mjs";
import { serveFetch } from "../server/backend.js";
import { decartPlayground } from "../server/plugin.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const artifacts = `${root}test-results`;
const CHROMIUM = findChromium();
/** Headless, as root, with no outside traffic (toolchain.md). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];

let emu: Emulator;
let server: PreviewServer;
let browser: Browser;
let url: string;

/** What `GET /api/config` answers instead of the page's backend while set (a test sets it and takes it away). */
let configAnswer: (() => Response) | undefined;
/** Answers `/api/config` with `configAnswer` while there is one, ahead of the page's own routes. */
const configOverride: Plugin = {
  name: "config-override",
  configurePreviewServer(server) {
    server.middlewares.use((req, res, next) => {
      const answer = configAnswer;
      if (answer && req.url?.split("?")[0] === "/api/config") void serveFetch(async () => answer(), req, res);
      else next();
    });
  },
};
const jsonAnswer =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

beforeAll(async () => {
  if (!existsSync(`${root}dist/index.html`)) throw new Error("Build the page first: pnpm --filter playground build");
  if (CHROMIUM.problem)
    throw new Error(
      `${CHROMIUM.problem}: set CHROMIUM_PATH to Chromium's path, or install it (Debian: apt-get install -y chromium)`,
    );
  mkdirSync(artifacts, { recursive: true });
  // Jobs of well under a second. A test that must see a job `processing` gives it a `[hold]` prompt: the job stays
  // there until the test, having seen it, releases it (however slow a loaded machine makes the page's reads).
  emu = await startEmulator({ timing: { pendingMs: 100, processingMs: 300 } });
  server = await preview({
    root,
    configFile: false,
    logLevel: "silent",
    plugins: [configOverride, decartPlayground({ emulator: emu })],
    preview: { host: "127.0.0.1", port: 0, strictPort: true },
  });
  url = server.resolvedUrls?.local[0] ?? "";
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  browser = await chromium.launch({ executablePath: CHROMIUM.path, args: FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await emu?.close();
});

/**
 * A stand-in for the API between the page and the emulator (storage or a CDN in front of it, a slow network): it
 * forwards every request, serves results as `application/octet-stream` while `octetStream` (an image as the bytes of
 * `imageBytes` when set, as `imageType` when set), and holds the answer of the next submit (a job's, an image's) after `holdSubmits()`.
 * Give its URL to the page with `configAnswer`.
 */
async function startApiProxy() {
  const target = new URL(emu.url);
  let held: { made(body: Buffer): void; answered: Promise<void> } | undefined;
  const releases: (() => void)[] = [];
  const proxy = {
    url: "",
    octetStream: false,
    imageBytes: undefined as Uint8Array | undefined,
    /** While set, the type an image is served as (`image/webp`, which the client does not take from `process`). */
    imageType: undefined as string | undefined,
    /**
     * While set, a job's submit (`POST /v1/jobs/…`) is answered this (JSON, with CORS, and `x-request-id` when
     * `requestId` is given), not sent on: once its body was read, and `until` resolves, when given.
     */
    refuseSubmit: undefined as { status: number; body: unknown; until?: Promise<void>; requestId?: string } | undefined,
    /**
     * Holds the answer of the next submit (`POST /v1/jobs/…`, `POST /v1/generate/…`; those after it pass): `made`
     * resolves with the body the emulator answered (the job made, the image), `release` gives it to the page.
     */
    holdSubmits() {
      let release = () => {};
      let made: (body: Buffer) => void = () => {};
      const answered = new Promise<void>((resolve) => {
        release = resolve;
      });
      const job = new Promise<Buffer>((resolve) => {
        made = resolve;
      });
      held = { made, answered };
      releases.push(release);
      return { made: job, release };
    },
    /** Closes it, the answers it still holds given first. */
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of releases) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    const refusal = proxy.refuseSubmit;
    if (refusal && req.method === "POST" && req.url?.startsWith("/v1/jobs/")) {
      const read = new Promise((resolve) => req.on("end", resolve).resume());
      const cors = { "access-control-allow-origin": "*", "access-control-expose-headers": "x-request-id" };
      const id = refusal.requestId ? { "x-request-id": refusal.requestId } : {};
      void Promise.all([read, refusal.until]).then(() =>
        res
          .writeHead(refusal.status, { "content-type": "application/json", ...cors, ...id })
          .end(JSON.stringify(refusal.body)),
      );
      return;
    }
    const up = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      async (answer) => {
        const headers = { ...answer.headers };
        const image = req.method === "POST" && req.url?.startsWith("/v1/generate/");
        if (proxy.octetStream && ((req.method === "GET" && req.url?.endsWith("/content")) || image)) {
          headers["content-type"] = "application/octet-stream";
        }
        if (image && proxy.imageType) headers["content-type"] = proxy.imageType;
        const hold = held;
        if (image && proxy.imageBytes && answer.statusCode === 200) {
          await answer.toArray();
          headers["content-length"] = String(proxy.imageBytes.length);
          res.writeHead(200, headers).end(proxy.imageBytes);
          return;
        }
        if (hold && req.method === "POST" && (image || req.url?.startsWith("/v1/jobs/"))) {
          if (held === hold) held = undefined;
          const body = Buffer.concat(await answer.toArray());
          hold.made(body);
          await hold.answered;
          res.writeHead(answer.statusCode ?? 502, headers).end(body);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** The stand-in of `startApiProxy`. */
type ApiProxy = Awaited<ReturnType<typeof startApiProxy>>;

/**
 * Runs `test` on a page of its own (`openPage`, given `options`) whose API is a stand-in (`startApiProxy`, given to it by `/api/config`);
 * once `test` ends, passed or failed, the page's browser context is closed, and the stand-in too (the answers it still
 * holds given first).
 */
async function withApiProxy(
  test: (proxy: ApiProxy, page: Page) => Promise<void>,
  options: Parameters<typeof openPage>[0] = {},
): Promise<void> {
  const proxy = await startApiProxy();
  configAnswer = jsonAnswer({ baseUrl: proxy.url });
  let page: Page | undefined;
  try {
    ({ page } = await openPage(options));
    await test(proxy, page);
  } finally {
    await page?.context().close();
    configAnswer = undefined;
    await proxy.close();
  }
}

/**
 * A page of its own, with the API keys every request of it sent; `fakeClock`: its timers on Playwright's clock; the rest
 * for its browser context (a viewport, `reducedMotion`).
 */
async function openPage({
  fakeClock = false,
  ...options
}: { fakeClock?: boolean } & BrowserContextOptions = {}): Promise<{ page: Page; keysSent: string[] }> {
  const context = await browser.newContext({
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(20_000);
  if (fakeClock) await context.clock.install();
  const page = await context.newPage();
  const keysSent: string[] = [];
  page.on("request", (request) => {
    const key = request.headers()["x-api-key"];
    if (key) keysSent.push(key);
  });
  await page.goto(url);
  return { page, keysSent };
}

/** A run's view on the page: "Result" (the form's run) or "Followed job". */
const view = (page: Page, title = "Result") => page.getByRole("region", { name: title, exact: true });

const timelineOf = (run: Locator) =>
  run.locator('ol[aria-label="Status timeline"] > li').evaluateAll((items) => items.map((li) => li.dataset.status));

/** Waits until the run's timeline reaches `status`. */
const reached = (run: Locator, status: string) =>
  run.locator(`ol[aria-label="Status timeline"] > li[data-status="${status}"]`).waitFor();

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function downloadBytes(run: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([
    run.page().waitForEvent("download"),
    run.getByRole("link", { name: "Download" }).click(),
  ]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/** Submits a job from Node (the page's "elsewhere") and follows it by its id until it is seen `processing` ([hold]). */
async function followHeldJob(page: Page, prompt: string): Promise<{ jobId: string; run: Locator }> {
  const server = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
  const { job_id: jobId } = await server.queue.submit({ model: models.video("lucy-pro-t2v"), prompt });
  await page.getByLabel("Job id").fill(jobId);
  await page.getByRole("button", { name: "Follow" }).click();
  const run = view(page, "Followed job");
  await reached(run, "processing");
  return { jobId, run };
}

/**
 * Generates a video on `page` (the prompt `prompt`) whose submit's answer `proxy` holds (the job made by the emulator,
 * not given to the page), then opens a second tab from it as Duplicate tab does: its sessionStorage a copy of the
 * first's, the submit's record in it. Answers the held submit (its `release`) and the second tab, loaded.
 */
async function openedWhileSubmitting(proxy: ApiProxy, page: Page, prompt: string) {
  const held = proxy.holdSubmits();
  await page.getByLabel("prompt").fill(prompt);
  await page.getByRole("button", { name: "Generate" }).click();
  await held.made;
  const [second] = await Promise.all([
    page.context().waitForEvent("page"),
    page.evaluate(() => void window.open(location.href)),
  ]);
  await second.getByLabel("Model").waitFor();
  return { held, second };
}

/**
 * What Submits not answered says of a cut video submit of lucy-pro-t2v with no error's words, whole: matched against the
 * text as it is (a regular expression is, whitespace not collapsed), so space around it is let through.
 */
const CUT_SAID = /^\s*lucy-pro-t2v, sent at .+: a job may have been created\.\s*$/;
/** The name of a submit's Web Lock begins so (`decart-playground:submit:<id>`), held by the page that sent it. */
const SUBMIT_LOCK = "decart-playground:submit:";
/** The name of the Web Lock a page holds on a cut submit it says begins so (`decart-playground:said:<id>`). */
const SAID_LOCK = "decart-playground:said:";
/** How long `expect.poll` waits for a page's state (its own default is one second). */
const POLL = { timeout: 20_000 };
/** How many Web Locks of the page's origin whose names begin with `prefix` are held, and how many asked for. */
const locksNamed = (page: Page, prefix: string) =>
  page.evaluate(
    (prefix) =>
      navigator.locks.query().then(({ held = [], pending = [] }) => ({
        held: held.filter((lock) => lock.name?.startsWith(prefix)).length,
        pending: pending.filter((lock) => lock.name?.startsWith(prefix)).length,
      })),
    prefix,
  );

/** The run's "Try again" button (shown while the hook's `canRetry`, after an error). */
const tryAgain = (run: Locator) => run.getByRole("button", { name: "Try again" });
/** The run's "Watch again" button (shown while the hook's `canRetry` without an error: the run was stopped). */
const watchAgain = (run: Locator) => run.getByRole("button", { name: "Watch again" });
/** The run's error: role `alert` where it does not take the focus, said by the focus where it does. */
const errorOf = (run: Locator) => run.locator("p.error");

/** The element with the keyboard focus: "body", or its tag and its name (`aria-label`, else its text). */
const focusedOn = (page: Page) =>
  page.evaluate(() => {
    const at = document.activeElement;
    return !at || at === document.body
      ? "body"
      : `${at.tagName.toLowerCase()}: ${at.getAttribute("aria-label") ?? at.textContent?.trim()}`;
  });

/**
 * The live regions a screen reader reads `text` out of as it comes (role `status` or `alert`, an `<output>`, `aria-live`
 * not "off"; the outermost of nested ones), by their name (`aria-label`) or role.
 */
const liveWith = (page: Page, text: string) =>
  page.evaluate((text) => {
    const live = "[role=status], [role=alert], output, [aria-live]";
    return [...document.querySelectorAll(live)]
      .filter((e) => e.getAttribute("aria-live") !== "off" && !e.parentElement?.closest(live))
      .filter((e) => e.textContent?.includes(text))
      .map((e) => e.getAttribute("aria-label") ?? e.getAttribute("role") ?? e.tagName.toLowerCase());
  }, text);

/** The job id a run shows. */
const shownJobId = async (run: Locator) => (await run.locator(".job").textContent())?.replace("job", "").trim() ?? "";

/** Waits for the `<video>` to have the whole clip, a duration and to play; returns the job id the page shows. */
async function expectVideoPlays(run: Locator): Promise<string> {
  // In view: Chromium pauses a muted video that autoplays while it is off the screen.
  await run.locator("video").scrollIntoViewIfNeeded();
  const video = await run.locator("video").elementHandle();
  const playing = await run
    .page()
    .waitForFunction(
      (v) =>
        v && v.readyState >= 4 && v.duration > 0 && v.currentTime > 0 && !v.error
          ? { readyState: v.readyState, duration: v.duration, width: v.videoWidth }
          : false,
      video as import("playwright-core").ElementHandle<HTMLVideoElement>,
    );
  const media = (await playing.jsonValue()) as { readyState: number; duration: number; width: number };
  expect(media.readyState).toBeGreaterThanOrEqual(4); // HAVE_ENOUGH_DATA
  expect(media.duration).toBeGreaterThan(0);
  expect(media.width).toBeGreaterThan(0);
  const jobId = await shownJobId(run);
  expect(emu.job(jobId)?.status).toBe("completed");
  return jobId;
}

describe("playground in Chromium", () => {
  it("generates a video: timeline, playback, download of the emulator's bytes, client tokens only", async () => {
    const { page, keysSent } = await openPage();
    const run = view(page);
    await expect(page.getByLabel("Model").inputValue()).resolves.toBe("lucy-pro-t2v");
    await page.getByLabel("prompt").fill("A lighthouse at dusk [hold]");
    await page.getByRole("button", { name: "Generate" }).click();

    await reached(run, "processing");
    expect(emu.release(await shownJobId(run))).toBe(true);
    await reached(run, "completed");
    const seen = await timelineOf(run);
    expect(seen.filter((s) => s === "pending" || s === "processing" || s === "completed")).toEqual([
      "pending",
      "processing",
      "completed",
    ]);

    const jobId = await expectVideoPlays(run);
    const { name, bytes } = await downloadBytes(run);
    expect(name).toBe(`decart-${jobId}.mp4`);
    const record = emu.job(jobId);
    expect(bytes.length).toBe(record?.resultBytes);
    expect(sha256(bytes)).toBe(record?.resultSha256);

    // Every API request carried a short-lived client token, never the server's key.
    expect(keysSent.length).toBeGreaterThan(2);
    for (const key of keysSent) expect(key).toMatch(/^ek_/);
    expect(keysSent).not.toContain(emu.apiKey);

    await page.screenshot({ path: `${artifacts}/video.png`, fullPage: true });
    await page.context().close();
  });

  it("generates an image through the Process API and downloads the emulator's bytes", async () => {
    const { page, keysSent } = await openPage();
    const run = view(page);
    await page.getByLabel("Model").selectOption("lucy-pro-t2i");
    await page.getByLabel("prompt").fill("A red kite");
    await page.getByLabel("resolution").selectOption("480p");
    // The emulator renders the same bytes for the same model, inputs and seed.
    const server = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    const expected = server.process({
      model: models.image("lucy-pro-t2i"),
      prompt: "A red kite",
      resolution: "480p",
    });
    await page.getByRole("button", { name: "Generate" }).click();

    await reached(run, "completed");
    expect(await timelineOf(run)).toEqual(["submitting", "completed"]);
    await expect(run.getByRole("img").evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
    await expect(run.getByRole("img").evaluate((img: HTMLImageElement) => img.naturalWidth)).resolves.toBeGreaterThan(
      0,
    );

    const { name, bytes } = await downloadBytes(run);
    expect(name).toBe("decart-lucy-pro-t2i.png");
    expect(sha256(bytes)).toBe(sha256(new Uint8Array(await (await expected).arrayBuffer())));
    for (const key of keysSent) expect(key).toMatch(/^ek_/);

    await page.screenshot({ path: `${artifacts}/image.png`, fullPage: true });
    await page.context().close();
  });

  it("sends a file input: image to video with a PNG chosen in the file field", async () => {
    const { page } = await openPage();
    const run = view(page);
    const server = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    const png = await server.process({
      model: models.image("lucy-pro-t2i"),
      prompt: "A start frame",
      resolution: "480p",
    });
    await page.getByLabel("Model").selectOption("lucy-pro-i2v");
    await page.getByLabel("prompt").fill("The frame comes alive");
    await page.getByLabel("data").setInputFiles({
      name: "start.png",
      mimeType: "image/png",
      buffer: Buffer.from(await png.arrayBuffer()),
    });
    await page.getByRole("button", { name: "Generate" }).click();

    await reached(run, "completed");
    const jobId = await expectVideoPlays(run);
    expect(emu.job(jobId)?.model).toBe("lucy-pro-i2v");
    const { bytes } = await downloadBytes(run);
    expect(sha256(bytes)).toBe(emu.job(jobId)?.resultSha256);
    await page.context().close();
  });

  it("follows a job submitted elsewhere (useJob) by its id, down to playback and download", async () => {
    const { page } = await openPage();
    const { jobId, run } = await followHeldJob(page, "A harbour [hold]");
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    expect((await timelineOf(run)).filter((s) => s === "processing" || s === "completed")).toEqual([
      "processing",
      "completed",
    ]);
    await expect(expectVideoPlays(run)).resolves.toBe(jobId);
    const { name, bytes } = await downloadBytes(run);
    expect(name).toBe(`decart-${jobId}.mp4`);
    expect(sha256(bytes)).toBe(emu.job(jobId)?.resultSha256);
    // The form's own run is untouched.
    await expect(view(page).getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("idle");
    await page.context().close();
  });

  it("Stop following says the job is no longer watched and takes its button away (the job goes on); Watch again follows it again", async () => {
    const { page } = await openPage();
    const { jobId, run } = await followHeldJob(page, "A tide that nobody watches [hold]");
    await expect(watchAgain(run).count()).resolves.toBe(0); // watched: nothing to watch again
    await page.getByRole("button", { name: "Stop following" }).click();
    await run.getByText("no longer watched").waitFor();
    await expect(page.getByRole("button", { name: "Stop following" }).count()).resolves.toBe(0);
    await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe(
      "processing (no longer watched: the job goes on)",
    );
    expect(emu.job(jobId)?.status).toBe("processing"); // not cancelled
    // useJob's retry() watches the same job again: the button says so.
    await expect(tryAgain(run).count()).resolves.toBe(0);
    await watchAgain(run).click();
    await page.getByRole("button", { name: "Stop following" }).waitFor();
    await expect(watchAgain(run).count()).resolves.toBe(0);
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    await expect(expectVideoPlays(run)).resolves.toBe(jobId);
    await expect(watchAgain(run).count()).resolves.toBe(0);
    await page.context().close();
  });

  it("Stop watching the form's run offers Watch again (not Try again): it follows the same job, no new one is made", async () => {
    const { page } = await openPage();
    const run = view(page);
    const before = emu.stats().jobsCreated;
    await page.getByLabel("prompt").fill("A harbour watched, left, and watched again [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    await expect(watchAgain(run).count()).resolves.toBe(0); // watched: nothing to watch again
    await page.getByRole("button", { name: "Stop watching" }).click();
    await run.getByText("no longer watched").waitFor();
    await expect(tryAgain(run).count()).resolves.toBe(0); // nothing would be tried again: the same job is watched
    await watchAgain(run).click();
    await page.getByRole("button", { name: "Stop watching" }).waitFor();
    await expect(watchAgain(run).count()).resolves.toBe(0);
    const jobId = await shownJobId(run);
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    await expect(expectVideoPlays(run)).resolves.toBe(jobId);
    expect(emu.stats().jobsCreated).toBe(before + 1); // one job: watching again made none
    await page.context().close();
  });

  it("says it is retrying (attempt, wait, the error) while the job's status reads fail, and stops once they answer", async () => {
    const { page } = await openPage();
    const { jobId, run } = await followHeldJob(page, "read through an outage [hold]");
    const retrying = run.getByRole("status", { name: "Retrying" });
    // The live region is there, empty, before the reads fail (a screen reader reads text coming into a region it
    // knows, not one inserted with its text), and it is that same node that says "retrying".
    await expect(retrying.textContent()).resolves.toBe("");
    const region = await retrying.elementHandle();
    emu.setFaults([{ route: "status", kind: "503" }]); // every status read answers 503 until the faults are cleared
    try {
      // Attempt 2 or a later one: the page may be past 2 by the time it is looked at (the retries are quick at first).
      const attemptShown = () => run.locator(".retrying").textContent();
      await run.getByText(/\(attempt ([2-9]|\d{2,}),/).waitFor();
      await expect(attemptShown()).resolves.toMatch(/^ ?retrying \(attempt \d+, next in \d+ ms\) … .*503/);
      // Only "retrying" is read out (the live region), not the attempt, the wait and the error's URL and job id; and
      // it stays the same node with the same text from one attempt to the next: said once, not at each attempt.
      await expect(retrying.textContent()).resolves.toBe("retrying");
      await expect(region?.evaluate((node) => [node.isConnected, node.textContent])).resolves.toEqual([
        true,
        "retrying",
      ]);
      const live = await retrying.elementHandle();
      // The next attempt comes after the wait it names (the backoff grows: a later one may be past the default 20 s).
      const [, attempt, nextMs] = (await attemptShown())!.match(/attempt (\d+), next in (\d+) ms/)!.map(Number);
      // (Slack past that wait for a loaded machine, and for the background pace, 30 s, should the browser report the
      // page hidden meanwhile: in CI runs the next attempt was not seen within 15 s of a 541 ms wait.)
      await run.getByText(new RegExp(`\\(attempt ${attempt! + 1},`)).waitFor({ timeout: nextMs! + 35_000 });
      await expect(live?.evaluate((node) => [node.isConnected, node.textContent])).resolves.toEqual([true, "retrying"]);
      // The job's status stays the last one read.
      await expect(run.getByLabel("Status", { exact: true }).textContent()).resolves.toBe("processing");
    } finally {
      emu.setFaults([]);
    }
    await retrying.filter({ hasText: /^$/ }).waitFor({ state: "attached" });
    await expect(region?.evaluate((node) => node.isConnected)).resolves.toBe(true);
    await expect(run.getByLabel("Status", { exact: true }).textContent()).resolves.toBe("processing");
    await expect(run.locator('li[data-status="retrying"]').textContent()).resolves.toMatch(/503/);
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    // processing, then retrying where the reads began to fail, processing again once one answered, then the end.
    const seen = (await timelineOf(run)).filter((s) => s !== "downloading");
    const at = seen.indexOf("retrying");
    expect(seen.slice(at - 1)).toEqual(["processing", "retrying", "processing", "completed"]);
    await page.screenshot({ path: `${artifacts}/retrying.png`, fullPage: true });
    await page.context().close();
    // (A test's own budget: the next attempt's wait, up to the client's backoff or a Retry-After, is waited for whole.)
  }, 120_000);

  it("follows the form's job again after a reload, kept in sessionStorage (its id and model, no key or token) while it runs, to its video; forgotten once shown", async () => {
    const { page } = await openPage();
    const run = view(page);
    const before = emu.stats().jobsCreated;
    await page.getByLabel("prompt").fill("A job that outlives its page [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    const jobId = await shownJobId(run);
    const stored = () => page.evaluate(() => JSON.stringify({ ...sessionStorage }));
    await page.waitForFunction((jobId) => JSON.stringify({ ...sessionStorage }).includes(jobId), jobId);
    const kept = await stored();
    expect(kept).toContain("lucy-pro-t2v");
    expect(kept).not.toContain("ek_");
    expect(kept).not.toContain(emu.apiKey);
    await page.reload();
    const followed = view(page, "Followed job");
    await reached(followed, "processing");
    await expect(shownJobId(followed)).resolves.toBe(jobId);
    await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("idle");
    expect(emu.release(jobId)).toBe(true);
    await reached(followed, "completed");
    await expect(expectVideoPlays(followed)).resolves.toBe(jobId);
    // Its end shown: forgotten, and the next load follows nothing.
    await page.waitForFunction(() => sessionStorage.length === 0);
    await page.reload();
    await page.getByLabel("Model").waitFor();
    await expect(view(page, "Followed job").count()).resolves.toBe(0);
    expect(emu.stats().jobsCreated).toBe(before + 1); // followed again, not submitted again
    await page.context().close();
  });

  it("after a reload that cut a video submit before its answer, says a job may have been made whose id the page never received (no key or token kept); Dismiss forgets it", () =>
    withApiProxy(async (proxy, page) => {
      const held = proxy.holdSubmits();
      const notice = page.getByRole("region", { name: "Submits not answered" });
      await page.getByLabel("prompt").fill("A job whose answer a reload cut");
      await page.getByRole("button", { name: "Generate" }).click();
      // Made by the emulator (and billed), its answer not yet given to the page.
      const { job_id: jobId } = JSON.parse((await held.made).toString()) as { job_id: string };
      const kept = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
      expect(kept).toContain("lucy-pro-t2v");
      expect(kept).not.toContain("ek_");
      expect(kept).not.toContain(emu.apiKey);
      expect(kept).not.toContain("A job whose answer");
      await page.reload();
      await notice.getByText(CUT_SAID).waitFor();
      await expect(notice.textContent()).resolves.toContain("the page never received its id");
      expect(emu.job(jobId)).toBeDefined();
      // Said again by the next load, until dismissed.
      await page.reload();
      await notice.getByRole("button", { name: "Dismiss" }).click();
      await expect(notice.count()).resolves.toBe(0);
      await page.waitForFunction(() => sessionStorage.length === 0);
      await page.reload();
      await page.getByLabel("Model").waitFor();
      await expect(notice.count()).resolves.toBe(0);
    }));

  it("a tab opened from one whose video submit is on its way (its sessionStorage copied) does not say that submit was not answered; the first tab, reloaded, does, the second then not, not even for a moment (until the first is closed)", () =>
    withApiProxy(
      async (proxy, page) => {
        const { second } = await openedWhileSubmitting(proxy, page, "A job whose tab is duplicated");
        // The record is the first tab's, still live: the second forgets its copy and says nothing of it.
        await second.waitForFunction(() => !Object.values(sessionStorage).join("").includes("lucy-pro-t2v"));
        await expect(second.getByRole("region", { name: "Submits not answered" }).count()).resolves.toBe(0);
        await expect(page.evaluate(() => Object.values(sessionStorage).join(""))).resolves.toContain("lucy-pro-t2v");
        // Whether the second tab ever says it from here on.
        await second.evaluate(() => {
          const shown = () => document.body.textContent?.includes("Submits not answered");
          new MutationObserver(() => {
            if (shown()) (window as { shown?: boolean }).shown = true;
          }).observe(document.body, { childList: true, subtree: true, characterData: true });
        });
        // The page's timers on Playwright's clock, stopped: the second tab's wait for the first's next load is run below.
        await page.clock.pauseAt(Date.now() + 1000);
        // The first tab loaded again cut its submit: that load says so, the second tab not (its copy hidden again).
        await page.reload();
        await page.getByRole("region", { name: "Submits not answered" }).getByText(CUT_SAID).waitFor();
        // No page holds the submit's lock nor waits for it: the second tab was given it as the first load went (its
        // wait for the next load begun), and that load took it and decided.
        await expect.poll(() => locksNamed(second, SUBMIT_LOCK), POLL).toEqual({ held: 0, pending: 0 });
        // The second tab waited for the next load to take it: it decides after that load, which says it, and waits for
        // the lock it says it under.
        await page.clock.runFor(2000);
        await expect.poll(() => locksNamed(second, SAID_LOCK), POLL).toEqual({ held: 1, pending: 1 });
        await expect(second.evaluate(() => (window as { shown?: boolean }).shown)).resolves.toBeUndefined();
        await second.getByRole("region", { name: "Submits not answered" }).waitFor({ state: "detached" });
        await second.waitForFunction(() => !Object.values(sessionStorage).join("").includes("lucy-pro-t2v"));
        // The first tab closed with it said: the second says it now.
        await page.close();
        await second.getByRole("region", { name: "Submits not answered" }).getByText(CUT_SAID).waitFor();
      },
      { fakeClock: true },
    ));

  it("a tab opened from one whose video submit is on its way says that submit once the first tab is closed before its answer; not once the first tab got its answer", async () => {
    for (const answered of [false, true])
      await withApiProxy(async (proxy, page) => {
        const prompt = `A job whose first tab goes ${answered ? "answered" : "unanswered"}`;
        const { held, second } = await openedWhileSubmitting(proxy, page, prompt);
        // Hidden while the first tab holds it: the second waits for its lock.
        await expect.poll(() => locksNamed(second, SUBMIT_LOCK), POLL).toEqual({ held: 1, pending: 1 });
        await expect(second.getByRole("region", { name: "Submits not answered" }).count()).resolves.toBe(0);
        if (answered) {
          held.release();
          await reached(view(page), "completed");
        }
        await page.close();
        const notice = second.getByRole("region", { name: "Submits not answered" });
        if (answered) {
          // The lock given and let go (neither held nor asked for), the record was forgotten by the first tab: this
          // tab keeps no copy of it, nothing said.
          await expect.poll(() => locksNamed(second, SUBMIT_LOCK), POLL).toEqual({ held: 0, pending: 0 });
          await expect(second.evaluate(() => Object.values(sessionStorage).join(""))).resolves.not.toContain(
            "lucy-pro-t2v",
          );
          await expect(notice.count()).resolves.toBe(0);
        } else await notice.getByText(CUT_SAID).waitFor();
      });
  });

  it("a tab opened from one whose video submit is on its way says nothing of it once the first tab got its answer, even closed before it wrote so in IndexedDB", () =>
    withApiProxy(async (proxy, page) => {
      const { held, second } = await openedWhileSubmitting(proxy, page, "A job whose first tab goes before it writes");
      // The first tab holds the submit's lock, the second waits for it.
      await expect.poll(() => locksNamed(second, SUBMIT_LOCK), POLL).toEqual({ held: 1, pending: 1 });
      // The first tab's IndexedDB held: its write of the submits it forgot never completes.
      await page.evaluate(() => {
        indexedDB.open = () => ({}) as IDBOpenDBRequest;
      });
      held.release();
      // Its answer came: the record forgotten in its storage, the lock still held (the IndexedDB write not done).
      await page.waitForFunction(
        () => !JSON.parse(sessionStorage.getItem("decart-playground:jobs") ?? "{}").submits?.length,
      );
      await expect(locksNamed(second, SUBMIT_LOCK)).resolves.toEqual({ held: 1, pending: 1 });
      // Closed there: the browser lets the lock go, nothing written to IndexedDB.
      await page.close();
      // The second tab, given the lock, reads that the first forgot the submit: no copy kept, no lock asked for (none
      // to say it under), nothing said.
      await expect
        .poll(
          async () => ({
            locks: await locksNamed(second, "decart-playground:"),
            kept: await second.evaluate(() => Object.values(sessionStorage).join("").includes("lucy-pro-t2v")),
          }),
          POLL,
        )
        .toEqual({ locks: { held: 0, pending: 0 }, kept: false });
      await expect(second.getByRole("region", { name: "Submits not answered" }).count()).resolves.toBe(0);
    }));

  it("says a submit whose first tab closed before its answer in a browser without AbortSignal.any (Safari before 17.4, in the README's floor)", () =>
    withApiProxy(async (proxy, page) => {
      await page.context().addInitScript(() => {
        delete (AbortSignal as { any?: unknown }).any;
      });
      await page.reload();
      const { second } = await openedWhileSubmitting(proxy, page, "A job whose first tab goes, in an older browser");
      await expect(second.evaluate(() => typeof AbortSignal.any)).resolves.toBe("undefined");
      await expect.poll(() => locksNamed(second, SUBMIT_LOCK), POLL).toEqual({ held: 1, pending: 1 });
      await page.close();
      await second.getByRole("region", { name: "Submits not answered" }).getByText(CUT_SAID).waitFor();
    }));

  it("a page saying a cut submit lets its lock go while in the back/forward cache (pagehide, persisted) and takes it again when shown (pageshow, persisted)", async () => {
    // Playwright turns the back/forward cache off in the browsers it launches: one of this test's own with it on.
    const cacheOn = await chromium.launch({
      executablePath: CHROMIUM.path,
      args: FLAGS,
      ignoreDefaultArgs: ["--disable-back-forward-cache"],
    });
    const proxy = await startApiProxy();
    configAnswer = jsonAnswer({ baseUrl: proxy.url });
    try {
      const context = await cacheOn.newContext();
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      await page.goto(url);
      const held = proxy.holdSubmits();
      await page.getByLabel("prompt").fill("A job whose page goes into the back/forward cache");
      await page.getByRole("button", { name: "Generate" }).click();
      await held.made;
      await page.reload();
      const notice = page.getByRole("region", { name: "Submits not answered" });
      await notice.getByText(CUT_SAID).waitFor();
      await expect.poll(() => locksNamed(page, SAID_LOCK), POLL).toEqual({ held: 1, pending: 0 });
      await page.evaluate(() => {
        (window as { kept?: boolean }).kept = true;
      });
      // Away to another document of the origin: the page goes into the cache, its lock let go.
      await page.goto(`${url}api/config`);
      const other = await context.newPage();
      await other.goto(`${url}api/config`);
      await expect(locksNamed(other, SAID_LOCK)).resolves.toEqual({ held: 0, pending: 0 });
      // Back: the same document (from the cache, not loaded again), saying the submit and holding its lock again.
      await page.goBack({ waitUntil: "commit" });
      await expect(page.evaluate(() => (window as { kept?: boolean }).kept)).resolves.toBe(true);
      await expect.poll(() => locksNamed(page, SAID_LOCK), POLL).toEqual({ held: 1, pending: 0 });
      await notice.getByText(CUT_SAID).waitFor();
    } finally {
      await cacheOn.close();
      configAnswer = undefined;
      await proxy.close();
    }
  });

  it("a submit forgotten before its Web Lock is granted never holds it (the lock is not kept until the page closes)", async () => {
    const { page } = await openPage();
    const name = "decart-playground:submit:0.5";
    // Another document of the page's origin holds the lock the submit will ask for (its id made 0.5 below), so the
    // page's request waits.
    const other = await page.context().newPage();
    await other.goto(url);
    await other.evaluate(
      (name) =>
        new Promise<void>((granted) => {
          void navigator.locks.request(name, () => {
            granted();
            return new Promise<void>((release) => {
              (window as { release?: () => void }).release = release;
            });
          });
        }),
      name,
    );
    await page.evaluate(() => {
      Math.random = () => 0.5;
    });
    await page.getByLabel("prompt").fill("A job whose submit lock comes late [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    const run = view(page);
    await reached(run, "processing");
    // The answer came: the record is forgotten while its lock was still asked for.
    await page.waitForFunction(
      () => !JSON.parse(sessionStorage.getItem("decart-playground:jobs") ?? "{}").submits?.length,
    );
    await other.evaluate(() => (window as { release?: () => void }).release?.());
    // Nobody holds the lock, nor waits for it (the page's request was given up when its submit was forgotten).
    await expect(locksNamed(other, name)).resolves.toEqual({ held: 0, pending: 0 });
    expect(emu.release(await shownJobId(run))).toBe(true);
    await page.context().close();
  });

  it("follows a job followed by its id again after a reload; Stop following forgets it", async () => {
    const { page } = await openPage();
    const { jobId, run } = await followHeldJob(page, "A job followed through a reload [hold]");
    await page.waitForFunction((jobId) => JSON.stringify({ ...sessionStorage }).includes(jobId), jobId);
    await page.reload();
    await reached(run, "processing");
    await expect(shownJobId(run)).resolves.toBe(jobId);
    await page.getByRole("button", { name: "Stop following" }).click();
    await page.waitForFunction(() => sessionStorage.length === 0);
    await page.reload();
    await page.getByLabel("Model").waitFor();
    await expect(run.count()).resolves.toBe(0);
    expect(emu.release(jobId)).toBe(true);
    await page.context().close();
  });

  it("reads a job at once when the browser comes back online while its status reads fail, not after the retry's backoff", async () => {
    const { page } = await openPage({ fakeClock: true });
    const { jobId, run } = await followHeldJob(page, "A job read through an offline spell [hold]");
    const statusRead = (request: import("playwright-core").Request) =>
      request.method() === "GET" && new URL(request.url()).pathname === `/v1/jobs/${jobId}`;
    let failed = 0;
    page.on("requestfailed", (request) => void (statusRead(request) && failed++));
    // The page's clock stops: its timers (the poll's wait, a retry's backoff) fire only as the test moves it on.
    await page.clock.pauseAt(Date.now() + 1000);
    await page.context().setOffline(true);
    // On to the next status read, which fails offline, in steps shorter than any retry's backoff (50 ms or more).
    for (let step = 0; !failed; step++) {
      expect(step).toBeLessThan(500);
      await page.clock.runFor(10);
    }
    await run.getByRole("status", { name: "Retrying" }).filter({ hasText: "retrying" }).waitFor();
    // Online again: the page reads the job at once (a timer of 0 ms), the retry's backoff not yet run out.
    await page.evaluate(() => {
      (window as { online?: Promise<void> }).online = new Promise((resolve) =>
        addEventListener("online", () => resolve(), { once: true }),
      );
    });
    await page.context().setOffline(false);
    await page.evaluate(() => (window as { online?: Promise<void> }).online);
    const read = page.waitForRequest(statusRead);
    await page.clock.runFor(1);
    await read;
    await run.getByRole("status", { name: "Retrying" }).filter({ hasText: /^$/ }).waitFor({ state: "attached" });
    await expect(run.getByLabel("Status", { exact: true }).textContent()).resolves.toBe("processing");
    await page.clock.resume();
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    await page.context().close();
  });

  it("watches a job again by itself when the browser comes back online after its watch ended offline (its budget ran out): nothing pressed", async () => {
    const { page } = await openPage({ fakeClock: true });
    const { jobId, run } = await followHeldJob(page, "A job whose watch ends offline [hold]");
    const statusRead = (request: import("playwright-core").Request) =>
      request.method() === "GET" && new URL(request.url()).pathname === `/v1/jobs/${jobId}`;
    await page.clock.pauseAt(Date.now() + 1000);
    await page.context().setOffline(true);
    // Offline past the watch's budget, its retries' backoffs run out on the page's clock: the watch ends with its error,
    // one another watch gets past (Try again shown).
    for (let step = 0; !(await tryAgain(run).count()); step++) {
      expect(step).toBeLessThan(200);
      await page.clock.runFor(10_000);
    }
    await expect(run.getByLabel("Status", { exact: true }).textContent()).resolves.toBe("error");
    // Online again, nothing pressed: the page reads the job at once and follows it to its end.
    const read = page.waitForRequest(statusRead);
    await page.context().setOffline(false);
    await page.clock.runFor(1);
    await read;
    await page.clock.resume();
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    await expect(tryAgain(run).count()).resolves.toBe(0);
    await page.context().close();
  });

  it("submits nothing by itself when the browser comes back online after a job failed (its Try again would submit a new job)", async () => {
    const { page } = await openPage();
    const run = view(page);
    await page.getByLabel("prompt").fill("A job that fails before the browser is online again [fail]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "failed");
    const jobId = await shownJobId(run);
    await expect(tryAgain(run).count()).resolves.toBe(1);
    const before = emu.stats().jobsCreated;
    let posts = 0;
    page.on("request", (request) => void (request.method() === "POST" && posts++));
    // Online again, twice: the page's listeners, then a frame rendered and a task after it (React's commit of a submit
    // started by a listener comes before them).
    for (let i = 0; i < 2; i++) {
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            dispatchEvent(new Event("online"));
            requestAnimationFrame(() => setTimeout(resolve));
          }),
      );
      await expect(run.getByLabel("Status", { exact: true }).textContent()).resolves.toBe("failed");
      await expect(shownJobId(run)).resolves.toBe(jobId);
    }
    expect(posts).toBe(0);
    expect(emu.stats().jobsCreated).toBe(before);
    await expect(tryAgain(run).count()).resolves.toBe(1);
    await page.context().close();
  });

  it("names every control, reaches the buttons by Tab, shows the status in a live region and moves the focus to an error's alert", async () => {
    const { page } = await openPage();
    const run = view(page);
    const focused = () =>
      page.evaluate(() => {
        const at = document.activeElement;
        return `${at?.getAttribute("role") ?? at?.tagName.toLowerCase()}: ${at?.textContent?.trim() ?? ""}`;
      });
    // Each kind of form (text, numbers and selects; a file; JSON; an image model's): no control without a name.
    for (const model of ["lucy-pro-t2v", "lucy-pro-i2v", "lucy-motion", "lucy-pro-t2i"]) {
      await page.getByLabel("Model").selectOption(model);
      const tree = await page.locator("main").ariaSnapshot();
      expect(tree, model).not.toMatch(/^\s*- (button|textbox|combobox|spinbutton|checkbox|link|slider)(?! ")/m);
    }
    await page.getByLabel("Model").selectOption("lucy-motion");
    for (const [role, name] of [
      ["combobox", "Model"],
      ["button", "data"],
      ["textbox", "trajectory"],
      ["spinbutton", "seed"],
      ["button", "Generate"],
      ["textbox", "Job id"],
      ["button", "Follow"],
    ] as const) {
      await expect(page.getByRole(role, { name, exact: true }).count(), name).resolves.toBe(1);
    }
    // The run's status is a live region (role status: polite), which a screen reader reads out as it changes.
    await expect(run.getByRole("status", { name: "Status" }).textContent()).resolves.toBe("idle");
    // Tab from the model picker reaches Generate, then Follow.
    await page.getByLabel("Model").focus();
    const reachedByTab: string[] = [];
    for (let i = 0; i < 12 && !reachedByTab.includes("button: Follow"); i++) {
      await page.keyboard.press("Tab");
      reachedByTab.push(await focused());
    }
    expect(reachedByTab).toContain("button: Generate");
    expect(reachedByTab).toContain("button: Follow");
    // A form problem (JSON that does not parse): the focus goes to its alert.
    await page.getByLabel("data").setInputFiles({
      name: "frame.png",
      mimeType: "image/png",
      buffer: Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "base64",
      ),
    });
    await page.getByLabel("trajectory").fill("[");
    await page.getByRole("button", { name: "Generate" }).click();
    // Said once, by the focus alone (no live region besides, read twice as it was inserted and focused): the list's
    // name and description, read as it takes the focus, are its count and its problems.
    const problemsList = page.getByRole("list", { name: "1 problem:", exact: true });
    await problemsList.waitFor();
    await expect(
      problemsList.evaluate((list) =>
        (list.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent),
      ),
    ).resolves.toEqual([expect.stringContaining("trajectory: not valid JSON")]);
    await page.waitForFunction(() => document.activeElement?.tagName === "UL");
    await expect(problemsList.evaluate((list) => list === document.activeElement)).resolves.toBe(true);
    await expect(focused()).resolves.toContain("trajectory: not valid JSON");
    await expect(liveWith(page, "trajectory: not valid JSON")).resolves.toEqual([]);
    // A run's error (a failed job): the focus goes to its alert, and Tab from there to Try again.
    await page.getByLabel("Model").selectOption("lucy-pro-t2v");
    await page.getByLabel("prompt").fill("A storm [fail: the storm ate the set]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "failed");
    await page.waitForFunction(() => document.activeElement?.textContent?.includes("the storm ate the set"));
    await expect(focused()).resolves.toMatch(/^p: .*the storm ate the set$/);
    await page.keyboard.press("Tab");
    await expect(focused()).resolves.toBe("button: Try again");
    await page.context().close();
  });

  it("leaves the focus in the field being typed in when the run's error comes, its alert read out all the same", async () => {
    const { page } = await openPage();
    const run = view(page);
    const prompt = page.getByLabel("prompt");
    await prompt.fill("A storm while typing [hold] [fail: the storm ate the set]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    // The user types the next prompt while the job runs; it fails meanwhile.
    await prompt.fill("");
    await prompt.focus();
    await page.keyboard.type("The next");
    expect(emu.release(await shownJobId(run))).toBe(true);
    await reached(run, "failed");
    await expect(run.getByRole("alert").textContent()).resolves.toContain("the storm ate the set");
    // Said once: by its alert (the focus stays), not by the status too.
    await expect(liveWith(page, "the storm ate the set")).resolves.toEqual(["alert"]);
    await expect(run.getByRole("status", { name: "Status" }).getAttribute("aria-live")).resolves.toBe("off");
    await page.keyboard.type(" prompt");
    await expect(prompt.inputValue()).resolves.toBe("The next prompt");
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe("TEXTAREA");
    await page.context().close();
  });

  it("keeps the focus on Generate pressed by keyboard while its run is submitting (aria-disabled), where pressing it again sends nothing", () =>
    withApiProxy(async (proxy, page) => {
      const held = proxy.holdSubmits();
      const run = view(page);
      const before = emu.stats().jobsCreated;
      await page.getByLabel("prompt").fill("A submit pressed by keyboard");
      const generate = page.getByRole("button", { name: "Generate" });
      await generate.focus();
      await page.keyboard.press("Enter");
      await held.made; // made by the emulator, its answer held
      await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("submitting");
      await expect(focusedOn(page)).resolves.toBe("button: Generate");
      await expect(generate.getAttribute("aria-disabled")).resolves.toBe("true");
      await page.keyboard.press("Enter"); // nothing while it submits
      held.release();
      await reached(run, "completed");
      await expect(focusedOn(page)).resolves.toBe("button: Generate");
      await expect(generate.getAttribute("aria-disabled")).resolves.toBeNull();
      expect(emu.stats().jobsCreated).toBe(before + 1);
    }));

  it("hands the focus on when Stop watching, Watch again, Try again or Stop following takes its own button away, and to the status when a job's end takes its stop button", async () => {
    const { page } = await openPage();
    const run = view(page);
    // The focus moving on after a press, or as the run's end or error renders: a UI reaction, waited for briefly. What
    // depends on the server (a job's end, a submit's error after the client's retries) is waited for first, by `reached`,
    // with the page's budget for an answer.
    const focus = () => expect.poll(() => focusedOn(page), { timeout: 5000 });
    // The form's run: Stop watching, then Watch again, then Stop watching again, by keyboard.
    await page.getByLabel("prompt").fill("A harbour left and watched again by keyboard [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    await page.getByRole("button", { name: "Stop watching" }).focus();
    await page.keyboard.press("Enter");
    await focus().toBe("button: Watch again");
    await page.keyboard.press("Enter");
    await focus().toBe("button: Stop watching");
    expect(emu.release(await shownJobId(run))).toBe(true);
    await reached(run, "completed");
    // The job's end takes Stop watching away: the focus to the run's status.
    const statusFocused = (view: Locator) =>
      view.getByRole("status", { name: "Status" }).evaluate((status) => status === document.activeElement);
    await expect.poll(() => statusFocused(run), { timeout: 5000 }).toBe(true);
    // The followed job: Stop following, then Watch again, then Stop following again.
    const { jobId, run: followed } = await followHeldJob(page, "A tide left and watched again by keyboard [hold]");
    await page.getByRole("button", { name: "Stop following" }).focus();
    await page.keyboard.press("Enter");
    await focus().toBe("button: Watch again");
    await page.keyboard.press("Enter");
    await focus().toBe("button: Stop following");
    expect(emu.release(jobId)).toBe(true);
    await reached(followed, "completed");
    await expect.poll(() => statusFocused(followed), { timeout: 5000 }).toBe(true);
    // Try again after a submit answered 503: the run goes on, the focus to its Stop watching.
    emu.setFaults([{ route: "submit", kind: "503" }]);
    try {
      await page.getByLabel("prompt").fill("A pier tried again by keyboard [hold]");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error"); // after the client's own retries of the 503
      await focus().toMatch(/^p: .*503/); // its error took it
    } finally {
      emu.setFaults([]);
    }
    await page.keyboard.press("Tab");
    await expect(focusedOn(page)).resolves.toBe("button: Try again");
    await page.keyboard.press("Enter");
    await focus().toBe("button: Stop watching");
    await reached(run, "processing");
    expect(emu.release(await shownJobId(run))).toBe(true);
    await reached(run, "completed");
    // An image's Try again: no Stop watching for an image, the focus to the run's status.
    await page.getByLabel("Model").selectOption("lucy-pro-t2i");
    emu.setFaults([{ route: "process", kind: "503" }]);
    try {
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error"); // after the client's own retries of the 503
      await focus().toMatch(/^p: .*503/);
    } finally {
      emu.setFaults([]);
    }
    await page.keyboard.press("Tab");
    await expect(focusedOn(page)).resolves.toBe("button: Try again");
    await page.keyboard.press("Enter");
    await focus().toBe("output: Status");
    await reached(run, "completed");
    await page.context().close();
  });

  it("says once, in the run's status live region, that a run is no longer watched", async () => {
    const { page } = await openPage();
    const run = view(page);
    await page.getByLabel("prompt").fill("A harbour no longer watched, said [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    await expect(liveWith(page, "no longer watched")).resolves.toEqual([]);
    await page.getByRole("button", { name: "Stop watching" }).click();
    await run.getByText("no longer watched").waitFor();
    await expect(liveWith(page, "no longer watched")).resolves.toEqual(["Status"]);
    await expect(run.getByRole("status", { name: "Status" }).textContent()).resolves.toBe(
      "processing (no longer watched: the job goes on)",
    );
    expect(emu.release(await shownJobId(run))).toBe(true);
    await page.context().close();
  });

  it("says a run's error once: by the focus on it, not by a live region too (neither its alert nor the status)", async () => {
    const { page } = await openPage();
    const run = view(page);
    await page.getByLabel("prompt").fill("A storm said once [fail: the storm ate the set]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "failed");
    await expect.poll(() => focusedOn(page), { timeout: 5000 }).toMatch(/^p: .*the storm ate the set$/);
    await expect(liveWith(page, "the storm ate the set")).resolves.toEqual([]);
    await expect(liveWith(page, "failed")).resolves.toEqual([]);
    await expect(run.getByRole("status", { name: "Status" }).getAttribute("aria-live")).resolves.toBe("off");
    await page.context().close();
  });

  it("gives client tokens to the page's own origin only", async () => {
    const post = (origin?: string) =>
      fetch(new URL("api/token", url), { method: "POST", headers: origin ? { origin } : {} });
    const own = await post(new URL(url).origin);
    expect(own.status).toBe(200);
    const token = (await own.json()) as { apiKey: string; expiresAt: string };
    expect(token.apiKey).toMatch(/^ek_/);
    expect(Date.parse(token.expiresAt)).toBeGreaterThan(Date.now());
    expect((await post("http://elsewhere.example")).status).toBe(403);
    expect((await post()).status).toBe(403);
    expect((await fetch(new URL("api/token", url))).status).toBe(405);
  });

  it("shows a failed job's reason in the timeline", async () => {
    const { page } = await openPage();
    const run = view(page);
    await page.getByLabel("prompt").fill("A storm [fail: the storm ate the set]");
    await page.getByRole("button", { name: "Generate" }).click();

    await reached(run, "failed");
    const seen = await timelineOf(run);
    expect(seen.at(-1)).toBe("failed");
    expect(seen).toContain("pending");
    await expect(errorOf(run).textContent()).resolves.toContain("the storm ate the set");
    await expect(run.getByRole("link", { name: "Download" }).count()).resolves.toBe(0);
    // A failed job made nothing to pay for twice: Try again would submit the same inputs (a new job).
    await expect(tryAgain(run).count()).resolves.toBe(1);
    await page.context().close();
  });

  it("Try again after a submit answered 503 (no job made) submits the same inputs once the API is back", async () => {
    const { page } = await openPage();
    const run = view(page);
    const before = emu.stats();
    emu.setFaults([{ route: "submit", kind: "503" }]); // the API is down: every submit is answered 503
    try {
      await page.getByLabel("prompt").fill("A pier once the API is back [hold]");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error"); // after the client's own retries
      await expect(errorOf(run).textContent()).resolves.toContain("503");
      expect(emu.stats().jobsCreated).toBe(before.jobsCreated);
      // A submit that made nothing is no longer recorded as on its way: a reload would say nothing.
      await page.waitForFunction(() => sessionStorage.length === 0);
    } finally {
      emu.setFaults([]);
    }
    await tryAgain(run).click();
    await reached(run, "processing");
    await expect(tryAgain(run).count()).resolves.toBe(0); // running: nothing to try again
    const jobId = await shownJobId(run);
    expect(emu.job(jobId)?.model).toBe("lucy-pro-t2v");
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    await expect(expectVideoPlays(run)).resolves.toBe(jobId);
    expect(emu.stats().jobsCreated).toBe(before.jobsCreated + 1);
    // One timeline: the failed submit, then the same run tried again (a short download may go unseen).
    const seen = await timelineOf(run);
    expect(seen.slice(0, 2)).toEqual(["submitting", "error"]);
    expect(seen.slice(2).filter((s) => s !== "downloading")).toEqual([
      "submitting",
      "pending",
      "processing",
      "completed",
    ]);
    await expect(tryAgain(run).count()).resolves.toBe(0); // completed: nothing to try again
    await page.screenshot({ path: `${artifacts}/retry.png`, fullPage: true });
    await page.context().close();
  });

  it("Try again after another model was picked records the run's submit under the run's model: a reload cutting it names that model", () =>
    withApiProxy(async (proxy, page) => {
      proxy.refuseSubmit = { status: 503, body: { detail: "Service unavailable" } };
      const run = view(page);
      await page.getByLabel("prompt").fill("A submit tried again once another model is picked");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error");
      await page.getByLabel("Model").selectOption("lucy-pro-t2i"); // the form changes, its run stays
      proxy.refuseSubmit = undefined;
      const held = proxy.holdSubmits();
      await tryAgain(run).click();
      await held.made;
      const kept = await page.evaluate(() => JSON.parse(sessionStorage.getItem("decart-playground:jobs") ?? "{}"));
      expect(kept.submits?.map((submit: { model: string }) => submit.model)).toEqual(["lucy-pro-t2v"]);
      await page.reload();
      await page
        .getByRole("region", { name: "Submits not answered" })
        .getByText(/^lucy-pro-t2v, sent at /)
        .waitFor();
      held.release();
    }));

  it("Watch again after Stop watching a submit on its way records nothing more: once its answer is shown, a reload says no submit unanswered", () =>
    withApiProxy(async (proxy, page) => {
      const held = proxy.holdSubmits();
      const run = view(page);
      const before = emu.stats().jobsCreated;
      await page.getByLabel("prompt").fill("A submit stopped, then watched again");
      await page.getByRole("button", { name: "Generate" }).click();
      await held.made;
      await page.getByRole("button", { name: "Stop watching" }).click();
      await watchAgain(run).click();
      held.release();
      await reached(run, "completed");
      expect(emu.stats().jobsCreated).toBe(before + 1); // the one submit's job, watched to its end
      await page.waitForFunction(() => sessionStorage.length === 0);
      await page.reload();
      await page.getByLabel("Model").waitFor();
      await expect(page.getByRole("region", { name: "Submits not answered" }).count()).resolves.toBe(0);
    }));

  it("offers no Try again after a submit whose outcome is unknown (500: a job may have been made and paid for)", async () => {
    const { page } = await openPage();
    const run = view(page);
    emu.setFaults([{ route: "submit", kind: "500" }]);
    try {
      await page.getByLabel("prompt").fill("A job that may exist");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error");
    } finally {
      emu.setFaults([]);
    }
    await errorOf(run).waitFor();
    await expect(tryAgain(run).count()).resolves.toBe(0);
    // Still recorded as on its way (a job may exist): a reload says so.
    await page.reload();
    await page
      .getByRole("region", { name: "Submits not answered" })
      .getByText(/^lucy-pro-t2v, sent at /)
      .waitFor();
    await page.context().close();
  });

  it("a submit whose outcome is unknown (502 once its body was read) says what to do: the run shows its error's words (the request id, a job may exist, ask support); once the form moves on, Submits not answered says them, again after a reload", () =>
    withApiProxy(async (proxy, page) => {
      proxy.refuseSubmit = { status: 502, body: { detail: "Upstream did not answer" }, requestId: "req_unknown_502" };
      const words = /\(HTTP 502, request req_unknown_502\); a job \(or file\) may exist: .*ask support before retrying/;
      const run = view(page);
      const notice = page.getByRole("region", { name: "Submits not answered" });
      await page.getByLabel("prompt").fill("A job that may exist");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error");
      await expect(errorOf(run).textContent()).resolves.toMatch(words);
      await expect(tryAgain(run).count()).resolves.toBe(0);
      await expect(notice.count()).resolves.toBe(0); // its run says it
      // The form moves on (another model's run): the run that said it goes, its words are said under Submits not
      // answered at once, and by the next load.
      proxy.refuseSubmit = undefined;
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByLabel("prompt").fill("The form's next run");
      await page.getByRole("button", { name: "Generate" }).click();
      const said = notice.getByText(/^lucy-pro-t2v, sent at .+: a job may have been created\. /);
      await said.waitFor();
      await expect(said.textContent()).resolves.toMatch(words);
      await reached(run, "completed");
      await page.reload();
      await said.waitFor();
      await expect(said.textContent()).resolves.toMatch(words);
    }));

  it("a video submit the form left that then fails is forgotten when it made nothing (503), and said at once under Submits not answered, with its error, when a job may exist (500)", () =>
    withApiProxy(async (proxy, page) => {
      const stored = (page: Page) =>
        page.evaluate(() => JSON.parse(sessionStorage.getItem("decart-playground:jobs") ?? "{}").submits ?? []);
      /** Generate of a video whose submit the stand-in answers `status` only once the form has moved on to an image. */
      async function leave(page: Page, status: number, detail: string) {
        let answer = () => {};
        const until = new Promise<void>((resolve) => {
          answer = resolve;
        });
        proxy.refuseSubmit = { status, body: { detail }, until };
        await page.getByLabel("Model").selectOption("lucy-pro-t2v");
        await page.getByLabel("prompt").fill(`A submit left, then answered ${status}`);
        await page.getByRole("button", { name: "Generate" }).click();
        await expect(stored(page)).resolves.toHaveLength(1);
        await page.getByLabel("Model").selectOption("lucy-pro-t2i");
        await page.getByLabel("prompt").fill("The form's next run");
        await page.getByRole("button", { name: "Generate" }).click();
        answer();
      }
      const notice = page.getByRole("region", { name: "Submits not answered" });
      // A 503 (after the client's own retries): no job made, nothing to say.
      await leave(page, 503, "Service unavailable");
      await page.waitForFunction(
        () => !JSON.parse(sessionStorage.getItem("decart-playground:jobs") ?? "{}").submits?.length,
      );
      await page.reload();
      await page.getByLabel("Model").waitFor();
      await expect(notice.count()).resolves.toBe(0);
      // A 500: a job may exist, said at once with its error's words, and again by the next load.
      await leave(page, 500, "the storage did not answer in time");
      const said = notice.getByText(
        /^lucy-pro-t2v, sent at .+: a job may have been created\. .*the storage did not answer in time/,
      );
      await said.waitFor();
      await expect(view(page).getByText("the storage did not answer in time").count()).resolves.toBe(0);
      await expect(stored(page)).resolves.toEqual([
        expect.objectContaining({
          model: "lucy-pro-t2v",
          error: expect.stringContaining("the storage did not answer"),
        }),
      ]);
      await page.reload();
      await said.waitFor();
    }));

  it("offers no Try again after an error that says the inputs are at fault (the client's check, a 400), and a JSON problem clears the previous error", async () => {
    const { page } = await openPage();
    const run = view(page);
    const server = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
    const png = await server.process({ model: models.image("lucy-pro-t2i"), prompt: "A frame", resolution: "480p" });
    const before = emu.stats().jobsCreated;
    // The client's check refuses a trajectory of fewer than 2 points before sending: an InvalidInputError.
    await page.getByLabel("Model").selectOption("lucy-motion");
    await page.getByLabel("data").setInputFiles({
      name: "frame.png",
      mimeType: "image/png",
      buffer: Buffer.from(await png.arrayBuffer()),
    });
    await page.getByLabel("trajectory").fill("[]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "error");
    await expect(errorOf(run).textContent()).resolves.toContain("trajectory");
    await expect(tryAgain(run).count()).resolves.toBe(0);
    // A JSON field that does not parse: nothing sent, the problem shown, the previous run's error gone with its run.
    await page.getByLabel("trajectory").fill("[");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByText("trajectory: not valid JSON").waitFor();
    await expect(errorOf(run).count()).resolves.toBe(0);
    await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("idle");
    // A GIF named .png: the server answers 400 "Invalid file type".
    await page.getByLabel("Model").selectOption("lucy-pro-i2v");
    await page.getByLabel("prompt").fill("A GIF that says it is a PNG");
    await page.getByLabel("data").setInputFiles({
      name: "still.png",
      mimeType: "image/png",
      buffer: Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64"),
    });
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "error");
    await expect(errorOf(run).textContent()).resolves.toContain("Invalid file type");
    await expect(tryAgain(run).count()).resolves.toBe(0);
    expect(emu.stats().jobsCreated).toBe(before);
    await page.context().close();
  });

  it("a video submit that answers after the form moved on (another model's Generate) lists its job (made and paid for) under Jobs not shown; Watch follows it to its video", () =>
    withApiProxy(async (proxy, page) => {
      const held = proxy.holdSubmits();
      const run = view(page);
      await page.getByLabel("prompt").fill("A job made while the form moved on");
      await page.getByRole("button", { name: "Generate" }).click();
      // Made by the emulator, its answer not yet given to the page.
      const { job_id: jobId } = JSON.parse((await held.made).toString()) as { job_id: string };
      await page.getByLabel("Model").selectOption("lucy-pro-t2i"); // the form changes, its run stays
      await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("submitting");
      await page.getByRole("button", { name: "Generate" }).click(); // an image, the prompt kept: the video run is left
      await reached(run, "completed");
      held.release();
      const unshown = page.getByRole("region", { name: "Jobs not shown" });
      await unshown.getByText(jobId).waitFor();
      await expect(run.getByRole("img").count()).resolves.toBe(1); // the form shows its new run
      // Its job listed (and kept), the submit is no longer recorded as on its way.
      await page.waitForFunction((jobId) => {
        const kept = JSON.parse(sessionStorage.getItem("decart-playground:jobs") ?? "{}");
        return kept.submits?.length === 0 && kept.unshown?.includes(jobId);
      }, jobId);
      await unshown.getByRole("button", { name: "Watch" }).click();
      const followed = view(page, "Followed job");
      await reached(followed, "completed");
      await expect(expectVideoPlays(followed)).resolves.toBe(jobId);
    }));

  it("a video job left running (Generate again, then another model's Generate) is listed under Jobs not shown; Watch follows it to its video", async () => {
    const { page } = await openPage();
    const run = view(page);
    const unshown = page.getByRole("region", { name: "Jobs not shown" });
    await page.getByLabel("prompt").fill("first job [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    const first = await shownJobId(run);
    await page.getByLabel("prompt").fill("second job [hold]");
    await page.getByRole("button", { name: "Generate" }).click();
    await run.locator(".job", { hasNotText: first }).waitFor();
    await reached(run, "processing");
    const second = await shownJobId(run);
    expect(second).not.toBe(first);
    await unshown.getByText(first).waitFor(); // left by the second Generate, still processing
    await page.getByLabel("Model").selectOption("lucy-pro-t2i");
    await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("processing"); // the form changed, not its run
    await expect(unshown.getByText(second).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Generate" }).click();
    await unshown.getByText(second).waitFor(); // left by that model's Generate
    expect([emu.job(first)?.status, emu.job(second)?.status]).toEqual(["processing", "processing"]);
    await expect(unshown.getByRole("listitem").count()).resolves.toBe(2); // each once
    // Still listed after a reload (kept in sessionStorage).
    await page.reload();
    await unshown.getByText(second).waitFor();
    await expect(unshown.getByRole("listitem").count()).resolves.toBe(2);
    // Each Watch is named by its job.
    await expect(
      unshown.getByRole("button").evaluateAll((all) => all.map((b) => b.getAttribute("aria-label"))),
    ).resolves.toEqual([`Watch ${first}`, `Watch ${second}`]);
    await unshown.getByRole("button", { name: `Watch ${first}`, exact: true }).click();
    const followed = view(page, "Followed job");
    await reached(followed, "processing");
    expect(emu.release(first)).toBe(true);
    await reached(followed, "completed");
    await expect(expectVideoPlays(followed)).resolves.toBe(first);
    expect(emu.release(second)).toBe(true);
    await page.context().close();
  });

  it("offers no Stop watching for an image being made (stop() would abort a request the server may be making, paid for): it comes", () =>
    withApiProxy(async (proxy, page) => {
      const made = proxy.holdSubmits();
      const run = view(page);
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByLabel("prompt").fill("An image nobody may stop");
      await page.getByLabel("resolution").selectOption("480p");
      await page.getByRole("button", { name: "Generate" }).click();
      const bytes = await made.made; // the emulator made the image; the page has not got it yet
      await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("submitting");
      await expect(page.getByRole("button", { name: "Stop watching" }).count()).resolves.toBe(0);
      made.release();
      await reached(run, "completed");
      const { bytes: saved } = await downloadBytes(run);
      expect(sha256(saved)).toBe(sha256(bytes));
    }));

  it("an image still being made when another model's Generate is pressed runs to its end under Images not shown, its image or its error, Generate usable at once", () =>
    withApiProxy(async (proxy, page) => {
      const made = proxy.holdSubmits();
      const server = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url });
      const png = await server.process({ model: models.image("lucy-pro-t2i"), prompt: "A frame", resolution: "480p" });
      const run = view(page);
      const generate = page.getByRole("button", { name: "Generate" });
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByRole("textbox", { name: "prompt", exact: true }).fill("An image made while the form moved on");
      await page.getByLabel("resolution").selectOption("480p");
      await generate.click();
      const bytes = await made.made; // the emulator made the image; the page has not got it yet
      // Another image model: the form changes, its run (the image being made) stays shown.
      await page.getByLabel("Model").selectOption("lucy-pro-i2i");
      await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("submitting");
      await page.getByLabel("data").setInputFiles({
        name: "frame.png",
        mimeType: "image/png",
        buffer: Buffer.from(await png.arrayBuffer()),
      });
      // Generate makes another image at once (the form's next hook is ready), the first still on its way: it is
      // listed under Images not shown, being made.
      await page.getByRole("textbox", { name: "prompt", exact: true }).fill("An image made meanwhile");
      await generate.click();
      const unshown = page.getByRole("region", { name: "Images not shown" });
      const first = unshown.getByRole("region", { name: "Image of lucy-pro-t2i" });
      const second = unshown.getByRole("region", { name: "Image of lucy-pro-i2i" });
      await expect(first.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe(
        "submitting",
      );
      await reached(run, "completed");
      await expect(run.getByRole("img").evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
      // A request that fails once the form has moved on (the emulator answers a [fail] prompt 500): its error shown.
      const failing = proxy.holdSubmits();
      await page.getByRole("textbox", { name: "prompt", exact: true }).fill("An image that fails [fail]");
      await generate.click();
      await failing.made;
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByRole("textbox", { name: "prompt", exact: true }).fill("An image after it");
      await generate.click();
      failing.release();
      await reached(second, "error");
      await expect(second.getByRole("alert").textContent()).resolves.toContain("[fail]");
      await reached(run, "completed");
      // The first comes, shown with its download.
      made.release();
      await expect(first.getByRole("img").evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
      const { name, bytes: saved } = await downloadBytes(first);
      expect(name).toBe("decart-lucy-pro-t2i.png");
      expect(sha256(saved)).toBe(sha256(bytes));
      // Each Download is named by its run, the same file name or not.
      await expect(
        page.getByRole("link", { name: "Download" }).evaluateAll((all) => all.map((a) => a.getAttribute("aria-label"))),
      ).resolves.toEqual([
        "Download Result: decart-lucy-pro-t2i.png",
        "Download Image of lucy-pro-t2i, #1: decart-lucy-pro-t2i.png",
      ]);
      await expect(
        page
          .getByRole("link", { name: "Download Image of lucy-pro-t2i, #1: decart-lucy-pro-t2i.png", exact: true })
          .count(),
      ).resolves.toBe(1);
      await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("completed"); // the form shows its new run
    }));

  it("names an image served as application/octet-stream by its bytes: a JPEG (typed by the client) is shown and downloaded as .jpg, a GIF (typed by the page, said so) as .gif, a WebP (typed by the client) is kept from a refused answer as .webp", () =>
    withApiProxy(async (proxy, page) => {
      proxy.octetStream = true;
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByLabel("prompt").fill("An image from a bucket");
      // A real image of that type, encoded by the browser itself (no file kept in the repository).
      const encode = (type: string) =>
        page.evaluate(async (type) => {
          const canvas = document.createElement("canvas");
          canvas.width = canvas.height = 16;
          const context = canvas.getContext("2d")!;
          context.fillStyle = "#c33";
          context.fillRect(0, 0, 16, 16);
          const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type));
          return [...new Uint8Array(await blob!.arrayBuffer())];
        }, type);
      // A GIF of one pixel (GIF89a, 1 × 1, one colour), which no browser's canvas encodes.
      const gif = [
        ...[0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0, 0xcc, 0x33, 0x33, 0xff, 0xff, 0xff],
        ...[0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b],
      ];
      // The client types a JPEG served so by its bytes (as it does an MP4 or a PNG): its Blob is an image/jpeg, no word
      // of how it was served. A GIF it leaves as it came: the page reads its bytes and says how it was served.
      for (const [type, extension, byClient] of [
        ["image/jpeg", "jpg", true],
        ["image/gif", "gif", false],
      ] as const) {
        proxy.imageBytes = Uint8Array.from(type === "image/gif" ? gif : await encode(type));
        const run = view(page);
        await page.getByRole("button", { name: "Generate" }).click();
        await reached(run, "completed");
        if (byClient) {
          await run.getByText(new RegExp(`bytes, ${type}$`)).waitFor();
          expect(await run.getByText("served as").count()).toBe(0);
        } else await run.getByText(`${type} (served as application/octet-stream)`).waitFor();
        await expect(run.getByRole("img").evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
        const { name, bytes } = await downloadBytes(run);
        expect(name).toBe(`decart-lucy-pro-t2i.${extension}`);
        expect(sha256(bytes)).toBe(sha256(proxy.imageBytes));
      }
      // A WebP the client types by its bytes too, and refuses as it does one served as image/webp: the image it kept
      // is shown beside the error and downloaded as .webp.
      proxy.imageBytes = Uint8Array.from(await encode("image/webp"));
      const run = view(page);
      await page.getByRole("button", { name: "Generate" }).click();
      await errorOf(run)
        .getByText(/an image of type image\/webp/)
        .waitFor();
      const kept = run.getByRole("img", { name: "Result, kept from a refused answer" });
      await expect(kept.evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
      const { name, bytes } = await downloadBytes(run);
      expect(name).toBe("decart-lucy-pro-t2i.webp");
      expect(sha256(bytes)).toBe(sha256(proxy.imageBytes));
    }));

  it("shows the image a refused answer kept (error.data: a WebP the client does not take), said so, its URL revoked once the run is replaced", () =>
    withApiProxy(async (proxy, page) => {
      proxy.imageType = "image/webp";
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByLabel("prompt").fill("An image in a type the client does not take");
      // A real WebP, encoded by the browser itself (no file kept in the repository).
      const encoded = await page.evaluate(async () => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 16;
        canvas.getContext("2d")!.fillRect(0, 0, 16, 16);
        const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/webp"));
        return [...new Uint8Array(await blob!.arrayBuffer())];
      });
      proxy.imageBytes = Uint8Array.from(encoded);
      const run = view(page);
      await page.getByRole("button", { name: "Generate" }).click();
      await errorOf(run)
        .getByText(/an image of type image\/webp/)
        .waitFor();
      // The error, and the image it kept beside it: shown, said where it comes from, downloadable with its bytes.
      await run.getByText(/^Kept from an answer the client did not accept/).waitFor();
      const kept = run.getByRole("img", { name: "Result, kept from a refused answer" });
      await expect(kept.evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
      const src = (await kept.getAttribute("src")) ?? "";
      expect(src).toMatch(/^blob:/);
      const { name, bytes } = await downloadBytes(run);
      expect(name).toBe("decart-lucy-pro-t2i.webp");
      expect(sha256(bytes)).toBe(sha256(proxy.imageBytes));
      // The next run replaces it: that image is gone, its object URL revoked.
      proxy.imageType = proxy.imageBytes = undefined;
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "completed");
      await expect(run.getByText(/^Kept from/).count()).resolves.toBe(0);
      const fetched = (at: string) =>
        fetch(at).then(
          () => "readable",
          () => "revoked",
        );
      await expect(page.evaluate(fetched, src)).resolves.toBe("revoked");
    }));

  it("never shows nor offers a kept answer by the type it was served as: an SVG with a script is not shown, its Download an application/octet-stream .bin; a WebP served with a parameter is a .webp", () =>
    withApiProxy(async (proxy, page) => {
      await page.getByLabel("Model").selectOption("lucy-pro-t2i");
      await page.getByLabel("prompt").fill("An image whose answer is a script");
      // An image/* type the client does not take, kept whole on error.data: its script would run in the page's origin
      // from a blob URL of its own type opened in a tab.
      proxy.imageType = "image/svg+xml";
      proxy.imageBytes = new TextEncoder().encode(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>localStorage.setItem("ran", "yes")</script></svg>',
      );
      const run = view(page);
      await page.getByRole("button", { name: "Generate" }).click();
      await errorOf(run)
        .getByText(/an image of type image\/svg\+xml/)
        .waitFor();
      await run.getByText(/^Kept from an answer the client did not accept: \d+ bytes, image\/svg\+xml/).waitFor();
      await run.getByText(/Not shown: its bytes are no PNG, JPEG, WebP, AVIF or GIF\./).waitFor();
      await expect(run.getByRole("img").count()).resolves.toBe(0);
      const href = (await run.getByRole("link", { name: "Download" }).getAttribute("href")) ?? "";
      expect(href).toMatch(/^blob:/);
      const typeOf = (at: string) => fetch(at).then(async (answer) => (await answer.blob()).type);
      await expect(page.evaluate(typeOf, href)).resolves.toBe("application/octet-stream");
      const svg = await downloadBytes(run);
      expect(svg.name).toBe("decart-lucy-pro-t2i.bin");
      expect(sha256(svg.bytes)).toBe(sha256(proxy.imageBytes));

      // A real WebP (encoded by the browser) served as image/webp with a parameter: shown, by its bytes' type, a .webp.
      const encoded = await page.evaluate(async () => {
        const canvas = document.createElement("canvas");
        canvas.width = canvas.height = 16;
        canvas.getContext("2d")!.fillRect(0, 0, 16, 16);
        const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/webp"));
        return [...new Uint8Array(await blob!.arrayBuffer())];
      });
      proxy.imageType = "image/webp;x=1";
      proxy.imageBytes = Uint8Array.from(encoded);
      await page.getByRole("button", { name: "Generate" }).click();
      await run.getByText(/^Kept from an answer the client did not accept: \d+ bytes, image\/webp;x=1/).waitFor();
      const kept = run.getByRole("img", { name: "Result, kept from a refused answer" });
      await expect(kept.evaluate((img: HTMLImageElement) => img.decode())).resolves.toBeUndefined();
      const keptHref = (await run.getByRole("link", { name: "Download" }).getAttribute("href")) ?? "";
      await expect(page.evaluate(typeOf, keptHref)).resolves.toBe("image/webp");
      const webp = await downloadBytes(run);
      expect(webp.name).toBe("decart-lucy-pro-t2i.webp");
      expect(sha256(webp.bytes)).toBe(sha256(proxy.imageBytes));
      await expect(page.evaluate(() => localStorage.getItem("ran"))).resolves.toBeNull();
    }));

  it("shows a video served as application/octet-stream in a <video> and names its download .mp4 (by the model's kind)", () =>
    withApiProxy(async (proxy, page) => {
      proxy.octetStream = true;
      const run = view(page);
      await page.getByLabel("prompt").fill("A lighthouse from a bucket");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "completed");
      const jobId = await expectVideoPlays(run);
      await expect(run.getByRole("img").count()).resolves.toBe(0);
      await run.getByText("video/mp4 (served as application/octet-stream)").waitFor();
      const { name, bytes } = await downloadBytes(run);
      expect(name).toBe(`decart-${jobId}.mp4`);
      expect(sha256(bytes)).toBe(emu.job(jobId)?.resultSha256);
    }));

  it("says why when /api/config answers an error, and Try again connects once it answers", async () => {
    configAnswer = jsonAnswer({ detail: "The route failed: backend down" }, 502);
    try {
      const { page } = await openPage();
      const alert = page.locator("p.error");
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain(
        "/api/config answered HTTP 502: The route failed: backend down",
      );
      // The focus goes to it (said by the focus alone, no live region besides), and Tab from there to Try again.
      await expect
        .poll(() => focusedOn(page), { timeout: 5000 })
        .toBe(
          "p: Could not get the page's configuration from its server: /api/config answered HTTP 502: The route failed: backend down",
        );
      await expect(liveWith(page, "/api/config answered")).resolves.toEqual([]);
      await page.keyboard.press("Tab");
      await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Try again");
      await expect(page.getByText("Connecting…").count()).resolves.toBe(0);
      configAnswer = undefined;
      await page.keyboard.press("Enter"); // Try again goes: the focus to the page's heading
      await page.getByLabel("Model").waitFor();
      await expect(focusedOn(page)).resolves.toBe("h1: Decart playground");
      await expect(alert.count()).resolves.toBe(0);
      await page.context().close();
    } finally {
      configAnswer = undefined;
    }
  });
  it("reflows to one column on a narrow screen: nothing to scroll sideways at 320 CSS px, before and after a video", async () => {
    const { page } = await openPage({ viewport: { width: 320, height: 640 } });
    const run = view(page);
    const sideways = () =>
      page.evaluate(() => {
        const { scrollWidth, clientWidth } = document.scrollingElement!;
        return scrollWidth - clientWidth;
      });
    await page.getByLabel("Model").waitFor();
    await expect(sideways()).resolves.toBeLessThanOrEqual(0);
    await page.getByLabel("prompt").fill("A lighthouse on a phone");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "completed");
    await expectVideoPlays(run);
    await expect(sideways()).resolves.toBeLessThanOrEqual(0);
    // The Result column is beside nothing: within the screen, its Download too.
    for (const box of [await run.boundingBox(), await run.getByRole("link", { name: "Download" }).boundingBox()]) {
      expect(box!.x + box!.width).toBeLessThanOrEqual(320);
    }
    // A long job id (shown whole, and in its error's URL) is wrapped, not a reason to scroll.
    const longId = `job_${"0123456789abcdef".repeat(6)}`;
    await page.getByLabel("Job id").fill(longId);
    await page.getByRole("button", { name: "Follow" }).click();
    await errorOf(view(page, "Followed job")).waitFor();
    await expect(view(page, "Followed job").getByText(longId).count()).resolves.toBeGreaterThan(0);
    await expect(sideways()).resolves.toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${artifacts}/narrow.png`, fullPage: true });
    await page.context().close();
  });

  it("arrowing through the model picker (a change at each model passed) keeps the running job shown and watched, and the values the models share", async () => {
    const { page } = await openPage();
    const run = view(page);
    const picker = page.getByLabel("Model");
    const before = emu.stats().jobsCreated;
    await page.getByLabel("prompt").fill("A job the picker must not drop [hold]");
    await page.getByLabel("seed").fill("7");
    await page.getByLabel("resolution").selectOption("480p");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "processing");
    const jobId = await shownJobId(run);
    const changes = await picker.evaluate((select) => {
      const seen: string[] = [];
      select.addEventListener("change", () => seen.push((select as HTMLSelectElement).value));
      (window as { changes?: string[] }).changes = seen;
    });
    expect(changes).toBeUndefined();
    await picker.focus();
    await page.keyboard.press("ArrowDown"); // lucy-pro-i2v: a prompt, a seed and a resolution too
    await expect(picker.inputValue()).resolves.toBe("lucy-pro-i2v");
    await expect(page.getByLabel("seed").inputValue()).resolves.toBe("7");
    await expect(page.getByLabel("resolution").inputValue()).resolves.toBe("480p");
    await expect(page.getByLabel("prompt").inputValue()).resolves.toBe("A job the picker must not drop [hold]");
    await page
      .getByLabel("data")
      .setInputFiles({ name: "start.png", mimeType: "image/png", buffer: Buffer.from("png") });
    await picker.focus();
    await page.keyboard.press("ArrowDown"); // lucy-dev-i2v: 720p only
    await expect(page.getByLabel("resolution").inputValue()).resolves.toBe("");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp"); // back to lucy-pro-t2v
    await expect(picker.inputValue()).resolves.toBe("lucy-pro-t2v");
    // A change came at each arrow press (Chromium's closed select): the page was told of each model passed.
    await expect(page.evaluate(() => (window as { changes?: string[] }).changes)).resolves.toEqual([
      "lucy-pro-i2v",
      "lucy-dev-i2v",
      "lucy-pro-i2v",
      "lucy-pro-t2v",
    ]);
    // Ending on the same model changed nothing: the job shown and watched, not listed, the form's values kept.
    await expect(shownJobId(run)).resolves.toBe(jobId);
    await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("processing");
    await expect(page.getByRole("button", { name: "Stop watching" }).count()).resolves.toBe(1);
    await expect(page.getByRole("region", { name: "Jobs not shown" }).count()).resolves.toBe(0);
    await expect(page.getByLabel("seed").inputValue()).resolves.toBe("7");
    await expect(page.getByLabel("resolution").inputValue()).resolves.toBe("480p");
    expect(emu.release(jobId)).toBe(true);
    await reached(run, "completed");
    await expect(expectVideoPlays(run)).resolves.toBe(jobId);
    expect(emu.stats().jobsCreated).toBe(before + 1);
    // Back on a model with a file field: the file kept (what would be sent) is shown chosen.
    await picker.focus();
    await page.keyboard.press("ArrowDown");
    await expect(page.getByLabel("data").evaluate((input: HTMLInputElement) => input.files?.[0]?.name)).resolves.toBe(
      "start.png",
    );
    await page.context().close();
  });

  it("ties an input error to its field (aria-invalid, aria-describedby and aria-errormessage at its text) until the field changes or a submit goes", () =>
    withApiProxy(async (proxy, page) => {
      const run = view(page);
      /** The field's aria-invalid, and the texts its aria-describedby and aria-errormessage point at. */
      const tie = (label: string) =>
        page.getByLabel(label).evaluate((field) => {
          const texts = (ids: string | null) =>
            (ids ?? "")
              .split(" ")
              .flatMap((id) => (id ? [document.getElementById(id)?.textContent ?? `no #${id}`] : []));
          return {
            invalid: field.getAttribute("aria-invalid"),
            describedBy: texts(field.getAttribute("aria-describedby")),
            errorMessage: texts(field.getAttribute("aria-errormessage")),
          };
        });
      // JSON that does not parse: the problem under the form.
      await page.getByLabel("Model").selectOption("lucy-motion");
      await page.getByLabel("data").setInputFiles({
        name: "frame.png",
        mimeType: "image/png",
        buffer: Buffer.from(
          "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
          "base64",
        ),
      });
      await page.getByLabel("trajectory").fill("[");
      await page.getByRole("button", { name: "Generate" }).click();
      await page.getByText("trajectory: not valid JSON").waitFor();
      await expect(tie("trajectory")).resolves.toMatchObject({
        invalid: "true",
        describedBy: ["trajectory: not valid JSON", expect.any(String)],
        errorMessage: ["trajectory: not valid JSON"],
      });
      await expect(tie("seed")).resolves.toMatchObject({ invalid: null, errorMessage: [] });
      // The client's InvalidInputError naming the field (a trajectory of fewer than 2 points): its run's alert.
      await page.getByLabel("trajectory").fill("[]");
      await expect(tie("trajectory")).resolves.toMatchObject({ invalid: null, errorMessage: [] }); // changed
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error");
      const alert = (await errorOf(run).textContent()) ?? "";
      expect(alert).toContain("trajectory");
      await expect(tie("trajectory")).resolves.toMatchObject({ invalid: "true", errorMessage: [alert] });
      // A 422 naming body.prompt: the prompt is tied to it, until a submit goes.
      proxy.refuseSubmit = {
        status: 422,
        body: { detail: [{ loc: ["body", "prompt"], msg: "The prompt names a banned word", type: "value_error" }] },
      };
      await page.getByLabel("Model").selectOption("lucy-pro-t2v");
      await page.getByLabel("prompt").fill("A banned word");
      await page.getByRole("button", { name: "Generate" }).click();
      await reached(run, "error");
      await expect(errorOf(run).textContent()).resolves.toContain("prompt: The prompt names a banned word");
      await expect(tie("prompt")).resolves.toMatchObject({
        invalid: "true",
        errorMessage: [expect.stringContaining("The prompt names a banned word")],
      });
      proxy.refuseSubmit = undefined;
      await page.getByRole("button", { name: "Generate" }).click(); // the same prompt, sent: no longer marked
      await reached(run, "completed");
      await expect(tie("prompt")).resolves.toMatchObject({ invalid: null, errorMessage: [] });
    }));

  it("checks a file kept across a model change against the new field's accept: said under the field, tied to it, and Generate sends nothing", async () => {
    const { page } = await openPage();
    const run = view(page);
    const tie = (label: string) =>
      page.getByLabel(label).evaluate((field) => {
        const texts = (ids: string | null) =>
          (ids ?? "").split(" ").flatMap((id) => (id ? [document.getElementById(id)?.textContent ?? `no #${id}`] : []));
        return {
          invalid: field.getAttribute("aria-invalid"),
          describedBy: texts(field.getAttribute("aria-describedby")),
          errorMessage: texts(field.getAttribute("aria-errormessage")),
        };
      });
    const refused = "data: a file of type video/mp4, video/webm, video/quicktime (this one is image/png)";
    await page.getByLabel("Model").selectOption("lucy-pro-i2v");
    await page.getByLabel("data").setInputFiles({
      name: "frame.png",
      mimeType: "image/png",
      buffer: Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "base64",
      ),
    });
    await expect(tie("data")).resolves.toMatchObject({ invalid: null, errorMessage: [] });
    // A video-to-video model: its data is a video (the catalogue's accept), the PNG kept from the other form is not.
    await page.getByLabel("Model").selectOption("lucy-pro-v2v");
    await expect(tie("data")).resolves.toMatchObject({
      invalid: "true",
      describedBy: [refused, expect.any(String)],
      errorMessage: [refused],
    });
    await expect(page.getByRole("alert").count()).resolves.toBe(0); // read with the field, not as the model passes
    const submits = emu.stats().requests.byRoute.submit ?? 0;
    await page.getByRole("textbox", { name: "prompt", exact: true }).fill("A frame that is no video");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByRole("listitem").filter({ hasText: refused }).waitFor();
    await expect(run.getByRole("status", { name: "Status", exact: true }).textContent()).resolves.toBe("idle");
    expect(emu.stats().requests.byRoute.submit ?? 0).toBe(submits);
    // A file the field takes: no longer said.
    await page
      .getByLabel("data")
      .setInputFiles({ name: "clip.mp4", mimeType: "video/mp4", buffer: Buffer.from("mp4") });
    await expect(tie("data")).resolves.toMatchObject({ invalid: null, errorMessage: [] });
    await expect(page.getByText(refused, { exact: true }).count()).resolves.toBe(1); // the problems list's, until the next Generate
    await page.context().close();
  });

  it("counts the prompt as the client does (code points, a line break 2): nothing cut, the count shown, past the most the field's error", async () => {
    const { page } = await openPage();
    const prompt = page.getByLabel("prompt");
    /** What the prompt holds (in code points), its maxlength, aria-invalid, and the texts its aria attributes point at. */
    const state = () =>
      prompt.evaluate((field: HTMLTextAreaElement) => {
        const texts = (ids: string | null) =>
          (ids ?? "").split(" ").flatMap((id) => (id ? [document.getElementById(id)?.textContent ?? `no #${id}`] : []));
        return {
          codePoints: [...field.value].length,
          maxLength: field.getAttribute("maxlength"),
          invalid: field.getAttribute("aria-invalid"),
          describedBy: texts(field.getAttribute("aria-describedby")),
          errorMessage: texts(field.getAttribute("aria-errormessage")),
        };
      });
    /** Empties the prompt, then puts `text` in as a paste does. */
    const paste = async (text: string) => {
      await prompt.fill("");
      await prompt.focus();
      await page.keyboard.insertText(text);
    };
    // 600 emoji (1200 UTF-16 code units): all kept, counted 600 (a native maxlength of 1000 kept 500, silently).
    await paste("🎬".repeat(600));
    await expect(state()).resolves.toMatchObject({
      codePoints: 600,
      maxLength: null,
      invalid: null,
      describedBy: ["600 of 1000 characters", expect.any(String)],
      errorMessage: [],
    });
    // 998 a's, a line break and a b: 1000 code units, which a native maxlength let through, but 1001 as sent.
    await paste(`${"a".repeat(998)}\nb`);
    const tooMany = "1001 of 1000 characters: 1 too many (a line break counts 2: it is sent as CRLF)";
    await expect(state()).resolves.toMatchObject({
      invalid: "true",
      describedBy: [tooMany, expect.any(String)],
      errorMessage: [tooMany],
    });
    // The client refuses it, with the same count.
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(view(page), "error");
    await expect(errorOf(view(page)).textContent()).resolves.toContain('"prompt" must be 1 to 1000 characters long');
    await expect(errorOf(view(page)).textContent()).resolves.toContain("(got 1001)");
    // One character less fits: no longer the field's error.
    await paste(`${"a".repeat(998)}\n`);
    await expect(state()).resolves.toMatchObject({
      invalid: null,
      describedBy: ["1000 of 1000 characters (a line break counts 2: it is sent as CRLF)", expect.any(String)],
      errorMessage: [],
    });
    await page.context().close();
  });

  it("with prefers-reduced-motion: reduce, the video does not play (nor loop) until asked", async () => {
    const { page } = await openPage({ reducedMotion: "reduce" });
    const run = view(page);
    await page.getByLabel("prompt").fill("A still harbour");
    await page.getByRole("button", { name: "Generate" }).click();
    await reached(run, "completed");
    const video = run.locator("video");
    await video.evaluate(
      (v: HTMLVideoElement) =>
        v.readyState >= 1 || new Promise((r) => v.addEventListener("loadedmetadata", r, { once: true })),
    );
    await expect(
      video.evaluate((v: HTMLVideoElement) => ({
        autoplay: v.autoplay,
        loop: v.loop,
        paused: v.paused,
        controls: v.controls,
      })),
    ).resolves.toEqual({ autoplay: false, loop: false, paused: true, controls: true });
    await page.context().close();
  });

  it("notes in the model picker an alias's target, a deprecated name's replacement, and a model deprecated with none", async () => {
    const { page } = await openPage();
    const label = (name: string) => page.locator(`select option[value="${name}"]`).textContent();
    await expect(label("lucy-pro-flf2v")).resolves.toBe("lucy-pro-flf2v (deprecated, no replacement)");
    await expect(label("lucy-motion")).resolves.toBe("lucy-motion (deprecated, no replacement)");
    await expect(label("lucy-pro-v2v")).resolves.toBe("lucy-pro-v2v (deprecated: use lucy-clip)");
    await expect(label("lucy-latest")).resolves.toBe("lucy-latest (alias of lucy-2.1)");
    await expect(label("lucy-pro-t2v")).resolves.toBe("lucy-pro-t2v");
    await page.context().close();
  });

  it("Follow with no job id says so, tied to the field, until it changes", async () => {
    const { page } = await openPage();
    const field = page.getByLabel("Job id");
    await page.getByRole("button", { name: "Follow" }).click();
    const said = page.getByRole("form", { name: "Follow a job" }).getByRole("alert");
    await expect(said.textContent()).resolves.toContain("Job id: give the id of a job to follow");
    const tied = () =>
      field.evaluate((input) =>
        ["aria-invalid", "aria-describedby", "aria-errormessage"].map((name) => {
          const value = input.getAttribute(name);
          return name === "aria-invalid" ? value : value && document.getElementById(value)?.textContent;
        }),
      );
    const text = await said.textContent();
    await expect(tied()).resolves.toEqual(["true", text, text]);
    await expect(view(page, "Followed job").count()).resolves.toBe(0);
    await field.fill("   "); // blank is none
    await expect(tied()).resolves.toEqual([null, null, null]);
    await page.getByRole("button", { name: "Follow" }).click();
    await expect(tied()).resolves.toEqual(["true", text, text]);
    await field.fill("job_x");
    await expect(said.count()).resolves.toBe(0);
    await expect(tied()).resolves.toEqual([null, null, null]);
    await page.context().close();
  });
});
