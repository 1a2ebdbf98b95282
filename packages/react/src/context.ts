import {
  createDecartClient,
  type DecartClient,
  type DecartClientOptions,
  fetchTokenFrom,
  type TokenFetcher,
} from "@decart/core";
import { createContext, createElement, type ReactNode, useContext, useState } from "react";

const DecartContext = createContext<DecartClient | null>(null);

/**
 * `DecartProvider` props: a `client`; or `options` to create one; or, for a page, a `token` source (the URL of your
 * token route, or a function that answers `{ apiKey, expiresAt }`) with the API's `baseUrl` and other `options`.
 */
export type DecartProviderProps = { children?: ReactNode } & (
  | { client: DecartClient; options?: never; token?: never; baseUrl?: never }
  | { options: DecartClientOptions; client?: never; token?: never; baseUrl?: never }
  | {
      /**
       * Where the page gets its short-lived client tokens: the URL (or path) of your token route, POSTed to (see
       * `createTokenRoute` of `@decart/core/server`), or a token fetcher. The client keeps each token and gets a new
       * one before it expires.
       */
      token: string | TokenFetcher;
      /** The API's base URL (default `https://api.decart.ai`). */
      baseUrl?: string;
      options?: Omit<DecartClientOptions, "apiKey" | "token" | "proxy" | "baseUrl">;
      client?: never;
    }
);

/**
 * Makes a Decart client available to the hooks below it. Give it a `client`, `options` to create one, or a `token`
 * source (your long-lived key stays on your server); the client is made once per provider, from the first render's
 * props (creating one sends no request, so rendering on a server is free).
 *
 * ```tsx
 * <DecartProvider token="/api/decart-token">…</DecartProvider>
 * ```
 */
export function DecartProvider(props: DecartProviderProps) {
  const [made] = useState(() => {
    if (props.client) return undefined;
    const { token, baseUrl } = props;
    return createDecartClient(
      token
        ? { ...props.options, token: typeof token === "string" ? fetchTokenFrom(token) : token, baseUrl }
        : props.options,
    );
  });
  const client = props.client ?? made!;
  return createElement(DecartContext.Provider, { value: client }, props.children);
}

/** The client of the nearest `DecartProvider`; throws outside one. */
export function useDecartClient(): DecartClient {
  const client = useContext(DecartContext);
  if (!client) throw new Error("@decart/react: wrap your components in a <DecartProvider> (client, options or token).");
  return client;
}
