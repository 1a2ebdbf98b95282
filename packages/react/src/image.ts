import {
  AbortError,
  checkWatchOptions,
  type DecartError,
  InvalidInputError,
  invalid,
  type ProcessOptions,
} from "@decart/core";
import { useDecartClient, useKept } from "./context.js";
import { Generator, useGenerator } from "./orphan.js";
import { type CompletedWith, type GenerationState, idle, madeNothing, repeatable, Store } from "./store.js";

/**
 * Options of `useGenerateImage`, as the latest committed render gave them. A key it does not have (a typo such as
 * `timeout`, or a request's own option such as `timeoutMs`: give that to `submit`) throws an `InvalidInputError` naming
 * it as the hook renders, rather than being ignored.
 */
export interface ImageOptions {
  /**
   * Called with the error of a request left on its way (the component's unmount came before its answer; not an
   * `<Activity>` hiding it, nor a `<Suspense>` fallback shown in its place, whose state shows the error when shown
   * again, unless the component is removed, or that state replaced by `reset()` or the next `submit`, before it is
   * shown: then, nobody having seen it) that failed when
   * an image may have been made, and paid for (`SUBMIT_OUTCOME_UNKNOWN`, a `CALLBACK_ERROR` or an `AbortError` of your
   * `signal` whose `mayExist` is true, an error of a 2xx answer: the image is its `data`), and the `input` given to that
   * `submit`: no state shows that error, and its `submit` resolves as ever (`undefined`), never rejects. The latest
   * committed render's; one that throws is thrown apart (an uncaught error), `submit` resolving all the same. It is
   * `useGenerateVideo`'s `onOrphan`, for images. (`stop()`, `reset()` and the next `submit` abort the request: its
   * error goes nowhere.) Also called when the provider's client changes (the hook starts afresh, `idle`) while a request
   * runs on: once it ends, its error as above, or its image (made and paid for, which no state shows) as an
   * `AbortError` whose `mayExist` is true and whose `data` is the image (the one its `submit` resolves with).
   */
  onOrphan?: ((error: DecartError, input: ProcessOptions<string>) => void) | undefined;
}

const hook = "useGenerateImage";

/**
 * Reads and checks the hook's options as it renders, each once, by the check `useGenerateVideo`'s take (the core's
 * `checkWatchOptions`: `InvalidInputError` naming the field; a key given as undefined or null is none), which takes a
 * watch's options too (`model`, `timeoutMs`, `download`, `poll`): none of an image's, refused here as any other
 * unknown key is, in the same words. Answers them as read.
 */
const check = (options: unknown): ImageOptions => {
  try {
    const read = checkWatchOptions<ImageOptions>(options, { onOrphan: { type: "function" } }, hook, true);
    for (const key in read) if (key !== "onOrphan") throw invalid(hook, key, "");
    return read;
  } catch (error) {
    const { field, expected } = error as InvalidInputError;
    throw /^(a known|$)/.test(expected!)
      ? invalid(hook, field!, "a known name (onOrphan; a request's timeoutMs goes to submit)")
      : error;
  }
};

/**
 * Whether an error of a request says an image may have been made (and paid for): by its code (see `madeNothing`), or
 * an error of a 2xx answer (an image of a type this version does not take, on `data`; no status, `undefined < 300`,
 * is false).
 */
const made = (error: DecartError | undefined): boolean => !madeNothing(error) || (error?.status as number) < 300;

/**
 * What `useGenerateImage` returns: the state (`jobId` and `progress` stay undefined), `submit`, `stop`, `reset`,
 * `retry` and `canRetry`.
 */
export interface ImageGeneration extends GenerationState {
  /**
   * Whether `retry()` would send the same inputs again now (after an `error` that says no image was made), by the rule
   * `retry()` follows: show a "Try again" only then. False when `idle`, running, `completed`, after
   * `SUBMIT_OUTCOME_UNKNOWN`, a `CALLBACK_ERROR` thrown once the whole body was sent (its `mayExist`), an error of a
   * 2xx answer (an `INVALID_RESPONSE`: an image of a type this version does not take, made and paid for, on the error's
   * `data`) or a request your `signal` aborted, and with a file that can be read only once (a stream).
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
   * (`SUBMIT_OUTCOME_UNKNOWN`, or a `CALLBACK_ERROR` your `onUploadProgress` threw once the whole body was sent, its
   * `mayExist` true: an image may have been made, and paid for; `submit` again yourself if you accept that; one it
   * threw before, at 0 bytes, sent nothing: sent again), or one the server answered with an image of a type this
   * version does not take (an `InvalidResponseError` of a 2xx answer: made and paid for; the image is its `data`, a
   * `Blob`, to show if you can). The inputs are kept for it until an image comes, `stop()`, `reset()` or the next
   * `submit`; a file that can be read only once (a `ReadableStream`, an async iterable), read by the request, is never
   * sent again.
   */
  retry(): Promise<Blob | undefined>;
}

/**
 * Runs Process API requests for one component. Only `stop()`, `reset()`, the next `submit` and your `signal` abort the
 * one in flight: an unmount (or an `<Activity>` hiding the component) lets it run to its end, as a video's submit
 * does, since a request sent may have made an image, paid for, that nothing could show again.
 */
class ImageGenerator extends Generator<ImageOptions> {
  readonly store = new Store(idle, {});
  // Declared only (nothing emitted): undefined until set.
  declare private controller: AbortController | undefined;
  /** The latest submit's inputs, for `retry()`: until its image came, `stop()`, `reset()` or the next submit. */
  declare private input: ProcessOptions<any> | undefined;
  /** The request in flight when the provider's client changed (see `drop`): its image goes to `onOrphan`. */
  declare private dropped: AbortController | undefined;

  /**
   * Its component has another in its place (the provider's client changed): the request in flight runs on, as after an
   * unmount (its error, when an image may have been made, goes to `onOrphan`: the component is `gone`), and its image,
   * which no state shows, goes to `onOrphan` too.
   */
  override drop(): void {
    this.dropped = this.controller;
  }

  /**
   * Whether `retry()` sends the inputs again in the state `state`: after an error that says no image was made (not one
   * of a 2xx answer: the server made the image), unless a file of them can be read only once (a stream: the request
   * read it).
   */
  retries({ status, error }: GenerationState): boolean {
    return status === "error" && !made(error) && !!this.input;
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
    this.unseen?.();
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
      // Made and paid for, but no longer shown: the component starts afresh on the new client.
      if (this.dropped === controller) {
        const error = new AbortError("The image was made (it bills), but is no longer shown: the client changed", {
          mayExist: true,
          data: image,
        });
        this.orphan(error, input, true);
      }
      return image;
    } catch (caught) {
      // (An `AbortError` to read its `mayExist`: any other error has none.)
      const error = caught as AbortError;
      if (this.controller === controller) {
        this.controller = undefined;
        this.store.set({ status: "error", watching: false, error });
        // One that may have made an image, whose state nothing reads (an unmount), goes to `onOrphan`; one in the state
        // while the component is not shown (an `<Activity>` or a `<Suspense>` fallback hides it) goes there if nobody
        // sees it (see `orphan`). (The hook's own aborts, `halt`, let go of `controller`: not here.)
        if (made(error) && (error.code !== "ABORT" || error.mayExist)) this.orphan(error, input);
      }
      return undefined;
    } finally {
      if (yours) signal!.removeEventListener("abort", abort);
    }
  };

  readonly stop = (): void => this.halt();

  readonly reset = (): void => {
    this.unseen?.();
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
 * runs to its end, `submit` resolves with its image, and a component shown again shows it (one that fails then, when
 * an image may have been made, goes to `onOrphan`, as does one that failed while an `<Activity>` or a `<Suspense>`
 * fallback hid the component, if it is removed without being shown again). A new client of the provider starts it
afresh (`idle`): the request in flight runs on, and its image, shown nowhere, goes to `onOrphan` (see `ImageOptions`).
The options are the latest committed render's. The state is always `idle`
 * on the server. Its type narrows by `status`: once `completed`, `result` is the image, a `Blob`.
 */
export function useGenerateImage(options?: ImageOptions): CompletedWith<ImageGeneration, Blob>;
export function useGenerateImage(options?: ImageOptions): ImageGeneration {
  const checked = check(options);
  const client = useDecartClient();
  const generator = useKept<ImageGenerator>((was) => new ImageGenerator(client, was), [client]);
  const state = useGenerator(generator, checked);
  const { submit, stop, reset, retry } = generator;
  return { ...state, canRetry: generator.retries(state), submit, stop, reset, retry };
}
