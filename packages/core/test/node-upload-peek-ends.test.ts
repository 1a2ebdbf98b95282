/**
 * `nodeUpload()` reads a stream input of no type for its first bytes before sending it: a stream refused by them is
 * ended (an async iterable returned, a Node stream destroyed, a web stream cancelled), not left open; and one whose
 * reading the request's ending cut short (a connection reset then) is not sent by a retry unchecked, a part of it lost.
 */
import { createServer, type Socket } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createDecartClient, DecartError, InvalidInputError, models } from "../src/index.js";
import { nodeUpload } from "../src/node.js";
import { instantDelay, silent, useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();
const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(64)]);
const v2v = models.video("lucy-pro-v2v");

/** An async iterable that gives `chunk` at its first read (once `hold()` resolves), then ends; `returned` counts return(). */
const iterable = (chunk: Buffer, hold?: () => Promise<unknown>) => {
  const source = {
    returned: 0,
    reads: 0,
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        source.reads++;
        if (source.reads > 1) return { done: true, value: undefined };
        await hold?.();
        return { done: false, value: chunk };
      },
      return: async () => {
        source.returned++;
        return { done: true, value: undefined };
      },
    }),
  };
  return source;
};

describe("a stream input refused by its first bytes, through nodeUpload", () => {
  const submit = (data: unknown, baseUrl = env.emu.url) =>
    createDecartClient({ apiKey: env.emu.apiKey, baseUrl, logger: silent, upload: nodeUpload() })
      .queue.submit({ model: v2v, prompt: "edit", data: data as never })
      .catch((e) => e);

  it("an async iterable: returned", async () => {
    const source = iterable(PNG);
    const error = await submit(source);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("data");
    expect(source.returned).toBe(1);
  });

  it("a Node Readable: destroyed; a web ReadableStream: cancelled", async () => {
    const node = Readable.from([PNG]);
    let cancelled = 0;
    const web = new ReadableStream({
      start: (controller) => controller.enqueue(PNG),
      cancel: () => void cancelled++,
    });
    for (const stream of [node, web]) expect(await submit(stream)).toBeInstanceOf(InvalidInputError);
    expect(node.destroyed).toBe(true);
    expect(cancelled).toBe(1);
  });
});

describe("a stream input whose first read a connection reset cut short, through nodeUpload", () => {
  it("is not sent unchecked by the retry: the call says it cannot be sent again, the source returned", async () => {
    // A server that holds its first connection (reset by the test) and answers the requests of every other (with a
    // job) once their body is in.
    const sockets: Socket[] = [];
    const bodies: string[] = [];
    const server = createServer((socket) => {
      if (sockets.push(socket) === 1) return;
      let body = "";
      socket.on("data", (d) => {
        body += d.toString("latin1");
        if (!body.endsWith("\r\n0\r\n\r\n")) return;
        bodies.push(body);
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"job_id":"job_1","status":"pending"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      // Its first read resets the connection, and gives PNG bytes (where a video goes) once the client ended the
      // source (its return()), the request gone: a retry that sent them would send them unchecked.
      let returned!: () => void;
      const ended = new Promise<void>((resolve) => (returned = resolve));
      const source = iterable(PNG, async () => {
        sockets[0]!.resetAndDestroy();
        await ended;
      });
      const iterator = source[Symbol.asyncIterator];
      source[Symbol.asyncIterator] = () => {
        const it = iterator();
        return {
          ...it,
          return: () => {
            returned();
            return it.return();
          },
        };
      };
      const error: any = await createDecartClient({
        apiKey: "k",
        baseUrl: url,
        logger: silent,
        upload: nodeUpload(),
        poll: { delay: instantDelay() },
      })
        .queue.submit({ model: v2v, prompt: "edit", data: source as never })
        .catch((e) => e);
      expect(bodies).toEqual([]);
      expect(error).toBeInstanceOf(DecartError);
      expect(error.code).toBe("UPLOAD_NOT_REPEATABLE");
      expect(source.returned).toBe(1);
    } finally {
      server.close();
      for (const socket of sockets) socket.destroy();
    }
  });
});

describe("a stream input whose type check a connection reset cut short, through nodeUpload", () => {
  it("is not sent by the retry, its first bytes alone: the call says it cannot be sent again", async () => {
    // A server that holds its first connection (reset by the test) and answers the requests of every other (with a
    // job) once their body is in.
    const sockets: Socket[] = [];
    const bodies: string[] = [];
    const server = createServer((socket) => {
      if (sockets.push(socket) === 1) return;
      let body = "";
      socket.on("data", (d) => {
        body += d.toString("latin1");
        if (!body.endsWith("\r\n0\r\n\r\n")) return;
        bodies.push(body);
        socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"job_id":"job_1","status":"pending"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // Its first bytes (an MP4's, where a video goes) are read whole; while they are checked (their first 12 bytes read
    // from a Blob), the connection is reset, and the check goes on once the client ended the source (its return()).
    const MP4 = Buffer.concat([Buffer.from("00000018667479706973736f", "hex"), Buffer.alloc(20)]);
    const source = iterable(MP4);
    const iterator = source[Symbol.asyncIterator];
    let returned!: () => void;
    const ended = new Promise<void>((resolve) => (returned = resolve));
    source[Symbol.asyncIterator] = () => {
      const it = iterator();
      return {
        ...it,
        return: () => {
          returned();
          return it.return();
        },
      };
    };
    const arrayBuffer = Blob.prototype.arrayBuffer;
    Blob.prototype.arrayBuffer = async function (this: Blob) {
      if (sockets.length === 1 && this.size === 12) {
        sockets[0]!.resetAndDestroy();
        await ended;
      }
      return arrayBuffer.call(this);
    };
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const error: any = await createDecartClient({
        apiKey: "k",
        baseUrl: url,
        logger: silent,
        upload: nodeUpload(),
        poll: { delay: instantDelay() },
      })
        .queue.submit({ model: v2v, prompt: "edit", data: source as never })
        .catch((e) => e);
      expect(bodies).toEqual([]);
      expect(error).toBeInstanceOf(DecartError);
      expect(error.code).toBe("UPLOAD_NOT_REPEATABLE");
      expect(source.returned).toBe(1);
    } finally {
      Blob.prototype.arrayBuffer = arrayBuffer;
      server.close();
      for (const socket of sockets) socket.destroy();
    }
  });
});
