import { createDecartClient, type DecartClient, type DecartClientOptions } from "@decart/core";
import { createContext, createElement, type ReactNode, useContext, useState } from "react";

const DecartContext = createContext<DecartClient | null>(null);

/** `DecartProvider` props: a client, or the options to create one (once, on the first render). */
export type DecartProviderProps = { children?: ReactNode } & (
  | { client: DecartClient; options?: never }
  | { options: DecartClientOptions; client?: never }
);

/**
 * Makes a Decart client available to the hooks below it. Give it a `client`, or `options` to create one; the client
 * is made once per provider (creating one sends no request, so rendering on a server is free).
 */
export function DecartProvider(props: DecartProviderProps) {
  const [made] = useState(() => (props.client ? undefined : createDecartClient(props.options)));
  const client = props.client ?? made!;
  return createElement(DecartContext.Provider, { value: client }, props.children);
}

/** The client of the nearest `DecartProvider`; throws outside one. */
export function useDecartClient(): DecartClient {
  const client = useContext(DecartContext);
  if (!client) throw new Error("@decart/react: wrap your components in a <DecartProvider> (client or options).");
  return client;
}
