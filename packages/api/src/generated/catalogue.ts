// Generated from spec/openapi.yaml by packages/api/scripts/generate.mjs. Do not edit: run `pnpm generate`.

/** Inputs of the `TextToVideo` request body. */
const body_TextToVideo = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p",
        "480p"
      ],
      "default": "720p"
    },
    {
      "name": "orientation",
      "type": "string",
      "required": false,
      "enum": [
        "landscape",
        "portrait"
      ],
      "default": "landscape"
    }
  ],
  "rules": []
} as const;

/** Inputs of the `ImageToVideo` request body. */
const body_ImageToVideo = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "data",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": true
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p",
        "480p"
      ],
      "default": "720p"
    }
  ],
  "rules": []
} as const;

/** Inputs of the `ImageToVideoDev` request body. */
const body_ImageToVideoDev = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "data",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": true
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p"
      ],
      "default": "720p"
    }
  ],
  "rules": []
} as const;

/** Inputs of the `FirstLastFrameToVideo` request body. */
const body_FirstLastFrameToVideo = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "start",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": true
    },
    {
      "name": "end",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": true
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p",
        "480p"
      ],
      "default": "720p"
    }
  ],
  "rules": []
} as const;

/** Inputs of the `MotionToVideo` request body. */
const body_MotionToVideo = {
  "fields": [
    {
      "name": "data",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": true
    },
    {
      "name": "trajectory",
      "type": "json",
      "schema": {
        "type": "array",
        "minItems": 2,
        "maxItems": 1000,
        "items": {
          "type": "object",
          "required": [
            "frame",
            "x",
            "y"
          ],
          "properties": {
            "frame": {
              "type": "integer",
              "minimum": 0
            },
            "x": {
              "type": "number",
              "minimum": 0
            },
            "y": {
              "type": "number",
              "minimum": 0
            }
          }
        }
      },
      "required": true
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p"
      ],
      "default": "720p"
    }
  ],
  "rules": []
} as const;

/** Inputs of the `VideoEdit` request body. */
const body_VideoEdit = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "data",
      "type": "file",
      "accept": [
        "video/mp4",
        "video/webm",
        "video/quicktime"
      ],
      "required": true
    },
    {
      "name": "reference_image",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": false
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p"
      ],
      "default": "720p"
    },
    {
      "name": "enhance_prompt",
      "type": "boolean",
      "required": false,
      "default": true
    }
  ],
  "rules": []
} as const;

/** Inputs of the `VideoEdit2` request body. */
const body_VideoEdit2 = {
  "fields": [
    {
      "name": "data",
      "type": "file",
      "accept": [
        "video/mp4",
        "video/webm",
        "video/quicktime"
      ],
      "required": true
    },
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 0,
      "maxLength": 1000
    },
    {
      "name": "reference_image",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": false
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p"
      ],
      "default": "720p"
    },
    {
      "name": "enhance_prompt",
      "type": "boolean",
      "required": false,
      "default": true
    }
  ],
  "rules": []
} as const;

/** Inputs of the `Restyle` request body. */
const body_Restyle = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": false,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "data",
      "type": "file",
      "accept": [
        "video/mp4",
        "video/webm",
        "video/quicktime"
      ],
      "required": true
    },
    {
      "name": "reference_image",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": false
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p"
      ],
      "default": "720p"
    },
    {
      "name": "enhance_prompt",
      "type": "boolean",
      "required": false,
      "default": true
    }
  ],
  "rules": [
    {
      "rule": "exactlyOne",
      "fields": [
        "prompt",
        "reference_image"
      ],
      "message": "Must provide either 'prompt' or 'reference_image', but not both"
    },
    {
      "rule": "forbiddenWith",
      "field": "enhance_prompt",
      "with": "reference_image",
      "message": "'enhance_prompt' is only valid when using 'prompt', not 'reference_image'"
    }
  ]
} as const;

/** Inputs of the `TextToImage` request body: the same as `TextToVideo`'s. */
const body_TextToImage = body_TextToVideo;

/** Inputs of the `ImageEdit` request body. */
const body_ImageEdit = {
  "fields": [
    {
      "name": "prompt",
      "type": "string",
      "required": true,
      "minLength": 1,
      "maxLength": 1000
    },
    {
      "name": "data",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": true
    },
    {
      "name": "reference_image",
      "type": "file",
      "accept": [
        "image/png",
        "image/jpeg",
        "image/webp"
      ],
      "required": false
    },
    {
      "name": "seed",
      "type": "integer",
      "required": false,
      "minimum": 0,
      "maximum": 4294967295
    },
    {
      "name": "resolution",
      "type": "string",
      "required": false,
      "enum": [
        "720p",
        "480p"
      ],
      "default": "720p"
    },
    {
      "name": "enhance_prompt",
      "type": "boolean",
      "required": false,
      "default": true
    }
  ],
  "rules": []
} as const;

/** A catalogue entry as one object type. */
type Entry<T> = { readonly [K in keyof T]: T[K] };

/** A video model: Queue API at `/v1/jobs/{name}`, and its deprecated synchronous route at `/v1/generate/{name}`. */
const videoModel = <const N extends string, const F extends object, const I extends object>(name: N, facts: F, inputs: I) =>
  ({ name, kind: "video", path: `/v1/jobs/${name}`, ...facts, ...inputs, legacySyncPath: `/v1/generate/${name}` }) as Entry<
    { name: N; kind: "video"; path: `/v1/jobs/${N}` } & F & I & { legacySyncPath: `/v1/generate/${N}` }
  >;

/** An image model: Process API at `/v1/generate/{name}`. */
const imageModel = <const N extends string, const F extends object, const I extends object>(name: N, facts: F, inputs: I) =>
  ({ name, kind: "image", path: `/v1/generate/${name}`, ...facts, ...inputs }) as Entry<
    { name: N; kind: "image"; path: `/v1/generate/${N}` } & F & I
  >;

/**
 * `value` frozen through and through, in place: the catalogue and every table below are shared by every client of the
 * process, and their readonly types hold at run time too (a limit changed in place would hold every client to it).
 */
const frozen = <T>(value: T): T => {
  // (Plain data, no cycles: an object shared by several entries is frozen again, harmlessly.)
  if (value && typeof value === "object") for (const inner of Object.values(Object.freeze(value))) frozen(inner);
  return value;
};

/** The entries keyed by their names, in order, frozen through and through. */
const byName = <const L extends readonly { name: string }[]>(list: L) =>
  frozen(Object.fromEntries(list.map((entry) => [entry.name, entry]))) as { readonly [E in L[number] as E["name"]]: E };

/** Every model the API serves, keyed by name, in spec order. */
export const catalogue = /* @__PURE__ */ byName([
  /* @__PURE__ */ videoModel("lucy-pro-t2v", { "fps": 25, "width": 1280, "height": 720, "typicalJobSeconds": 40 }, body_TextToVideo),
  /* @__PURE__ */ videoModel("lucy-pro-i2v", { "fps": 25, "width": 1280, "height": 720, "typicalJobSeconds": 40 }, body_ImageToVideo),
  /* @__PURE__ */ videoModel("lucy-dev-i2v", { "fps": 25, "width": 1280, "height": 720, "typicalJobSeconds": 25 }, body_ImageToVideoDev),
  /* @__PURE__ */ videoModel("lucy-pro-flf2v", { "fps": 25, "width": 1280, "height": 720, "typicalJobSeconds": 40, "deprecated": true }, body_FirstLastFrameToVideo),
  /* @__PURE__ */ videoModel("lucy-motion", { "fps": 25, "width": 1280, "height": 720, "typicalJobSeconds": 30, "deprecated": true }, body_MotionToVideo),
  /* @__PURE__ */ videoModel("lucy-clip", { "fps": 25, "width": 1280, "height": 704, "typicalJobSeconds": 20 }, body_VideoEdit),
  /* @__PURE__ */ videoModel("lucy-2.1", { "fps": 20, "width": 1088, "height": 624, "typicalJobSeconds": 45 }, body_VideoEdit2),
  /* @__PURE__ */ videoModel("lucy-2.5", { "fps": 20, "width": 1280, "height": 720, "typicalJobSeconds": 60 }, body_VideoEdit2),
  /* @__PURE__ */ videoModel("lucy-vton-2", { "fps": 20, "width": 1088, "height": 624, "typicalJobSeconds": 45 }, body_VideoEdit2),
  /* @__PURE__ */ videoModel("lucy-vton-3", { "fps": 20, "width": 1088, "height": 624, "typicalJobSeconds": 45 }, body_VideoEdit2),
  /* @__PURE__ */ videoModel("lucy-restyle-2", { "fps": 22, "width": 1280, "height": 704, "typicalJobSeconds": 30 }, body_Restyle),
  /* @__PURE__ */ videoModel("lucy-latest", { "fps": 20, "width": 1088, "height": 624, "typicalJobSeconds": 45, "aliasOf": "lucy-2.1" }, body_VideoEdit2),
  /* @__PURE__ */ videoModel("lucy-vton-latest", { "fps": 20, "width": 1088, "height": 624, "typicalJobSeconds": 45, "aliasOf": "lucy-vton-3" }, body_VideoEdit2),
  /* @__PURE__ */ videoModel("lucy-restyle-latest", { "fps": 22, "width": 1280, "height": 704, "typicalJobSeconds": 30, "aliasOf": "lucy-restyle-2" }, body_Restyle),
  /* @__PURE__ */ videoModel("lucy-clip-latest", { "fps": 25, "width": 1280, "height": 704, "typicalJobSeconds": 20, "aliasOf": "lucy-clip" }, body_VideoEdit),
  /* @__PURE__ */ videoModel("lucy-pro-v2v", { "fps": 25, "width": 1280, "height": 704, "typicalJobSeconds": 20, "aliasOf": "lucy-clip", "deprecated": true, "deprecatedInFavourOf": "lucy-clip" }, body_VideoEdit),
  /* @__PURE__ */ videoModel("lucy-restyle-v2v", { "fps": 22, "width": 1280, "height": 704, "typicalJobSeconds": 30, "aliasOf": "lucy-restyle-2", "deprecated": true, "deprecatedInFavourOf": "lucy-restyle-2" }, body_Restyle),
  /* @__PURE__ */ videoModel("lucy-2.1-vton-2", { "fps": 20, "width": 1088, "height": 624, "typicalJobSeconds": 45, "aliasOf": "lucy-vton-2", "deprecated": true, "deprecatedInFavourOf": "lucy-vton-2" }, body_VideoEdit2),
  /* @__PURE__ */ imageModel("lucy-pro-t2i", { "width": 1280, "height": 720, "typicalJobSeconds": 6 }, body_TextToImage),
  /* @__PURE__ */ imageModel("lucy-image-2", { "width": 1280, "height": 704, "typicalJobSeconds": 8 }, body_ImageEdit),
  /* @__PURE__ */ imageModel("lucy-image-latest", { "width": 1280, "height": 704, "typicalJobSeconds": 8, "aliasOf": "lucy-image-2" }, body_ImageEdit),
  /* @__PURE__ */ imageModel("lucy-pro-i2i", { "width": 1280, "height": 704, "typicalJobSeconds": 8, "aliasOf": "lucy-image-2", "deprecated": true, "deprecatedInFavourOf": "lucy-image-2" }, body_ImageEdit),
]);

/** Each model's operation id, summary, description and field descriptions, for help texts. */
export const modelDocs = /* @__PURE__ */ frozen({
  "lucy-pro-t2v": {
    "operationId": "submit_job_lucy_pro_t2v",
    "summary": "Submit a lucy-pro-t2v job",
    "description": "Text to video (Lucy Pro). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "prompt": "What to generate.",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "orientation": "Output orientation."
    }
  },
  "lucy-pro-i2v": {
    "operationId": "submit_job_lucy_pro_i2v",
    "summary": "Submit a lucy-pro-i2v job",
    "description": "Image to video (Lucy Pro). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "prompt": "What to generate.",
      "data": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution."
    }
  },
  "lucy-dev-i2v": {
    "operationId": "submit_job_lucy_dev_i2v",
    "summary": "Submit a lucy-dev-i2v job",
    "description": "Image to video (Lucy Dev). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "prompt": "What to generate.",
      "data": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution."
    }
  },
  "lucy-pro-flf2v": {
    "operationId": "submit_job_lucy_pro_flf2v",
    "summary": "Submit a lucy-pro-flf2v job",
    "description": "First and last frame to video (Lucy Pro). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated, with no replacement: no longer working, removed from the official SDKs on 2026-03-17; the server may answer 410 (retired).",
    "fields": {
      "prompt": "What to generate.",
      "start": "An image (PNG, JPEG or WebP).",
      "end": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution."
    }
  },
  "lucy-motion": {
    "operationId": "submit_job_lucy_motion",
    "summary": "Submit a lucy-motion job",
    "description": "Image plus trajectory to video (Lucy Motion). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated, with no replacement: retired, removed from the official SDKs on 2026-05-10; the server may answer 410 (retired).",
    "fields": {
      "data": "An image (PNG, JPEG or WebP).",
      "trajectory": "The path to follow, as JSON text: an array of 2 to 1000 `{frame, x, y}` points.",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution."
    }
  },
  "lucy-clip": {
    "operationId": "submit_job_lucy_clip",
    "summary": "Submit a lucy-clip job",
    "description": "Video to video edit (Lucy Clip). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "prompt": "What to generate.",
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-2.1": {
    "operationId": "submit_job_lucy_2_1",
    "summary": "Submit a lucy-2.1 job",
    "description": "Video edit (Lucy 2.1). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-2.5": {
    "operationId": "submit_job_lucy_2_5",
    "summary": "Submit a lucy-2.5 job",
    "description": "Video edit (Lucy 2.5). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-vton-2": {
    "operationId": "submit_job_lucy_vton_2",
    "summary": "Submit a lucy-vton-2 job",
    "description": "Virtual try-on (Lucy VTON 2). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-vton-3": {
    "operationId": "submit_job_lucy_vton_3",
    "summary": "Submit a lucy-vton-3 job",
    "description": "Virtual try-on (Lucy VTON 3). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-restyle-2": {
    "operationId": "submit_job_lucy_restyle_2",
    "summary": "Submit a lucy-restyle-2 job",
    "description": "Video restyle (Lucy Restyle 2). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.",
    "fields": {
      "prompt": "What to generate.",
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-latest": {
    "operationId": "submit_job_lucy_latest",
    "summary": "Submit a lucy-latest job",
    "description": "Alias of the newest general Lucy video editor. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-2.1`.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-vton-latest": {
    "operationId": "submit_job_lucy_vton_latest",
    "summary": "Submit a lucy-vton-latest job",
    "description": "Alias of the newest virtual try-on model. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-vton-3`.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-restyle-latest": {
    "operationId": "submit_job_lucy_restyle_latest",
    "summary": "Submit a lucy-restyle-latest job",
    "description": "Alias of the newest restyle model. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-restyle-2`.",
    "fields": {
      "prompt": "What to generate.",
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-clip-latest": {
    "operationId": "submit_job_lucy_clip_latest",
    "summary": "Submit a lucy-clip-latest job",
    "description": "Alias of the newest clip editor. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-clip`.",
    "fields": {
      "prompt": "What to generate.",
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-pro-v2v": {
    "operationId": "submit_job_lucy_pro_v2v",
    "summary": "Submit a lucy-pro-v2v job",
    "description": "Video to video edit (deprecated name of Lucy Clip). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated: use `lucy-clip`, which takes the same inputs.",
    "fields": {
      "prompt": "What to generate.",
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-restyle-v2v": {
    "operationId": "submit_job_lucy_restyle_v2v",
    "summary": "Submit a lucy-restyle-v2v job",
    "description": "Video restyle (deprecated name). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated: use `lucy-restyle-2`, which takes the same inputs.",
    "fields": {
      "prompt": "What to generate.",
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-2.1-vton-2": {
    "operationId": "submit_job_lucy_2_1_vton_2",
    "summary": "Submit a lucy-2.1-vton-2 job",
    "description": "Virtual try-on (deprecated name). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated: use `lucy-vton-2`, which takes the same inputs.",
    "fields": {
      "data": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).",
      "prompt": "Text prompt. Send an empty string for no text prompt.",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-pro-t2i": {
    "operationId": "process_lucy_pro_t2i",
    "summary": "Generate an image with lucy-pro-t2i",
    "description": "Text to image (Lucy Pro). Synchronous: the answer is the image itself.",
    "fields": {
      "prompt": "What to generate.",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "orientation": "Output orientation."
    }
  },
  "lucy-image-2": {
    "operationId": "process_lucy_image_2",
    "summary": "Generate an image with lucy-image-2",
    "description": "Image edit (Lucy Image 2). Synchronous: the answer is the image itself.",
    "fields": {
      "prompt": "What to generate.",
      "data": "An image (PNG, JPEG or WebP).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-image-latest": {
    "operationId": "process_lucy_image_latest",
    "summary": "Generate an image with lucy-image-latest",
    "description": "Alias of the newest image editor. Synchronous: the answer is the image itself. Server-side alias: currently resolves to `lucy-image-2`.",
    "fields": {
      "prompt": "What to generate.",
      "data": "An image (PNG, JPEG or WebP).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  },
  "lucy-pro-i2i": {
    "operationId": "process_lucy_pro_i2i",
    "summary": "Generate an image with lucy-pro-i2i",
    "description": "Image edit (deprecated name of Lucy Image 2). Synchronous: the answer is the image itself. Deprecated: use `lucy-image-2`, which takes the same inputs.",
    "fields": {
      "prompt": "What to generate.",
      "data": "An image (PNG, JPEG or WebP).",
      "reference_image": "An image (PNG, JPEG or WebP).",
      "seed": "Random seed, for reproducible results.",
      "resolution": "Output resolution.",
      "enhance_prompt": "Let the server rewrite the prompt for better results."
    }
  }
} as const);

/** Models the server has retired: it answers them with 410. */
export const retiredModels = /* @__PURE__ */ frozen([
  {
    "name": "lucy-2.1-vton",
    "replacement": "lucy-vton-2"
  },
  {
    "name": "lucy-2-v2v",
    "replacement": "lucy-2.1"
  },
  {
    "name": "lucy-fast-v2v",
    "replacement": "lucy-clip"
  }
] as const);

/** The states of a queued job, in lifecycle order. */
export const jobStatuses = /* @__PURE__ */ frozen([
  "pending",
  "processing",
  "completed",
  "failed"
] as const);

/** The media types of a completed job's result (`GET /v1/jobs/{job_id}/content`). */
export const jobContentTypes = /* @__PURE__ */ frozen([
  "video/mp4"
] as const);

/** The media types of an image model's answer (the Process API). */
export const imageContentTypes = /* @__PURE__ */ frozen([
  "image/png",
  "image/jpeg"
] as const);

/** Limits of the non-model request bodies (machine facts only: prose stays in the spec). */
export const requestSchemas = /* @__PURE__ */ frozen({
  "CreateTokenRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "expiresIn": {
        "type": "integer",
        "minimum": 1,
        "maximum": 3600,
        "default": 60
      },
      "allowedModels": {
        "type": "array",
        "maxItems": 20,
        "items": {
          "type": "string"
        }
      },
      "allowedOrigins": {
        "type": "array",
        "maxItems": 20,
        "items": {
          "type": "string"
        }
      },
      "constraints": {
        "type": "object",
        "properties": {
          "realtime": {
            "type": "object",
            "properties": {
              "maxSessionDuration": {
                "type": "integer",
                "minimum": 10
              }
            }
          }
        }
      },
      "metadata": {
        "type": "object",
        "additionalProperties": true
      }
    }
  },
  "UploadFileRequest": {
    "type": "object",
    "required": [
      "file"
    ],
    "additionalProperties": false,
    "properties": {
      "file": {
        "type": "string",
        "format": "binary"
      },
      "ttl_seconds": {
        "oneOf": [
          {
            "type": "integer",
            "minimum": 60,
            "maximum": 2592000
          },
          {
            "type": "string",
            "const": "persistent"
          }
        ]
      }
    }
  }
} as const);

/** The spec's schemas of the non-model answers a client checks beyond their type (machine facts only). */
export const responseSchemas = /* @__PURE__ */ frozen({
  "JobStatusResponse": {
    "type": "object",
    "required": [
      "job_id",
      "status"
    ],
    "properties": {
      "job_id": {
        "type": "string"
      },
      "status": {
        "type": "string",
        "enum": [
          "pending",
          "processing",
          "completed",
          "failed"
        ]
      },
      "model": {
        "type": "string"
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "updated_at": {
        "type": "string",
        "format": "date-time"
      },
      "error": {
        "type": "string"
      }
    }
  },
  "CreateTokenResponse": {
    "type": "object",
    "required": [
      "apiKey",
      "expiresAt"
    ],
    "properties": {
      "apiKey": {
        "type": "string"
      },
      "token": {
        "type": "string"
      },
      "expiresAt": {
        "type": "string",
        "format": "date-time"
      },
      "permissions": {
        "type": [
          "object",
          "null"
        ],
        "properties": {
          "models": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "origins": {
            "type": "array",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "constraints": {
        "type": [
          "object",
          "null"
        ],
        "additionalProperties": true
      }
    }
  },
  "FileReference": {
    "type": "object",
    "required": [
      "id",
      "filename",
      "mime_type",
      "size_bytes",
      "created_at",
      "expires_at"
    ],
    "properties": {
      "id": {
        "type": "string"
      },
      "filename": {
        "type": [
          "string",
          "null"
        ]
      },
      "mime_type": {
        "type": "string"
      },
      "size_bytes": {
        "type": "integer",
        "minimum": 0
      },
      "created_at": {
        "type": "string",
        "format": "date-time"
      },
      "expires_at": {
        "type": [
          "string",
          "null"
        ],
        "format": "date-time"
      }
    }
  }
} as const);

/** The most bytes the API takes in one file (the 413's `x-decart-max-file-bytes`): a larger upload is answered 413. */
export const maxFileBytes = 209715200;

/** The limit of one file in the docs' words (the 413's `x-decart-max-file-docs`), which `maxFileBytes` reads the larger way. */
export const maxFileDocs = "200 MB";

/** The longest job or file id, in characters (code points): the `maxLength` of the `job_id` and `file_id` path parameters. */
export const maxIdLength = 256;

/** The API's production base URL. */
export const defaultBaseUrl = "https://api.decart.ai";

/** The header that carries the API key. */
export const apiKeyHeader = "X-API-KEY";
