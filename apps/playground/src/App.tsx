import { DecartProvider } from "@decart/react";
import { useEffect, useState } from "react";
import { Playground } from "./Playground.js";

/**
 * The page's server says where the API is; the client sends its requests with short-lived client tokens from the
 * server's token route (`POST /api/token`), renewed before they expire. No long-lived key ever reaches the page.
 */
export function App() {
  const [baseUrl, setBaseUrl] = useState<string>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let live = true;
    fetch("/api/config")
      .then((res) => res.json() as Promise<{ baseUrl: string }>)
      .then((config) => live && setBaseUrl(config.baseUrl))
      .catch((error: Error) => live && setProblem(`Could not reach the page's server: ${error.message}`));
    return () => {
      live = false;
    };
  }, []);
  return (
    <main>
      <h1>Decart playground</h1>
      {problem && <p role="alert">{problem}</p>}
      {baseUrl ? (
        <DecartProvider token="/api/token" baseUrl={baseUrl}>
          <Playground />
        </DecartProvider>
      ) : (
        !problem && <p>Connecting…</p>
      )}
    </main>
  );
}
