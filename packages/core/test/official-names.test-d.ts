/**
 * Code written for `@decartai/sdk` that this package takes as it is: the names and the option checked against the
 * official package's own declarations (a dev dependency). What it does not take is listed in the README ("From
 * `@decartai/sdk`").
 */
import type * as Official from "@decartai/sdk";
import { describe, expectTypeOf, it } from "vitest";
import {
  createDecartClient,
  type DecartClient,
  type DecartClientOptions,
  type DecartError,
  type DecartSDKError,
  type ImageModelName,
  type ImageModels,
  type JobSubmitResponse,
  type JobSubmitResult,
  type Logger,
  type Model,
  type ModelName,
  type QueueClient,
  type VideoModelName,
  type VideoModels,
} from "../src/index.js";

describe("names and options of @decartai/sdk", () => {
  it("takes the telemetry option (a boolean), and no realtimeBaseUrl", () => {
    createDecartClient({ apiKey: "k", telemetry: false });
    expectTypeOf<DecartClientOptions["telemetry"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<Official.DecartClientOptions["telemetry"]>().toExtend<DecartClientOptions["telemetry"]>();
    // @ts-expect-error: a boolean
    createDecartClient({ apiKey: "k", telemetry: "off" });
    // @ts-expect-error: no realtime client here
    createDecartClient({ apiKey: "k", realtimeBaseUrl: "wss://api3.decart.ai" });
  });

  it("names a submit's answer JobSubmitResponse, the official shape", () => {
    expectTypeOf<JobSubmitResponse>().toEqualTypeOf<Official.JobSubmitResponse>();
    expectTypeOf<JobSubmitResponse>().toEqualTypeOf<JobSubmitResult>();
    const client = createDecartClient({ apiKey: "k" });
    expectTypeOf(client.queue.submit).returns.resolves.toExtend<JobSubmitResponse>();
    // A record as the official one is (for a logger or a store that takes `Record<string, unknown>`), and so is what
    // `queue.submit` answers.
    expectTypeOf<Official.JobSubmitResponse>().toExtend<Record<string, unknown>>();
    expectTypeOf<JobSubmitResponse>().toExtend<Record<string, unknown>>();
    expectTypeOf(client.queue.submit).returns.resolves.toExtend<Record<string, unknown>>();
  });

  it("names what it throws DecartSDKError, a type only: a DecartError with the official code and message", () => {
    expectTypeOf<DecartSDKError>().toEqualTypeOf<DecartError>();
    expectTypeOf<DecartSDKError>().toExtend<Pick<Official.DecartSDKError, "code" | "message">>();
    // A record as the official one is (for a logger that takes `Record<string, unknown>`).
    expectTypeOf<Official.DecartSDKError>().toExtend<Record<string, unknown>>();
    expectTypeOf<DecartSDKError>().toExtend<Record<string, unknown>>();
    // @ts-expect-error: a type, as in @decartai/sdk: test a value with DecartError
    ((e: unknown) => e instanceof DecartSDKError)(0);
  });

  it("takes Logger, QueueClient and DecartClientOptions as records, as the official ones are (type aliases, not interfaces)", () => {
    // For a function or a store that takes `Record<string, unknown>` (a logger's context, a test's fake): an
    // interface has no implicit index signature, and would not be one.
    expectTypeOf<Official.Logger>().toExtend<Record<string, unknown>>();
    expectTypeOf<Official.QueueClient>().toExtend<Record<string, unknown>>();
    expectTypeOf<Official.DecartClientOptions>().toExtend<Record<string, unknown>>();
    expectTypeOf<Logger>().toExtend<Record<string, unknown>>();
    expectTypeOf<QueueClient>().toExtend<Record<string, unknown>>();
    expectTypeOf<DecartClientOptions>().toExtend<Record<string, unknown>>();
    expectTypeOf(createDecartClient({ apiKey: "k" }).queue).toExtend<Record<string, unknown>>();
  });

  it("takes DecartClient as a record too (a type alias, not an interface), as the official client is", () => {
    expectTypeOf<ReturnType<typeof Official.createDecartClient>>().toExtend<Record<string, unknown>>();
    expectTypeOf<DecartClient>().toExtend<Record<string, unknown>>();
    expectTypeOf(createDecartClient({ apiKey: "k" })).toExtend<Record<string, unknown>>();
  });

  it("names the model name unions as the official SDK does", () => {
    expectTypeOf<Model>().toEqualTypeOf<ModelName>();
    expectTypeOf<VideoModels>().toEqualTypeOf<VideoModelName>();
    expectTypeOf<ImageModels>().toEqualTypeOf<ImageModelName>();
  });
});
