// What the snippets of packages/queue-rx/README.md use without defining.
declare const jobId: string;
declare const id: string;
declare function save(jobId: string): void;
declare const bar: { update(fraction: number): void };
declare function show(video: Blob | undefined): void;
declare const badge: { set(status: string): void };
declare const clips: { id: string; prompt: string }[];
declare const model: import("@decart/core").VideoModel<"lucy-pro-t2v">;
declare const prompt: string;
declare function expect(actual: unknown): { toEqual(expected: unknown): void };
declare const processing: import("@decart/core").JobEvent;
declare const completed: import("@decart/core").JobEvent;
declare const done: import("@decart/core").JobStatusResponse;
