// What the snippets of packages/core/README.md use without defining (a later snippet continues the first one).
// Each snippet is checked in a block of its own beside these declarations, less the names it imports itself.
declare const client: ReturnType<typeof import("@decart/core").createDecartClient>;
declare const models: typeof import("@decart/core").models;
declare const model: ReturnType<typeof import("@decart/core").models.video<"lucy-pro-t2v">>;
declare const apiKey: string;
declare const jobId: string;
declare const prompt: string;
declare const signal: AbortSignal;
declare const onStatusChange: import("@decart/core").StatusListener;
declare const onProgress: (progress: import("@decart/core").DownloadProgress) => void;
declare const videoFile: File;
declare const file: Blob;
declare function saveSomewhere(jobId: string): void;
declare function render(fraction: number): void;
