// Generated from spec/openapi.yaml by packages/api/scripts/generate.mjs. Do not edit: run `pnpm generate`.

/** Every model the API serves, keyed by name, in spec order. */
export const catalogue = {
  "lucy-pro-t2v": {
    "name": "lucy-pro-t2v",
    "kind": "video",
    "operationId": "submit_job_lucy_pro_t2v",
    "path": "/v1/jobs/lucy-pro-t2v",
    "fps": 25,
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 40,
    "summary": "Submit a lucy-pro-t2v job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "orientation",
        "type": "string",
        "required": false,
        "enum": [
          "landscape",
          "portrait"
        ],
        "default": "landscape",
        "description": "Output orientation."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-pro-t2v"
  },
  "lucy-pro-i2v": {
    "name": "lucy-pro-i2v",
    "kind": "video",
    "operationId": "submit_job_lucy_pro_i2v",
    "path": "/v1/jobs/lucy-pro-i2v",
    "fps": 25,
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 40,
    "summary": "Submit a lucy-pro-i2v job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-pro-i2v"
  },
  "lucy-dev-i2v": {
    "name": "lucy-dev-i2v",
    "kind": "video",
    "operationId": "submit_job_lucy_dev_i2v",
    "path": "/v1/jobs/lucy-dev-i2v",
    "fps": 25,
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 25,
    "summary": "Submit a lucy-dev-i2v job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-dev-i2v"
  },
  "lucy-pro-flf2v": {
    "name": "lucy-pro-flf2v",
    "kind": "video",
    "operationId": "submit_job_lucy_pro_flf2v",
    "path": "/v1/jobs/lucy-pro-flf2v",
    "fps": 25,
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 40,
    "summary": "Submit a lucy-pro-flf2v job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "start",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "end",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-pro-flf2v"
  },
  "lucy-motion": {
    "name": "lucy-motion",
    "kind": "video",
    "operationId": "submit_job_lucy_motion",
    "path": "/v1/jobs/lucy-motion",
    "fps": 25,
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 30,
    "summary": "Submit a lucy-motion job",
    "fields": [
      {
        "name": "data",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
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
        "required": true,
        "description": "The path to follow, as JSON text: an array of 2 to 1000 `{frame, x, y}` points."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-motion"
  },
  "lucy-clip": {
    "name": "lucy-clip",
    "kind": "video",
    "operationId": "submit_job_lucy_clip",
    "path": "/v1/jobs/lucy-clip",
    "fps": 25,
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 20,
    "summary": "Submit a lucy-clip job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-clip"
  },
  "lucy-2.1": {
    "name": "lucy-2.1",
    "kind": "video",
    "operationId": "submit_job_lucy_2_1",
    "path": "/v1/jobs/lucy-2.1",
    "fps": 20,
    "width": 1088,
    "height": 624,
    "typicalJobSeconds": 45,
    "summary": "Submit a lucy-2.1 job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-2.1"
  },
  "lucy-2.5": {
    "name": "lucy-2.5",
    "kind": "video",
    "operationId": "submit_job_lucy_2_5",
    "path": "/v1/jobs/lucy-2.5",
    "fps": 20,
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 60,
    "summary": "Submit a lucy-2.5 job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-2.5"
  },
  "lucy-vton-2": {
    "name": "lucy-vton-2",
    "kind": "video",
    "operationId": "submit_job_lucy_vton_2",
    "path": "/v1/jobs/lucy-vton-2",
    "fps": 20,
    "width": 1088,
    "height": 624,
    "typicalJobSeconds": 45,
    "summary": "Submit a lucy-vton-2 job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-vton-2"
  },
  "lucy-vton-3": {
    "name": "lucy-vton-3",
    "kind": "video",
    "operationId": "submit_job_lucy_vton_3",
    "path": "/v1/jobs/lucy-vton-3",
    "fps": 20,
    "width": 1088,
    "height": 624,
    "typicalJobSeconds": 45,
    "summary": "Submit a lucy-vton-3 job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-vton-3"
  },
  "lucy-restyle-2": {
    "name": "lucy-restyle-2",
    "kind": "video",
    "operationId": "submit_job_lucy_restyle_2",
    "path": "/v1/jobs/lucy-restyle-2",
    "fps": 22,
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 30,
    "summary": "Submit a lucy-restyle-2 job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": false,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
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
    ],
    "legacySyncPath": "/v1/generate/lucy-restyle-2"
  },
  "lucy-latest": {
    "name": "lucy-latest",
    "kind": "video",
    "operationId": "submit_job_lucy_latest",
    "path": "/v1/jobs/lucy-latest",
    "fps": 20,
    "width": 1088,
    "height": 624,
    "typicalJobSeconds": 45,
    "aliasOf": "lucy-2.1",
    "summary": "Submit a lucy-latest job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-latest"
  },
  "lucy-vton-latest": {
    "name": "lucy-vton-latest",
    "kind": "video",
    "operationId": "submit_job_lucy_vton_latest",
    "path": "/v1/jobs/lucy-vton-latest",
    "fps": 20,
    "width": 1088,
    "height": 624,
    "typicalJobSeconds": 45,
    "aliasOf": "lucy-vton-3",
    "summary": "Submit a lucy-vton-latest job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-vton-latest"
  },
  "lucy-restyle-latest": {
    "name": "lucy-restyle-latest",
    "kind": "video",
    "operationId": "submit_job_lucy_restyle_latest",
    "path": "/v1/jobs/lucy-restyle-latest",
    "fps": 22,
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 30,
    "aliasOf": "lucy-restyle-2",
    "summary": "Submit a lucy-restyle-latest job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": false,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
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
    ],
    "legacySyncPath": "/v1/generate/lucy-restyle-latest"
  },
  "lucy-clip-latest": {
    "name": "lucy-clip-latest",
    "kind": "video",
    "operationId": "submit_job_lucy_clip_latest",
    "path": "/v1/jobs/lucy-clip-latest",
    "fps": 25,
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 20,
    "aliasOf": "lucy-clip",
    "summary": "Submit a lucy-clip-latest job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-clip-latest"
  },
  "lucy-pro-v2v": {
    "name": "lucy-pro-v2v",
    "kind": "video",
    "operationId": "submit_job_lucy_pro_v2v",
    "path": "/v1/jobs/lucy-pro-v2v",
    "fps": 25,
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 20,
    "deprecatedInFavourOf": "lucy-clip",
    "summary": "Submit a lucy-pro-v2v job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-pro-v2v"
  },
  "lucy-restyle-v2v": {
    "name": "lucy-restyle-v2v",
    "kind": "video",
    "operationId": "submit_job_lucy_restyle_v2v",
    "path": "/v1/jobs/lucy-restyle-v2v",
    "fps": 22,
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 30,
    "deprecatedInFavourOf": "lucy-restyle-2",
    "summary": "Submit a lucy-restyle-v2v job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": false,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
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
    ],
    "legacySyncPath": "/v1/generate/lucy-restyle-v2v"
  },
  "lucy-2.1-vton-2": {
    "name": "lucy-2.1-vton-2",
    "kind": "video",
    "operationId": "submit_job_lucy_2_1_vton_2",
    "path": "/v1/jobs/lucy-2.1-vton-2",
    "fps": 20,
    "width": 1088,
    "height": 624,
    "typicalJobSeconds": 45,
    "deprecatedInFavourOf": "lucy-vton-2",
    "summary": "Submit a lucy-2.1-vton-2 job",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 0,
        "maxLength": 1000,
        "description": "Text prompt. Send an empty string for no text prompt."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "video/mp4",
          "video/webm",
          "video/quicktime"
        ],
        "required": true,
        "description": "A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": [],
    "legacySyncPath": "/v1/generate/lucy-2.1-vton-2"
  },
  "lucy-pro-t2i": {
    "name": "lucy-pro-t2i",
    "kind": "image",
    "operationId": "process_lucy_pro_t2i",
    "path": "/v1/generate/lucy-pro-t2i",
    "width": 1280,
    "height": 720,
    "typicalJobSeconds": 6,
    "summary": "Generate an image with lucy-pro-t2i",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "orientation",
        "type": "string",
        "required": false,
        "enum": [
          "landscape",
          "portrait"
        ],
        "default": "landscape",
        "description": "Output orientation."
      }
    ],
    "rules": []
  },
  "lucy-image-2": {
    "name": "lucy-image-2",
    "kind": "image",
    "operationId": "process_lucy_image_2",
    "path": "/v1/generate/lucy-image-2",
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 8,
    "summary": "Generate an image with lucy-image-2",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": []
  },
  "lucy-image-latest": {
    "name": "lucy-image-latest",
    "kind": "image",
    "operationId": "process_lucy_image_latest",
    "path": "/v1/generate/lucy-image-latest",
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 8,
    "aliasOf": "lucy-image-2",
    "summary": "Generate an image with lucy-image-latest",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": []
  },
  "lucy-pro-i2i": {
    "name": "lucy-pro-i2i",
    "kind": "image",
    "operationId": "process_lucy_pro_i2i",
    "path": "/v1/generate/lucy-pro-i2i",
    "width": 1280,
    "height": 704,
    "typicalJobSeconds": 5,
    "deprecatedInFavourOf": "lucy-image-2",
    "summary": "Generate an image with lucy-pro-i2i",
    "fields": [
      {
        "name": "prompt",
        "type": "string",
        "required": true,
        "minLength": 1,
        "maxLength": 1000,
        "description": "What to generate."
      },
      {
        "name": "data",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": true,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "reference_image",
        "type": "file",
        "accept": [
          "image/png",
          "image/jpeg",
          "image/webp"
        ],
        "required": false,
        "description": "An image (PNG, JPEG or WebP)."
      },
      {
        "name": "seed",
        "type": "integer",
        "required": false,
        "minimum": 0,
        "maximum": 4294967295,
        "description": "Random seed, for reproducible results."
      },
      {
        "name": "resolution",
        "type": "string",
        "required": false,
        "enum": [
          "720p",
          "480p"
        ],
        "default": "720p",
        "description": "Output resolution."
      },
      {
        "name": "enhance_prompt",
        "type": "boolean",
        "required": false,
        "default": true,
        "description": "Let the server rewrite the prompt for better results."
      }
    ],
    "rules": []
  }
} as const;

/** Models the server has retired: it answers them with 410. */
export const retiredModels = [
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
] as const;

/** The states of a queued job, in lifecycle order. */
export const jobStatuses = [
  "pending",
  "processing",
  "completed",
  "failed"
] as const;

/** Limits of the non-model request bodies. */
export const requestSchemas = {
  "CreateTokenRequest": {
    "type": "object",
    "additionalProperties": false,
    "properties": {
      "expiresIn": {
        "type": "integer",
        "minimum": 1,
        "maximum": 3600,
        "default": 60,
        "description": "Seconds until the token expires."
      },
      "allowedModels": {
        "type": "array",
        "maxItems": 20,
        "items": {
          "type": "string"
        },
        "description": "Models the token may use; all when absent."
      },
      "allowedOrigins": {
        "type": "array",
        "maxItems": 20,
        "items": {
          "type": "string"
        },
        "description": "Full origins (`https://example.org`) the token may be used from."
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
        "description": "Seconds to keep the file (60 to 2592000), or `persistent`.",
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
} as const;

/** The API's production base URL. */
export const defaultBaseUrl = "https://api.decart.ai";

/** The header that carries the API key. */
export const apiKeyHeader = "X-API-KEY";
