import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multipart } from "../src/inputs.js";

// The multipart body a given fetch gets (see `multipart`) is the bytes Node's fetch sends for the same form: a field's
// name with a line break (LF, CR or CRLF) has it as CRLF first (`a%0D%0Ab`), as Node's fetch writes it.
let server: Server;
let url: string;
const seen: { type: string; body: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ type: req.headers["content-type"]!, body: Buffer.concat(chunks).toString("latin1") });
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe("a field's name with a line break", () => {
  it("is sent with the line break as CRLF, as Node's fetch sends it", async () => {
    const form = new FormData();
    for (const name of ["a\nb", "a\rb", "a\r\nb"]) form.append(name, "v");
    form.append("c\n", new Blob(["x"]), "f\n.png");
    await fetch(url, { method: "POST", body: form });
    const [body, type] = multipart(form);
    await fetch(url, { method: "POST", body, headers: { "content-type": type } });
    const [node, ours] = seen.map((s) => s.body.split(s.type.split("boundary=")[1]!).join("B"));
    expect(ours).toBe(node);
    expect(ours!.match(/name="a%0D%0Ab"/g)).toHaveLength(3);
  });
});
