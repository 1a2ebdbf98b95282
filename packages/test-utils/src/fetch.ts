/** A `fetch` that is watched (see {@link watchedFetch}). */
export interface WatchedFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** The URLs asked for, in order. */
  readonly sent: string[];
  /** Requests not yet over. */
  open(): number;
  /** Whether the client cancelled a body. */
  cancelled(): boolean;
}

export interface WatchedFetchOptions {
  /**
   * A request is also over when its signal aborts. Off by default, where an aborted request is over only once the call
   * failed or its body errored, as Node's `fetch` does at once; on for a fetch that may go on with an aborted request
   * (happy-dom's sends one aborted during its CORS preflight anyway), what it does after that is not the client's.
   */
  abortEnds?: boolean;
}

/**
 * The real `fetch` (the global one when called), watched: the URLs it was asked for, and how many requests are open
 * (from the call until the answer's body was read to its end or cancelled, or the call failed), and whether a body was
 * cancelled. A client given it does everything as usual; a test sees what it sent and whether anything is still on its
 * way.
 */
export function watchedFetch(options: WatchedFetchOptions = {}): WatchedFetch {
  const sent: string[] = [];
  let open = 0;
  let cancelled = false;
  const watched = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    sent.push(String(input instanceof Request ? input.url : input));
    open++;
    let closed = false;
    const close = () => {
      if (!closed) open--;
      closed = true;
    };
    if (options.abortEnds) init?.signal?.addEventListener("abort", close);
    let response: Response;
    try {
      response = await fetch(input, init);
    } catch (e) {
      close();
      throw e;
    }
    if (!response.body) {
      close();
      return response;
    }
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(out) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            close();
            out.close();
          } else out.enqueue(value);
        } catch (e) {
          close();
          out.error(e);
        }
      },
      cancel(reason) {
        cancelled = true;
        close();
        return reader.cancel(reason);
      },
    });
    return new Response(body, response);
  };
  return Object.assign(watched, { sent, open: () => open, cancelled: () => cancelled });
}
