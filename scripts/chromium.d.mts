/** See chromium.mjs. */
export declare const CHROMIUM_DEFAULT: string;
export declare const CHROMIUM_NAMES: readonly string[];
export declare const isExecutable: (path: string) => boolean;
export declare function findChromium(env?: NodeJS.ProcessEnv): {
  path: string;
  from: "CHROMIUM_PATH" | "PATH" | "default";
  problem?: string;
};
