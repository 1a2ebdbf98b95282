import { type DecartClient, type DecartError, InvalidInputError, type ProcessOptions } from "@decart/core";
import { useSyncExternalStore } from "react";
import { useDecartClient, useKept } from "./context.js";
import { type CompletedWith, type GenerationState, idle, madeNothing, repeatable, Store } from "./store.js";

/**
 * What `useGenerateImage` returns: the state (`jobId` and `progress` stay undefined), `submit`, `stop`, `reset`,
 * `retry` and `canRetry`.
 */
export interface ImageGeneration extends GenerationState {
  /**
   * Whether `retry()` would send the same inputs again now (after an `error` that says no image was made), by the rule
   * `retry()` follows: show a "Try again" only then. False when `idle`, running, `completed`, after
   * `SUBMIT_OUTCOME_UNKNOWN`, a `CALLBACK_ERROR`, an error of a 2xx answer (an `INVALID_RESPONSE`: an image of a type
   * this version does not take, made and paid for, on the error's `data`) or a request your `signal` aborted, and with
   * a file that can be read only once (a stream).
   */
  canRetry: boolean;
  /**
   * Generates an image through the Process API (call it from an event handler, never from an effect): `submitting`,
   * then `completed` with the image in `result`, or `error`. Resolves with the image, or `undefined` when the request
   * failed or was stopped (the error is in the state). A request still running is stopped first. `input.signal` aborts
   * the request too (one already aborted sends nothing): the state is then `error` with the core's `AbortError`. A
   * field of `input` whose getter throws (`signal`'s too) sends nothing: `error`, an `InvalidInputError` naming it.
   */
  submit<M extends string>(input: ProcessOptions<M>): Promise<Blob | undefined>;
  /**
   * Aborts the request in flight, and the state goes back to `idle`; a state after the request stays as it was, and
   * its inputs go (`retry()` does nothing after it). (An unmount does not abort it: see `useGenerateImage`.)
   */
  stop(): void;
  /** Aborts the request in flight and goes back to `idle`. */
  reset(): void;
  /**
   * After an `error` that says no image was made (your input, the key, an HTTP answer such as 400, 403, 422, 429 or
   * 503, a refused connection): sends the same inputs again, as `submit`. Otherwise it does nothing and resolves
   * `undefined`: `idle`, running, `completed`, a request your `signal` aborted, one whose outcome is unknown
   * (`SUBMIT_OUTCOME_UNKNOWN`, or a `CALLBACK_ERROR`: an image may have been made, and paid for; `submit` again
   * yourself if you accept that), or one the server answered with an image of a type this version does not take (an
   * `InvalidResponseError` of a 2xx answer: made and paid for; the image is its `data`, a `Blob`, to show if you can).
   * The inputs are kept for it until an image comes, `stop()`, `reset()` or the next `submit`; a file that can be read
   * only once (a `ReadableStream`, an async iterable), read by the request, is never sent again.
   */
  retry(): Promise<Blob | undefined>;
}

/**
 * Runs Process API requests for one component. Only `stop()`, `reset()`, the next `submit` and your `signal` abort the
 * one in flight: an unmount (or an `<Activity>` hiding the component) lets it run to its end, as a video's submit
 * does, since a request sent may have made an image, paid for, that nothing could show again.
 */
class ImageGenerator {
  readonly store = new Store(idle, {});
  // Declared only (nothing emitted): undefined until set.
  declare private controller: AbortController | undefined;
  /** The latest submit's inputs, for `retry()`: until its image came, `stop()`, `reset()` or the next submit. */
  declare private input: ProcessOptions<any> | undefined;

  constructor(private readonly client: DecartClient) {}

  /**
   * Whether `retry()` sends the inputs again in the state `state`: after an error that says no image was made (not one
   * of a 2xx answer: the server made the image), unless a file of them can be read only once (a stream: the request
   * read it).
   */
  retries({ status, error }: GenerationState): boolean {
    // Not after an error of a 2xx answer (an image of a type this version does not take, on `data`): the image was
    // made, and paid for. (No status, `undefined < 300`, is false.)
    return status === "error" && madeNothing(error) && !((error?.status as number) < 300) && !!this.input;
  }

  /**
   * Aborts the request in flight, if any: the state goes back to `idle` (nothing is on its way any more). The inputs go
   * too: a state after the request (an `error`) stays as it was, rendered again with `canRetry` false.
   */
  private halt(): void {
    const { controller } = this;
    this.controller = this.input = undefined;
    controller?.abort();
    this.store.set(controller ? idle : {});
  }

  readonly submit = async <M extends string>(input: ProcessOptions<M>): Promise<Blob | undefined> => {
    this.halt();
    const controller = new AbortController();
    this.controller = controller;
    this.input = input;
    this.store.replace({ ...idle, status: "submitting", watching: true });
    // Your input, each field read once, here (the copy gets the hook's signal): a field whose getter throws (your
    // `signal`'s too) ends in `error`, an `InvalidInputError` naming it with what it threw as `cause`, as the core's
    // own check would name it.
    const call: Record<string, unknown> = {};
    let key = "input";
    // Your `signal` aborts the request too (one already aborted sends nothing): its abort is yours, an `error` (the
    // core's `AbortError`), where the hook's own (`halt`, which lets go of `controller`) leaves the state to it. A
    // `signal` that is no AbortSignal goes to the core, whose check makes it an `InvalidInputError`.
    let signal: AbortSignal | undefined;
    let yours = false;
    const abort = () => controller.abort(signal!.reason);
    try {
      try {
        for (key of Object.keys(input ?? {})) call[key] = (input as Record<string, unknown>)[key];
        // A file that can be read only once (a stream) is not sent again by `retry()`.
        this.input = repeatable(call) && input;
      } catch (cause) {
        throw new InvalidInputError(`Invalid input: "${key}" must be a value that can be read`, {
          field: key,
          expected: "a value that can be read",
          cause,
        });
      }
      signal = call.signal as AbortSignal | undefined;
      yours = signal instanceof AbortSignal;
      if (yours) {
        if (signal!.aborted) abort();
        signal!.addEventListener("abort", abort);
      }
      const image = await this.client.process({
        ...call,
        signal: signal && !yours ? signal : controller.signal,
      } as ProcessOptions<M>);
      if (this.controller !== controller) return undefined;
      this.controller = this.input = undefined;
      this.store.set({ status: "completed", watching: false, result: image });
      return image;
    } catch (error) {
      if (this.controller === controller) {
        this.controller = undefined;
        this.store.set({ status: "error", watching: false, error: error as DecartError });
      }
      return undefined;
    } finally {
      if (yours) signal!.removeEventListener("abort", abort);
    }
  };

  readonly stop = (): void => this.halt();

  readonly reset = (): void => {
    this.halt();
    this.store.replace(idle);
  };

  /** See `ImageGeneration.retry`. */
  readonly retry = async (): Promise<Blob | undefined> => {
    if (this.retries(this.store.getSnapshot())) return this.submit(this.input!);
  };
}

/**
 * Generates images with the Process API, in the same shape as `useGenerateVideo` (no job id, no progress):
 * `submit(input)` from an event handler, `stop()`, `reset()`, `retry()` and `canRetry`. `stop()` aborts the request in
 * flight (the state goes back to `idle`); unmounting, or an `<Activity>` hiding the component, does not: the request
 * runs to its end, `submit` resolves with its image, and a component shown again shows it. The state is always `idle`
 * on the server. Its type narrows by `status`: once `completed`, `result` is the image, a `Blob`.
 */
export function useGenerateImage(): CompletedWith<ImageGeneration, Blob>;
export function useGenerateImage(): ImageGeneration {
  const client = useDecartClient();
  const generator = useKept(() => new ImageGenerator(client), [client]);
  const state = useSyncExternalStore(
    generator.store.subscribe,
    generator.store.getSnapshot,
    generator.store.getServerSnapshot,
  );
  const { submit, stop, reset, retry } = generator;
  return { ...state, canRetry: generator.retries(state), submit, stop, reset, retry };
}
