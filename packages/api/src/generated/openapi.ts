// Generated from spec/openapi.yaml by packages/api/scripts/generate.mjs. Do not edit: run `pnpm generate`.
export interface paths {
    "/v1/jobs/lucy-pro-t2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-pro-t2v job
         * @description Text to video (Lucy Pro). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_pro_t2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-pro-i2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-pro-i2v job
         * @description Image to video (Lucy Pro). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_pro_i2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-dev-i2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-dev-i2v job
         * @description Image to video (Lucy Dev). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_dev_i2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-pro-flf2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-pro-flf2v job
         * @deprecated
         * @description First and last frame to video (Lucy Pro). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated, with no replacement: no longer working, removed from the official SDKs on 2026-03-17; the server may answer 410 (retired).
         */
        post: operations["submit_job_lucy_pro_flf2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-motion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-motion job
         * @deprecated
         * @description Image plus trajectory to video (Lucy Motion). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated, with no replacement: retired, removed from the official SDKs on 2026-05-10; the server may answer 410 (retired).
         */
        post: operations["submit_job_lucy_motion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-clip": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-clip job
         * @description Video to video edit (Lucy Clip). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_clip"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-2.1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-2.1 job
         * @description Video edit (Lucy 2.1). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_2_1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-2.5": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-2.5 job
         * @description Video edit (Lucy 2.5). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_2_5"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-vton-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-vton-2 job
         * @description Virtual try-on (Lucy VTON 2). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_vton_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-vton-3": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-vton-3 job
         * @description Virtual try-on (Lucy VTON 3). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_vton_3"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-restyle-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-restyle-2 job
         * @description Video restyle (Lucy Restyle 2). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed.
         */
        post: operations["submit_job_lucy_restyle_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-latest job
         * @description Alias of the newest general Lucy video editor. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-2.1`.
         */
        post: operations["submit_job_lucy_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-vton-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-vton-latest job
         * @description Alias of the newest virtual try-on model. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-vton-3`.
         */
        post: operations["submit_job_lucy_vton_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-restyle-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-restyle-latest job
         * @description Alias of the newest restyle model. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-restyle-2`.
         */
        post: operations["submit_job_lucy_restyle_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-clip-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-clip-latest job
         * @description Alias of the newest clip editor. Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Server-side alias: currently resolves to `lucy-clip`.
         */
        post: operations["submit_job_lucy_clip_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-pro-v2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-pro-v2v job
         * @deprecated
         * @description Video to video edit (deprecated name of Lucy Clip). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated: use `lucy-clip`, which takes the same inputs.
         */
        post: operations["submit_job_lucy_pro_v2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-restyle-v2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-restyle-v2v job
         * @deprecated
         * @description Video restyle (deprecated name). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated: use `lucy-restyle-2`, which takes the same inputs.
         */
        post: operations["submit_job_lucy_restyle_v2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/lucy-2.1-vton-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a lucy-2.1-vton-2 job
         * @deprecated
         * @description Virtual try-on (deprecated name). Queues a video generation job and answers at once with its id; poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content` when it is completed. Deprecated: use `lucy-vton-2`, which takes the same inputs.
         */
        post: operations["submit_job_lucy_2_1_vton_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-pro-t2i": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate an image with lucy-pro-t2i
         * @description Text to image (Lucy Pro). Synchronous: the answer is the image itself.
         */
        post: operations["process_lucy_pro_t2i"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-image-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate an image with lucy-image-2
         * @description Image edit (Lucy Image 2). Synchronous: the answer is the image itself.
         */
        post: operations["process_lucy_image_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-image-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate an image with lucy-image-latest
         * @description Alias of the newest image editor. Synchronous: the answer is the image itself. Server-side alias: currently resolves to `lucy-image-2`.
         */
        post: operations["process_lucy_image_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-pro-i2i": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate an image with lucy-pro-i2i
         * @deprecated
         * @description Image edit (deprecated name of Lucy Image 2). Synchronous: the answer is the image itself. Deprecated: use `lucy-image-2`, which takes the same inputs.
         */
        post: operations["process_lucy_pro_i2i"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-pro-t2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-pro-t2v video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-pro-t2v` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_pro_t2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-pro-i2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-pro-i2v video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-pro-i2v` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_pro_i2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-dev-i2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-dev-i2v video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-dev-i2v` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_dev_i2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-pro-flf2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-pro-flf2v video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-pro-flf2v` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_pro_flf2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-motion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-motion video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-motion` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_motion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-clip": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-clip video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-clip` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_clip"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-2.1": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-2.1 video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-2.1` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_2_1"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-2.5": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-2.5 video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-2.5` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_2_5"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-vton-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-vton-2 video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-vton-2` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_vton_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-vton-3": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-vton-3 video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-vton-3` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_vton_3"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-restyle-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-restyle-2 video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-restyle-2` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_restyle_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-latest video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-latest` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-vton-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-vton-latest video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-vton-latest` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_vton_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-restyle-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-restyle-latest video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-restyle-latest` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_restyle_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-clip-latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-clip-latest video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-clip-latest` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_clip_latest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-pro-v2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-pro-v2v video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-pro-v2v` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_pro_v2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-restyle-v2v": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-restyle-v2v video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-restyle-v2v` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_restyle_v2v"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/generate/lucy-2.1-vton-2": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a lucy-2.1-vton-2 video synchronously (deprecated)
         * @deprecated
         * @description Deprecated: synchronous video generation blocks until the video is ready and can time out on long generations. Use the Queue API instead: `POST /v1/jobs/lucy-2.1-vton-2` takes the same inputs, then poll `GET /v1/jobs/{job_id}` and download `GET /v1/jobs/{job_id}/content`. Answers carry a `Deprecation` header.
         */
        post: operations["generate_video_sync_lucy_2_1_vton_2"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a job's status
         * @description The job's status: `pending` (queued), `processing`, then `completed` or `failed`. A job still unfinished after 10 minutes becomes `failed`. A failed job carries the reason in `error`.
         */
        get: operations["get_job_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{job_id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a completed job's video
         * @description The result video of a completed job. While the job is `pending` or `processing`, and for a `failed` job, the answer is 409 with the job's status in `detail`. Results are kept for a retention period; after it, the answer is 410.
         */
        get: operations["get_job_content"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/client/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a short-lived client token
         * @description Creates an `ek_…` key for a browser or another untrusted client. It works as an API key until it expires, only for the allowed models when they are given. A client token cannot create tokens.
         */
        post: operations["create_client_token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file
         * @description Stores a file for later reference. Kept for 24 hours unless `ttl_seconds` says otherwise.
         */
        post: operations["upload_file"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{file_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a stored file's metadata */
        get: operations["get_file"];
        put?: never;
        post?: never;
        /** Delete a stored file */
        delete: operations["delete_file"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Inputs of text-to-video models. */
        TextToVideoInput: {
            prompt: components["schemas"]["PromptRequired"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720or480"];
            orientation?: components["schemas"]["Orientation"];
        };
        /** @description Inputs of image-to-video models. */
        ImageToVideoInput: {
            prompt: components["schemas"]["PromptRequired"];
            data: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720or480"];
        };
        /** @description Inputs of the dev image-to-video model (720p only). */
        ImageToVideoDevInput: {
            prompt: components["schemas"]["PromptRequired"];
            data: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720"];
        };
        /** @description Inputs of first-and-last-frame models. */
        FirstLastFrameToVideoInput: {
            prompt: components["schemas"]["PromptRequired"];
            start: components["schemas"]["ImageFile"];
            end: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720or480"];
        };
        /** @description Inputs of trajectory-guided models. */
        MotionToVideoInput: {
            data: components["schemas"]["ImageFile"];
            trajectory: components["schemas"]["Trajectory"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720"];
        };
        /** @description Inputs of video-to-video edit models. */
        VideoEditInput: {
            prompt: components["schemas"]["PromptRequired"];
            data: components["schemas"]["VideoFile"];
            reference_image?: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720"];
            enhance_prompt?: components["schemas"]["EnhancePrompt"];
        };
        /** @description Inputs of the Lucy 2.x video models. */
        VideoEdit2Input: {
            data: components["schemas"]["VideoFile"];
            prompt: components["schemas"]["PromptMayBeEmpty"];
            reference_image?: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720"];
            enhance_prompt?: components["schemas"]["EnhancePrompt"];
        };
        /** @description Inputs of restyle models: exactly one of `prompt` or `reference_image`; `enhance_prompt` only with `prompt`. */
        RestyleInput: {
            prompt?: components["schemas"]["PromptRequired"];
            data: components["schemas"]["VideoFile"];
            reference_image?: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720"];
            enhance_prompt?: components["schemas"]["EnhancePrompt"];
        };
        /** @description Inputs of text-to-image models. */
        TextToImageInput: {
            prompt: components["schemas"]["PromptRequired"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720or480"];
            orientation?: components["schemas"]["Orientation"];
        };
        /** @description Inputs of image edit models. */
        ImageEditInput: {
            prompt: components["schemas"]["PromptRequired"];
            data: components["schemas"]["ImageFile"];
            reference_image?: components["schemas"]["ImageFile"];
            seed?: components["schemas"]["Seed"];
            resolution?: components["schemas"]["Resolution720or480"];
            enhance_prompt?: components["schemas"]["EnhancePrompt"];
        };
        /** @description What to generate. */
        PromptRequired: string;
        /** @description Text prompt. Send an empty string for no text prompt. */
        PromptMayBeEmpty: string;
        /** @description Random seed, for reproducible results. */
        Seed: number;
        /**
         * @description Output resolution.
         * @default 720p
         * @enum {string}
         */
        Resolution720: "720p";
        /**
         * @description Output resolution.
         * @default 720p
         * @enum {string}
         */
        Resolution720or480: "720p" | "480p";
        /**
         * @description Output orientation.
         * @default landscape
         * @enum {string}
         */
        Orientation: "landscape" | "portrait";
        /**
         * @description Let the server rewrite the prompt for better results.
         * @default true
         */
        EnhancePrompt: boolean;
        /**
         * Format: binary
         * @description An image (PNG, JPEG or WebP).
         */
        ImageFile: Blob;
        /**
         * Format: binary
         * @description A video (MP4 with H.264, or WebM), 16:9 or 9:16, at most 200 MB (the docs' words; the client and the emulator hold 209715200 bytes (200 MiB), the larger reading, so that no file the server may take is refused before sending).
         */
        VideoFile: Blob;
        /** @description The path to follow, as JSON text: an array of 2 to 1000 `{frame, x, y}` points. */
        Trajectory: string;
        /**
         * @description `pending` → `processing` → `completed` | `failed`.
         * @enum {string}
         */
        JobStatus: "pending" | "processing" | "completed" | "failed";
        /** @description A submit's answer, `{ job_id, status }`; the job's status is then read by its id. */
        JobSubmitResponse: {
            /** @description The job's id, for its status and, once `completed`, its content. Its format is not documented. */
            job_id: string;
            /** @description The job's status when it was made, normally `pending`. */
            status: components["schemas"]["JobStatus"];
        };
        /** @description A job's status, as a status read answers it; the docs document `job_id` and `status` only. */
        JobStatusResponse: {
            /** @description The job's id, as the submit answered it. */
            job_id: string;
            /** @description Where the job is; its content can be read once it is `completed`. */
            status: components["schemas"]["JobStatus"];
            /** @description The model the job was submitted to. */
            model?: string;
            /** Format: date-time */
            created_at?: string;
            /** Format: date-time */
            updated_at?: string;
            /** @description Why the job failed; present only when `status` is `failed`. */
            error?: string;
        };
        /** @description What a client token may do, and for how long; every field is optional. */
        CreateTokenRequest: {
            /**
             * @description Seconds until the token expires.
             * @default 60
             */
            expiresIn: number;
            /** @description Models the token may use; all when absent. */
            allowedModels?: string[];
            /** @description Full origins (`https://example.org`) the token may be used from. */
            allowedOrigins?: string[];
            constraints?: {
                realtime?: {
                    maxSessionDuration?: number;
                };
            };
            metadata?: {
                [key: string]: unknown;
            };
        };
        /** @description A short-lived client token, for a browser; it expires at `expiresAt`. */
        CreateTokenResponse: {
            /** @description The client key, `ek_…`. */
            apiKey: string;
            /** @description A signed form of the same grant. */
            token?: string;
            /** Format: date-time */
            expiresAt: string;
            permissions?: {
                models?: string[];
                origins?: string[];
            } | null;
            constraints?: {
                [key: string]: unknown;
            } | null;
        };
        UploadFileRequest: {
            /** Format: binary */
            file: Blob;
            /** @description Seconds to keep the file (60 to 2592000), or `persistent`. */
            ttl_seconds?: number | "persistent";
        };
        /** @description A stored file, as an upload or a read of it answers; kept until `expires_at` (`null` for a `persistent` one). */
        FileReference: {
            /** @description `file_…` */
            id: string;
            filename: string | null;
            mime_type: string;
            size_bytes: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            expires_at: string | null;
        };
        /** @description An error's body: `detail` says what went wrong. */
        ErrorDetail: {
            /** @description What went wrong, for a person. */
            detail: string;
            /** @description The model concerned, on 410 for a retired model. */
            model?: string;
            /** @description The job's current status, on 409 for a job that is not completed. */
            status?: components["schemas"]["JobStatus"];
        };
        /** @description One input the server refused, and why. */
        ValidationIssue: {
            /** @description Where: `["body", "prompt"]`. */
            loc: (string | number)[];
            msg: string;
            /** @description Machine-readable kind, e.g. `missing`, `enum`, `string_too_long`. */
            type: string;
            /** @description The offending value, when it is small enough to echo. */
            input?: unknown;
            ctx?: {
                [key: string]: unknown;
            };
        };
        /** @description A 422's body: the inputs the server refused. */
        HTTPValidationError: {
            detail: components["schemas"]["ValidationIssue"][];
        };
    };
    responses: {
        /** @description The request could not be read: e.g. a malformed multipart body, a file of a type the field does not take, or (the emulator's rule) JSON nested too deep. */
        BadRequest: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description No API key, or an unknown or expired one, in `X-API-KEY`. */
        Unauthorized: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description The key may not do this: e.g. a client token used for a model it does not allow, or from an `Origin` it does not allow (the emulator's rule), or creating a token from a client token. */
        Forbidden: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description No such model, job or file (or it belongs to another key). */
        NotFound: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description The job is not completed: it is still `pending` or `processing`, or it `failed`. */
        Conflict: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description The model has been retired (`model` names it), or the result is past its retention period. */
        Gone: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description The request is larger than its limit: an upload over the limit of one file (the docs say 200 MB; `x-decart-max-file-bytes`, 209715200 bytes (200 MiB), is the larger reading, which the client and the emulator hold so that no file the server may take is refused before sending); in the emulator's rules, a JSON body over 64 KiB, or a token's `allowedOrigins` more than the emulator holds. */
        PayloadTooLarge: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description One entry per bad field. */
        ValidationFailed: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["HTTPValidationError"];
            };
        };
        /** @description Too many requests; try again after `Retry-After` seconds. */
        RateLimited: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description The server failed. */
        InternalError: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description The service is overloaded or down; retry later, after `Retry-After` seconds when given. */
        ServiceUnavailable: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
        /** @description A gateway in front of the service timed out. */
        GatewayTimeout: {
            headers: {
                "x-request-id": components["headers"]["RequestId"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorDetail"];
            };
        };
    };
    parameters: never;
    requestBodies: {
        TextToVideo: {
            content: {
                "multipart/form-data": components["schemas"]["TextToVideoInput"];
            };
        };
        ImageToVideo: {
            content: {
                "multipart/form-data": components["schemas"]["ImageToVideoInput"];
            };
        };
        ImageToVideoDev: {
            content: {
                "multipart/form-data": components["schemas"]["ImageToVideoDevInput"];
            };
        };
        FirstLastFrameToVideo: {
            content: {
                "multipart/form-data": components["schemas"]["FirstLastFrameToVideoInput"];
            };
        };
        MotionToVideo: {
            content: {
                "multipart/form-data": components["schemas"]["MotionToVideoInput"];
            };
        };
        VideoEdit: {
            content: {
                "multipart/form-data": components["schemas"]["VideoEditInput"];
            };
        };
        VideoEdit2: {
            content: {
                "multipart/form-data": components["schemas"]["VideoEdit2Input"];
            };
        };
        Restyle: {
            content: {
                "multipart/form-data": components["schemas"]["RestyleInput"];
            };
        };
        TextToImage: {
            content: {
                "multipart/form-data": components["schemas"]["TextToImageInput"];
            };
        };
        ImageEdit: {
            content: {
                "multipart/form-data": components["schemas"]["ImageEditInput"];
            };
        };
    };
    headers: {
        /** @description Seconds to wait before retrying. */
        RetryAfter: number;
        /** @description Present on deprecated routes. */
        Deprecation: string;
        /** @description Size of the result in bytes. */
        ContentLength: number;
        /** @description An id for this request, to quote when reporting a problem. */
        RequestId: string;
        /** @description Optional hint on a job's status while it is `pending` or `processing`: milliseconds until a new read is likely to show a change. A client may wait this long before polling again; servers are not required to send it. */
        PollAfterMs: number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    submit_job_lucy_pro_t2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["TextToVideo"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_pro_i2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageToVideo"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_dev_i2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageToVideoDev"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_pro_flf2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["FirstLastFrameToVideo"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_motion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["MotionToVideo"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_clip: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_2_1: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_2_5: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_vton_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_vton_3: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_restyle_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["Restyle"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_vton_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_restyle_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["Restyle"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_clip_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_pro_v2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_restyle_v2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["Restyle"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    submit_job_lucy_2_1_vton_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The job was accepted. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobSubmitResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    process_lucy_pro_t2i: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["TextToImage"];
        responses: {
            /** @description The generated image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": Blob;
                    "image/jpeg": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    process_lucy_image_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageEdit"];
        responses: {
            /** @description The generated image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": Blob;
                    "image/jpeg": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    process_lucy_image_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageEdit"];
        responses: {
            /** @description The generated image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": Blob;
                    "image/jpeg": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    process_lucy_pro_i2i: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageEdit"];
        responses: {
            /** @description The generated image. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/png": Blob;
                    "image/jpeg": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_pro_t2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["TextToVideo"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_pro_i2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageToVideo"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_dev_i2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["ImageToVideoDev"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_pro_flf2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["FirstLastFrameToVideo"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_motion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["MotionToVideo"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_clip: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_2_1: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_2_5: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_vton_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_vton_3: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_restyle_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["Restyle"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_vton_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_restyle_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["Restyle"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_clip_latest: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_pro_v2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_restyle_v2v: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["Restyle"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    generate_video_sync_lucy_2_1_vton_2: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: components["requestBodies"]["VideoEdit2"];
        responses: {
            /** @description The generated video. */
            200: {
                headers: {
                    Deprecation: components["headers"]["Deprecation"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            410: components["responses"]["Gone"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    get_job_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id returned by a submit. */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job's status. */
            200: {
                headers: {
                    "x-poll-after-ms": components["headers"]["PollAfterMs"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatusResponse"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    get_job_content: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id returned by a submit. */
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The result video. */
            200: {
                headers: {
                    "Content-Length": components["headers"]["ContentLength"];
                    [name: string]: unknown;
                };
                content: {
                    "video/mp4": Blob;
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            410: components["responses"]["Gone"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    create_client_token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreateTokenRequest"];
            };
        };
        responses: {
            /** @description The new token. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreateTokenResponse"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    upload_file: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["UploadFileRequest"];
            };
        };
        responses: {
            /** @description The stored file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileReference"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    get_file: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id returned by an upload (`file_…`). */
                file_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file's metadata. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FileReference"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    delete_file: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id returned by an upload (`file_…`). */
                file_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            422: components["responses"]["ValidationFailed"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
}
