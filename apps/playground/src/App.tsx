import { createDecartClient, type DecartClient } from "@decart/core";
import { DecartProvider } from "@decart/react";
import { useEffect, useState } from "react";
import { Playground } from "./Playground.js";
import { fetchWithToken, tokenSource } from "./token.js";

/** The page's server tells where the API is; the key it sends with is a client token from the same server. */
export function App() {
  const [client, setClient] = useState<DecartClient>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let live = true;
    fetch("/api/config")
      .then((res) => res.json() as Promise<{ baseUrl: string }>)
      .then(({ baseUrl }) => {
        if (!live) return;
        // Every request carries a client token in place of this placeholder (see token.ts).
        setClient(createDecartClient({ baseUrl, apiKey: "client-token", fetch: fetchWithToken(tokenSource()) }));
      })
      .catch((error: Error) => live && setProblem(`Could not reach the page's server: ${error.message}`));
    return () => {
      live = false;
    };
  }, []);
  return (
    <main>
      <h1>Decart playground</h1>
      {problem && <p role="alert">{problem}</p>}
      {client ? (
        <DecartProvider client={client}>
          <Playground />
        </DecartProvider>
      ) : (
        !problem && <p>Connecting…</p>
      )}
    </main>
  );
}
