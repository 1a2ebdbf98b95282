/**
 * The model routes, built from the generated catalogue of `@decart/api`: `POST /v1/jobs/{video model}` creates a job,
 * `POST /v1/generate/{image model}` answers the image, and a video model's legacy synchronous path answers the video.
 */
import { randomBytes } from "node:crypto";
import type { ModelName, ModelRule } from "@decart/api";
import { brokenRules, canonicalModel, catalogue, isModelName, retiredModels } from "@decart/api";
import type { Emulation } from "./emulation.js";
import { applyFault, applyPromptFault, authenticate } from "./emulation.js";
import type { FormPart } from "./form.js";
import { fileTypeProblem, readForm, validateForm } from "./form.js";
import type { Ctx } from "./http.js";
import { detail, invalid, json, media, methodNotAllowed } from "./http.js";
import type { MediaRequest } from "./results.js";
import { allowOf } from "./routes.js";
import { DURATION_RULE, durationOk } from "./timer.js";
import type { FormField } from "./validation.js";
import { fieldFromCatalogue, issue } from "./validation.js";

type Mode = "submit" | "process" | "legacy";

interface ModelRoute {
  model: ModelName;
  mode: Mode;
  fields: FormField[];
  rules: readonly ModelRule[];
  width: number;
  height: number;
  fps: number | undefined;
  typicalJobSeconds: number;
}

const FAIL_MARKER = /\[fail(?:\s*:\s*([^\]]*))?\]/i;
const STUCK_MARKER = /\[stuck\]/i;
const HOLD_MARKER = /\[hold\]/i;
const TRICKLE_MARKER = /\[trickle\]/i;
const DEFAULT_FAIL_REASON = "The emulator was asked to fail this job ([fail] in the prompt).";

/** `POST path` → model, mode and form fields, for every model of the catalogue. */
function buildModelRoutes(): Map<string, ModelRoute> {
  const routes = new Map<string, ModelRoute>();
  for (const name of Object.keys(catalogue) as ModelName[]) {
    const info = catalogue[name] as (typeof catalogue)[ModelName] & { legacySyncPath?: string; fps?: number };
    const base = {
      model: name,
      fields: info.fields.map(fieldFromCatalogue),
      rules: info.rules,
      width: info.width,
      height: info.height,
      fps: info.fps,
      typicalJobSeconds: info.typicalJobSeconds,
    };
    routes.set(info.path, { ...base, mode: info.kind === "video" ? "submit" : "process" });
    if (info.legacySyncPath) routes.set(info.legacySyncPath, { ...base, mode: "legacy" });
  }
  return routes;
}

const MODEL_ROUTES = buildModelRoutes();
const RETIRED = new Set<string>(retiredModels.map((m) => m.name));

/** The model that runs for a catalogue name (aliases and deprecated names followed). */
export function runs(name: string): string {
  return canonicalModel(name);
}

/** A small summary of the text fields, for `input` of a model-level issue. */
function formSummary(parts: readonly FormPart[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parts) out[p.name] = p.file ? `<file ${p.file.filename ?? ""}>` : p.text.slice(0, 50);
  return out;
}

/**
 * A duration given by a timing function, checked as the numbers are up front: a bad one (undefined, NaN, negative,
 * beyond a timer's longest wait) throws, so that the request answers 500 and the log names the option.
 */
function fromFunction(name: "pendingMs" | "processingMs", value: unknown): number {
  if (durationOk(value, 0)) return value;
  throw new RangeError(
    `timing.${name}(model) must return a non-negative number, ${DURATION_RULE} (returned ${String(value)})`,
  );
}

/**
 * A job's two durations, drawn and scaled by the timing options, in whole ms (rounded to the nearest), so that a job's
 * times, its records' and its poll hints are whole ms as the clock's are.
 */
function durations(em: Emulation, route: ModelRoute) {
  const { timing, random } = em.settings;
  const spread = Math.min(1, Math.max(0, timing.spread ?? 0));
  const scaled = (ms: number) => {
    const d = Math.max(0, ms * (timing.timeScale ?? 1));
    return Math.round(spread === 0 ? d : d * (1 - spread + 2 * spread * random()));
  };
  const typical = route.typicalJobSeconds * 1000;
  const p = timing.pendingMs;
  const q = timing.processingMs;
  const pending = typeof p === "function" ? fromFunction("pendingMs", p(route.model)) : (p ?? typical * 0.2);
  const processing = typeof q === "function" ? fromFunction("processingMs", q(route.model)) : (q ?? typical * 0.8);
  return { pending: scaled(pending), processing: scaled(processing) };
}

/** `POST /v1/jobs/{name}` or `POST /v1/generate/{name}`: the model's route, or 404 / 410 for unknown and retired. */
export function handleModelPath(
  ctx: Ctx,
  em: Emulation,
  path: string,
  name: string,
  prefix: "jobs" | "generate",
): Promise<void> | void {
  const route = MODEL_ROUTES.get(path);
  if (route) {
    ctx.route = route.mode;
    if (route.mode === "legacy") {
      ctx.extraHeaders = [
        "deprecation",
        "true",
        "warning",
        `299 - "Deprecated: synchronous video generation. Use POST /v1/jobs/${route.model} and poll the job."`,
        "link",
        `</v1/jobs/${route.model}>; rel="successor-version"`,
      ];
    }
    return handleModel(ctx, em, route);
  }
  ctx.route = prefix === "jobs" ? "submit" : "process";
  if (RETIRED.has(name)) return json(ctx, 410, { detail: "This model has been retired.", model: name });
  if (isModelName(name)) {
    return detail(ctx, 404, `Model '${name}' is not served here; use POST ${catalogue[name].path}.`);
  }
  // The server routes each model's POST on a path of its own: `POST /v1/jobs/{name}` of no model is the job-status
  // path `GET /v1/jobs/{job_id}` asked with another method, which its router answers 405 (before any key is read).
  if (prefix === "jobs") return methodNotAllowed(ctx, JOB_STATUS_ALLOW);
  return detail(ctx, 404, `Model '${name}' not found.`);
}

/** The methods of the job-status path alone (`/v1/jobs/{name}` of no model): GET, and HEAD with it. */
export const JOB_STATUS_ALLOW = allowOf(["GET"]);

/**
 * Whether `POST /v1/jobs/{name}` is a route of the server's (a model's, or a name it answers 404 or 410): the path
 * `/v1/jobs/{name}` then takes GET, HEAD and POST; for any other name (a job's id) it is the job-status path alone.
 */
export const takesSubmit = (name: string): boolean =>
  MODEL_ROUTES.has(`/v1/jobs/${name}`) || RETIRED.has(name) || isModelName(name);

async function handleModel(ctx: Ctx, em: Emulation, route: ModelRoute): Promise<void> {
  const principal = authenticate(ctx, em);
  if (!principal) return;
  // A token's models are kept as the models that run (aliases and deprecated names followed), as is the route's.
  if (principal.allowedModels && !principal.allowedModels.has(runs(route.model))) {
    return detail(ctx, 403, `This client token may not use model '${route.model}'.`);
  }
  if (!applyFault(ctx, em, route.mode)) return;

  const parsed = await readForm(ctx, em.settings.maxUploadBytes);
  if (!parsed) return;
  const form = validateForm(route.fields, parsed.parts);
  if (form.issues.length === 0) {
    for (const rule of brokenRules(route.rules, (f) => form.given.has(f))) {
      form.issues.push(
        issue(["body"], "value_error", `Value error, ${rule.message}`, formSummary(parsed.parts), {
          error: rule.message,
        }),
      );
    }
  }
  if (form.issues.length > 0) return invalid(ctx, form.issues);
  const badType = fileTypeProblem(route.fields, form.files);
  if (badType) return detail(ctx, 400, badType);

  const prompt = form.values.get("prompt");
  const text = typeof prompt === "string" ? prompt : "";
  const seed = form.values.get("seed");
  const failMatch = FAIL_MARKER.exec(text);
  const failReason = failMatch ? failMatch[1]?.trim() || DEFAULT_FAIL_REASON : undefined;
  const stuck = STUCK_MARKER.test(text) || ctx.fault?.kind === "stuck";
  const hold = !stuck && HOLD_MARKER.test(text);
  const trickle = TRICKLE_MARKER.test(text);
  const resolution = form.values.get("resolution");
  const orientation = form.values.get("orientation");
  const request: MediaRequest = {
    model: runs(route.model),
    modelWidth: route.width,
    modelHeight: route.height,
    ...(route.fps !== undefined ? { modelFps: route.fps } : {}),
    prompt: text,
    seed: typeof seed === "number" ? seed : 0,
    ...(typeof resolution === "string" ? { resolution } : {}),
    ...(typeof orientation === "string" ? { orientation } : {}),
    ...(form.files.get("data")?.portrait ? { portraitInput: true } : {}),
  };
  const { pending, processing } = durations(em, route);
  const { jobTimeoutMs } = em.settings;

  if (route.mode === "submit") {
    const now = em.settings.now();
    const room = em.jobs.makeRoom(now);
    if (!room.ok) {
      const seconds = Math.max(1, Math.ceil(room.retryAfterMs / 1000));
      return detail(
        ctx,
        429,
        `The emulator keeps at most ${em.settings.maxJobs} jobs (maxJobs) and none of them has finished; retry later.`,
        ["retry-after", String(seconds)],
      );
    }
    const startAt = now + pending;
    let endAt = stuck || hold ? Number.POSITIVE_INFINITY : startAt + processing;
    let endStatus: "completed" | "failed" = failReason !== undefined ? "failed" : "completed";
    let error = failReason;
    const held = hold ? { endStatus, error, processingMs: processing } : undefined;
    if (endAt - now > jobTimeoutMs) {
      endAt = now + jobTimeoutMs;
      endStatus = "failed";
      error = `The job did not finish within ${jobTimeoutMs / 1000} seconds and was stopped by the server timeout.`;
    }
    const id = `job_${randomBytes(16).toString("hex")}`;
    em.jobs.add({
      id,
      model: route.model,
      ownerId: principal.accountId,
      submittedAt: now,
      startAt,
      endAt,
      endStatus,
      error,
      media: request,
      statusReads: 0,
      contentReads: 0,
      requests: 0,
      firstCompletedReadAt: undefined,
      resultSha256: undefined,
      resultBytes: undefined,
      result: undefined,
      epoch: em.stats.epoch,
      body: undefined,
      bodyStatus: undefined,
      held,
      trickle,
    });
    em.stats.jobsCreated++;
    return json(ctx, 200, { job_id: id, status: "pending" });
  }

  // Synchronous routes (images, and the deprecated synchronous video route): the answer waits for the work.
  if (stuck) {
    await em.sleep(jobTimeoutMs, ctx.res);
    return detail(ctx, 504, `The generation did not finish within ${jobTimeoutMs / 1000} seconds.`);
  }
  await em.sleep(pending + processing, ctx.res);
  if (em.closed()) return;
  if (ctx.res.destroyed) {
    ctx.responded = true; // the client left: nobody to answer
    return;
  }
  if (failReason !== undefined) return detail(ctx, 500, failReason);
  if (trickle) applyPromptFault(ctx, em, { kind: "trickle" }, route.mode);
  media(ctx, route.mode === "process" ? await em.results.image(request) : await em.results.video(request));
}
