import { invalid } from "@decart/core";
import { useEffect, useState } from "react";

/**
 * An object URL for a result (`<video src>`, `<img src>`, a download link), or `undefined` without one. The URL is
 * created in an effect (never during render, never on the server) and that exact URL is revoked when the blob
 * changes and on unmount, and the hook lets go of a blob it is no longer given, so no result stays pinned in memory.
 * Anything else (a URL string, which is a `src` as it is) throws an `InvalidInputError` naming `blob` as it renders.
 */
export function useResultUrl(blob: Blob | null | undefined): string | undefined {
  // (A Blob by its `size` and `type`: one of another realm, a polyfill's, is one too; a Set, a Map is not.)
  if (blob && (typeof blob.size !== "number" || typeof blob.type !== "string"))
    throw invalid("useResultUrl", "blob", "a Blob, null or undefined: a URL string needs no object URL", blob);
  const [made, setMade] = useState<{ blob: Blob; url: string }>();
  useEffect(() => {
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    setMade({ blob, url });
    return () => {
      URL.revokeObjectURL(url);
      setMade(undefined); // holds the blob no longer: a result the page dropped can be freed
    };
  }, [blob]);
  // The URL of the blob given now only: the previous blob's is revoked by the time this renders.
  return made && made.blob === blob ? made.url : undefined;
}
