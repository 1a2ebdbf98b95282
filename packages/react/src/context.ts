import {
  createDecartClient,
  type DecartClient,
  type DecartClientOptions,
  fetchTokenFrom,
  invalid,
  type TokenFetcher,
} from "@decart/core";
import {
  createContext,
  createElement,
  type ReactNode,
  useContext,
  useInsertionEffect,
  useMemo,
  useRef,
  useState,
} from "react";

const DecartContext = createContext<DecartClient | null>(null);

/**
 * `DecartProvider` props: a `client`; or `options` to create one; or, for a page, a `token` source (the URL of your
 * token route, or a function that answers `{ apiKey, expiresAt }`) with the API's `baseUrl` and other `options`. A key
 * of another form may be given as `undefined` (no key), never with a value.
 */
export type DecartProviderProps = { children?: ReactNode } & (
  | { client: DecartClient; options?: undefined; token?: undefined; baseUrl?: undefined }
  | { options: DecartClientOptions; client?: undefined; token?: undefined; baseUrl?: undefined }
  | {
      /**
       * Where the page gets its short-lived client tokens: the URL (or path) of your token route, POSTed to (see
       * `createTokenRoute` of `@decart/core/server`), or a token fetcher, called with the client's `{ signal }`
       * (aborted once no request waits for its token). The client keeps each token and gets a new one before it expires.
       */
      token: string | TokenFetcher;
      /** The API's base URL (default `https://api.decart.ai`). */
      baseUrl?: string | undefined;
      options?: Omit<DecartClientOptions, "apiKey" | "token" | "proxy" | "baseUrl"> | undefined;
      client?: undefined;
    }
);

/**
 * Makes a Decart client available to the hooks below it. Give it a `client`, `options` to create one, or a `token`
 * source (your long-lived key stays on your server). Creating a client sends no request, so rendering on a server is
 * free. A new `client`, token route URL or `baseUrl` makes a new client (the hooks below start afresh: a
 * `useGenerateVideo`'s job goes to its `onOrphan`); a token function is called as the latest committed render gave it
 * (an inline arrow is fine); `options` are read when the client is made. Make a `client` once, not in a render (a
 * `createDecartClient(…)` written in the provider's props makes one at each render). To make a new client on purpose
 * (e.g. when the signed-in user changes), give the provider a new `key`.
 *
 * ```tsx
 * <DecartProvider token="/api/decart-token">…</DecartProvider>
 * ```
 */
export function DecartProvider(props: DecartProviderProps) {
  const { client, token, baseUrl } = props;
  // Its props checked as it renders (a key given as undefined or null is none): a client's option given as a prop
  // (`apiKey`), or a client that is none (a promise of one, its options), is refused naming the fix.
  for (const key in props)
    if ((props as any)[key] != null && !/^(children|client|options|token|baseUrl|ref)$/.test(key))
      throw invalid(
        "DecartProvider",
        key,
        "a known name (client, options, token, baseUrl): a client's options go in options",
      );
  if (client && !client.queue)
    throw invalid(
      "DecartProvider",
      "client",
      "a client of createDecartClient (awaited): its options go in options",
      client,
    );
  // The token function of the latest committed render, which the client calls when it needs a token (a render that is
  // not committed, a transition that suspends, changes nothing).
  const latest = useRef(token);
  useInsertionEffect(() => {
    latest.current = token;
  });
  const url = typeof token === "string" ? token : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new client only when what it talks to changes
  const made = useMemo(
    () =>
      client
        ? client
        : createDecartClient(
            token
              ? {
                  ...props.options,
                  token: url ? fetchTokenFrom(url) : (o) => (latest.current as TokenFetcher)(o),
                  baseUrl,
                }
              : props.options,
          ),
    [client, !token, url, baseUrl],
  );
  return createElement(DecartContext.Provider, { value: made }, props.children);
}

/** The client of the nearest `DecartProvider`; throws outside one. */
export function useDecartClient(): DecartClient {
  const client = useContext(DecartContext);
  if (!client) throw new Error("@decart/react: wrap your components in a <DecartProvider>.");
  return client;
}

/**
 * A value made by `make` once for each set of `keys` (compared with `Object.is`), as `useMemo` would keep it, but held
 * in the component's state: Fast Refresh (a file edited while the page runs) keeps a component's state and makes its
 * memos anew, and a generator made anew dropped the job (or image) it was following. A render whose keys changed makes
 * the new value, given the one it replaces, and stores it at once (React renders the component again before going on).
 */
export function useKept<T>(make: (was?: T) => T, keys: unknown[]): T {
  let [[held, value], keep] = useState(() => [keys, make()] as const);
  if (keys.some((key, i) => !Object.is(key, held[i]))) {
    value = make(value);
    keep([keys, value]);
  }
  return value;
}
