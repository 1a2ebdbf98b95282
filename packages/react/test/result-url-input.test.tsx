// useResultUrl takes a Blob (a hook's result), null or undefined: anything else (a URL string, which is a src as it
// is) is refused as it renders, an InvalidInputError naming `blob`, rather than the platform's bare TypeError.
import { InvalidInputError } from "@decart/core";
import { renderHook } from "@testing-library/react";
import { StrictMode } from "react";
import { expect, it, vi } from "vitest";
import { useResultUrl } from "../src/index.js";

it("a URL string, or any other value that is no Blob, is refused naming blob; a Blob, null and undefined are taken", () => {
  vi.spyOn(console, "error").mockImplementation(() => {}); // React's report of the error thrown while rendering
  // A Set or a Map has a numeric `size` too, and is no Blob.
  for (const given of ["https://cdn.example.com/results/job_1.mp4", new Response("x"), 7, new Set([1]), new Map()]) {
    let error: any;
    try {
      renderHook(() => useResultUrl(given as never), { wrapper: StrictMode });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "blob" });
    expect(error.message).toMatch(
      /^useResultUrl: "blob" must be a Blob, null or undefined: a URL string needs no object URL/,
    );
  }
  // A URL is shown by its length (a signed URL's query may be a secret).
  const url = "https://cdn.example.com/results/job_1.mp4?sig=secret";
  expect(() => renderHook(() => useResultUrl(url as never))).toThrow(`(got ${url.length} characters)`);
  for (const given of [null, undefined]) expect(renderHook(() => useResultUrl(given)).result.current).toBeUndefined();
  const blob = new Blob(["x"], { type: "video/mp4" });
  const { result } = renderHook(() => useResultUrl(blob));
  expect(result.current).toMatch(/^blob:/);
});
