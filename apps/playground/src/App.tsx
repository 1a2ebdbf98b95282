import { DecartProvider } from "@decart/react";
import { useEffect, useRef, useState } from "react";
import { useFocusHandOff } from "./focus.js";
import { Playground } from "./Playground.js";

/** The page's configuration from its server, or why there is none (an answer that is no 2xx, no `baseUrl`). */
async function loadConfig(): Promise<string> {
  const res = await fetch("/api/config");
  const body = (await res.json().catch(() => undefined)) as { baseUrl?: unknown; detail?: unknown } | undefined;
  if (!res.ok) {
    const detail = typeof body?.detail === "string" ? `: ${body.detail}` : "";
    throw new Error(`/api/config answered HTTP ${res.status}${detail}`);
  }
  if (typeof body?.baseUrl !== "string") throw new Error("/api/config answered no baseUrl");
  return body.baseUrl;
}

/**
 * The page's server says where the API is; the client sends its requests with short-lived client tokens from the
 * server's token route (`POST /api/token`), renewed before they expire. No long-lived key ever reaches the page. A
 * configuration that cannot be had (the server unreachable, or answering an error) is shown, with a button to ask again.
 */
export function App() {
  const [baseUrl, setBaseUrl] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: each attempt asks again
  useEffect(() => {
    let live = true;
    loadConfig().then(
      (url) => live && setBaseUrl(url),
      (error: Error) => live && setProblem(`Could not get the page's configuration from its server: ${error.message}`),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  // The problem comes: the focus goes to it, Try again next.
  const alert = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (problem) alert.current?.focus();
  }, [problem]);
  // Try again goes once pressed: the focus to the page's heading (Tab goes on from there to the page, or to the problem's
  // alert again, which takes it).
  const heading = useRef<HTMLHeadingElement>(null);
  const handOff = useFocusHandOff();
  const again = () => {
    handOff(heading);
    setProblem(undefined);
    setAttempt((n) => n + 1);
  };
  return (
    <main>
      <h1 tabIndex={-1} ref={heading}>
        Decart playground
      </h1>
      {problem && (
        <>
          {/* Said once, by the focus it takes: no live region (role alert) besides. */}
          <p className="error" tabIndex={-1} ref={alert}>
            {problem}
          </p>
          <button type="button" onClick={again}>
            Try again
          </button>
        </>
      )}
      {baseUrl ? (
        <DecartProvider token="/api/token" baseUrl={baseUrl}>
          <Playground />
        </DecartProvider>
      ) : (
        !problem && <p role="status">Connecting…</p>
      )}
    </main>
  );
}
