/**
 * `decart`: the Decart API from a terminal or a script. `main(argv)` runs one command and answers its exit code
 * (see `EXIT`); the bin sets it as the process's.
 *
 * This module and those it imports load neither the client (`@decart/core`) nor what imports it (the output, the
 * journal, the files): `--help` and `--version` are answered without them (most of a start-up's time). A command that
 * runs, and an error, import them then.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { requestIdOf } from "./codes.js";
import type { GlobalOptions } from "./config.js";
import {
  CliError,
  EXIT,
  EXIT_CODES_HELP,
  interruptedBy,
  interruptedCode,
  interruptedExit,
  resumeOf,
  usageError,
} from "./exit.js";
import type { Output } from "./output.js";
import { answersApart, loadProxies } from "./proxy.js";
import { commandStarts } from "./signals.js";
import { failed } from "./stream-failures.js";

export { EXIT, type ExitCode } from "./exit.js";

const VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

const ENVIRONMENT_HELP = `Environment:
  DECART_API_KEY    the API key (--api-key wins, but other users see a flag in the process list: prefer this);
                    never printed, not even with --verbose
  DECART_BASE_URL   the API's URL (--base-url wins), e.g. a local \`decart emulator\`; jobs status/wait/result
                    of a job the journal knows use the URL recorded with it when of the same origin (another
                    origin is refused, naming both: choose with --base-url, which always wins)
  DECART_JOURNAL    the job journal (--journal wins; default $XDG_STATE_HOME/decart/jobs.jsonl)
  NO_COLOR          no colours (also TERM=dumb, FORCE_COLOR=0, or --no-color); FORCE_COLOR turns them on off a
                    terminal
  HTTPS_PROXY, http_proxy, ALL_PROXY, NO_PROXY (or https_proxy, all_proxy, no_proxy; http_proxy in lower
  case only)        the proxy for https and for http URLs, ALL_PROXY for either when its own is not set
                    (http:// or https://; a socks one is refused), every request through it but to the hosts
                    NO_PROXY names, as curl reads them
  NODE_EXTRA_CA_CERTS
                    a PEM file of CA certificates to trust besides Node's: the CA of a private API or of a
                    proxy that inspects TLS

Output: on a terminal, lines for a human on stdout and progress on stderr. With --json, or whenever stdout is
not a terminal, one JSON event per line (NDJSON) on stdout; chatter stays on stderr.`;

/** The topics of `decart help <topic>` that are not commands, and their text. */
const HELP_TOPICS: Record<string, string> = { "exit-codes": EXIT_CODES_HELP, environment: ENVIRONMENT_HELP };

/**
 * `decart [global options] help [topic…]`, told apart before commander parses the line (its own help command knows
 * commands only, answered an unknown name with the usage and "No command given", and showed `help jobs wait` as
 * `jobs`): undefined for any other command line; the text of a topic of `HELP_TOPICS`; else the command line that
 * shows the help asked for (`help`: `--help`; `help jobs wait`: `jobs wait --help`, as the command's own flag shows
 * it, the emulator's flags included). A name that is neither a command nor a topic is a usage error listing both.
 */
async function helpRequest(root: Command, argv: string[]): Promise<{ text: string } | { argv: string[] } | undefined> {
  // The first word that is not an option (nor an option's value) is the command.
  const taking = new Set(root.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]));
  let at = 2;
  while (at < argv.length && argv[at]!.startsWith("-") && argv[at] !== "--") at += taking.has(argv[at]) ? 2 : 1;
  if (argv[at] !== "help") return undefined;
  const rest = argv.slice(at + 1);
  const words = rest.filter((word) => !word.startsWith("-"));
  const topic = words[0] !== undefined ? HELP_TOPICS[words[0]] : undefined;
  if (topic !== undefined && words.length === 1) return { text: `${topic}\n` };
  let command = root;
  for (const [at, word] of words.entries()) {
    const found = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!found) {
      // (Without the output's module, which needs `@decart/core`: JSON-quoted, its C0 controls written out.)
      const quote = await import("./output.js").then(
        ({ quoted }) =>
          (text: string) =>
            quoted(text, Infinity),
        () => JSON.stringify,
      );
      const asked = quote(words.join(" "));
      const path = words.slice(0, at).join(" ");
      // A command without subcommands (`help image foo`): no such topic, its own help is the one there is.
      if (command !== root && !command.commands.length) {
        throw usageError(
          `No help for ${asked}: no such help topic (${path} has no subcommands); see decart help ${path}`,
        );
      }
      const known = [...command.commands.map((c) => c.name()), ...(command === root ? Object.keys(HELP_TOPICS) : [])];
      throw usageError(
        `No help for ${asked}: give ${command === root ? "a command or a topic" : `a command of ${path}`} (${known.join(", ")}), e.g. decart help ${command === root ? "exit-codes" : `${path} ${known[0]}`}`,
      );
    }
    command = found;
  }
  return { argv: [...argv.slice(0, at), ...words, ...rest.filter((word) => word.startsWith("-")), "--help"] };
}

/**
 * When the reader of stdout (or stderr) goes away, as `| head -1` does, or the stream cannot be written at all (a full
 * disk, `> /dev/full`: ENOSPC; a terminal gone: EIO), nothing more is written to that stream (see `Output`, which
 * skips a closed one) but the command goes on to its end: a video is still saved and journaled, a batch still finishes
 * and writes its reports, and the exit code is the one the work gives. (Bytes that are the result itself, `image -o -`,
 * fail the command: see `Output.raw`.)
 */
function quietOnWriteFailure(stream: NodeJS.WriteStream): void {
  // Once per stream and process: a host calling `main` again and again must not pile listeners up on its streams.
  if (quieted.has(stream)) return;
  quieted.add(stream);
  stream.on("error", (e: NodeJS.ErrnoException) => failed(stream, e));
}
const quieted = new WeakSet<NodeJS.WriteStream>();

/**
 * What commander's own errors (an unknown option, a missing argument …) may say, for stderr and the error event: the
 * key (from `DECART_API_KEY` or `--api-key`, registered for every writer of the process) is `***`, and so is the value
 * of every `--name=value` on the command line, such as a mistyped `--apikey=KEY` that commander repeats whole
 * (`unknown option '--apikey=…'`). A key is scrubbed as it is sent, trimmed (see `addKey`). Should the modules that
 * know a key's forms fail to load (an install without `@decart/core`), the keys are scrubbed as that text, so that the
 * message is still written.
 */
async function parseErrorScrub(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<(text: string) => string> {
  const keys = [env.DECART_API_KEY];
  argv.forEach((arg, i) => {
    if (arg === "--api-key") keys.push(argv[i + 1]);
    else if (arg.startsWith("--api-key=")) keys.push(arg.slice("--api-key=".length));
  });
  let redact: (text: string) => string;
  try {
    const secrets = await import("./secrets.js");
    for (const key of keys) secrets.addKey(key);
    redact = secrets.redact;
  } catch {
    // Each key as it is sent (trimmed: see `addKey`), which a message may quote without the spaces given around it.
    const plain = keys
      .map((key) => key?.trim())
      .filter((key): key is string => (key?.length ?? 0) >= 4)
      .sort((a, b) => b.length - a.length);
    redact = (text) => plain.reduce((result, key) => result.split(key).join("***"), text);
  }
  const given = argv.flatMap((arg) => {
    const match = /^(--[^=]+)=(.+)$/s.exec(arg);
    return match ? [[arg, `${match[1]}=***`] as const] : [];
  });
  // Longest first: an argument that contains another is replaced whole.
  given.sort((a, b) => b[0].length - a[0].length);
  return (text) => {
    let result = text;
    for (const [arg, shown] of given) result = result.split(arg).join(shown);
    return redact(result);
  };
}

/**
 * Builds the program; `run` receives each command's work and its output, and records the exit code. What commander
 * writes on stderr goes to `errors` (see `main`, which writes its error messages scrubbed).
 */
function program(
  run: (work: (output: Output) => Promise<unknown>, options: GlobalOptions) => Promise<void>,
  errors: { outputError: (text: string) => void; writeErr: (text: string) => void },
) {
  const root = new Command("decart")
    .description("Generate images and videos with the Decart API, from a terminal or a script.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option(
      "--api-key <key>",
      "API key (default: $DECART_API_KEY, which is preferred: a flag shows in the process list)",
    )
    .option("--base-url <url>", "API URL (default: $DECART_BASE_URL, else https://api.decart.ai)")
    .option("--json", "NDJSON events on stdout (the default when stdout is not a terminal)")
    .option("--no-json", "output for a human even when stdout is not a terminal")
    .option("-v, --verbose", "log each HTTP request on stderr (never the key)")
    .option("-q, --quiet", "no chatter on stderr (errors still print)")
    .option("--no-color", "no colours")
    .option("--journal <file>", "the job journal (default: $DECART_JOURNAL, else ~/.local/state/decart/jobs.jsonl)")
    .addHelpText("after", `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`)
    // Only listed: `main` answers `help …` (see `helpRequest`).
    .helpCommand(
      "help [topic...]",
      `a command's help (help jobs wait), or a topic: ${Object.keys(HELP_TOPICS).join(", ")}`,
    )
    .showHelpAfterError("(decart --help for usage)")
    // Before the commands are added, so that each inherits it.
    .configureOutput(errors)
    .exitOverride();

  const globals = (command: Command) => command.optsWithGlobals() as GlobalOptions & Record<string, any>;

  root
    .command("models")
    .description("list the models, or show one model's fields, limits and allowed values")
    .argument("[name]", "a model name")
    .addHelpText(
      "after",
      "\nExamples:\n  decart models\n  decart models lucy-pro-t2v\n  decart models --json | jq .name",
    )
    .action(async (name: string | undefined, _o, command: Command) =>
      run(async (output) => (await import("./commands/models.js")).runModels(name, output), globals(command)),
    );

  const FIELDS_HELP = `
Fields: field=value (text, converted to the field's type), field:=json (typed JSON), field=@path (a file; for a
text field, the file's text), field=@- (stdin). A model's fields: decart models <name>.`;

  root
    .command("image")
    .description("generate an image (Process API) and save it")
    .argument(
      "[prompt-and-fields...]",
      "the prompt (- reads it from stdin), then field=value, field:=json, field=@file",
    )
    .option("-m, --model <name>", "an image model (default lucy-pro-t2i; see decart models)")
    .option("-o, --output <file>", "where to save it (- for stdout); default <model>-<time>.png")
    .option("--timeout <seconds>", "give up on the request after this long (exit 5; nothing is saved)")
    .addHelpText(
      "after",
      `${FIELDS_HELP}

Examples:
  decart image "A lighthouse at dusk" orientation=portrait seed:=7 -o lighthouse.png
  decart image --model lucy-image-2 "Make it snow" data=@photo.jpg`,
    )
    .action(async (args: string[], _o, command: Command) => {
      // With `-o -` stdout carries the image: stdout being a pipe then means no NDJSON (only `--json` asks for it,
      // and is refused), so `decart image … -o - > x.png` works without `--no-json`. `-o /dev/stdout` (or another
      // path of this process's stdout) is `-o -`: written in place and nothing else on stdout, not events among the
      // bytes.
      const given = globals(command);
      const { namesStdout } = await import("./files.js");
      const options = given.output !== undefined && namesStdout(given.output) ? { ...given, output: "-" } : given;
      const effective = options.output === "-" && options.json === undefined ? { ...options, json: false } : options;
      return run(async (output) => (await import("./commands/image.js")).runImage(args, effective, output), effective);
    });

  root
    .command("video")
    .description("generate a video (Queue API): submit, watch, save; Ctrl-C stops watching, never the job")
    .argument(
      "[prompt-and-fields...]",
      "the prompt (- reads it from stdin), then field=value, field:=json, field=@file",
    )
    .option("-m, --model <name>", "a video model (default lucy-pro-t2v; see decart models)")
    .option(
      "-o, --output <file>",
      "where to save it (default <job id>.mp4; a file: - is refused, stdout is for images)",
    )
    .option("--timeout <seconds>", "give up waiting after this long (exit 5; the job goes on)")
    .option(
      "--new",
      "submit (and bill) a new job although the journal holds an unfinished or unsaved one of the same request",
    )
    .addHelpText(
      "after",
      `${FIELDS_HELP}

The job id is written to the journal before any waiting: after Ctrl-C, a lost connection or a killed process,
\`decart jobs wait <id>\` picks the job up again. Run again with the same model, inputs and -o while that job has
not finished (or completed, its download stopped, its result never saved), the command is refused (exit 2, nothing
sent), naming that \`decart jobs wait\` (or \`decart jobs result\`); --new submits another.

Examples:
  decart video "A serene lake at sunset" resolution=480p -o lake.mp4
  decart video --model lucy-clip "Make it snow" data=@clip.mp4`,
    )
    .action(async (args: string[], _o, command: Command) =>
      run(
        async (output) => (await import("./commands/video.js")).runVideo(args, globals(command), output),
        globals(command),
      ),
    );

  // An id that starts with `-` would be read as an option (`jobs wait -h` is the help): after `--` it is the id.
  const JOB_ID_HELP = 'the job id; one that starts with - goes last, after the options and --: -o lake.mp4 -- "$id"';
  const jobs = root
    .command("jobs")
    .description("submit, inspect, wait for and download video jobs; list the journal")
    .addHelpText(
      "after",
      '\nExamples:\n  id=$(decart jobs submit "A serene lake" --no-json)\n  decart jobs wait -o lake.mp4 -- "$id"\n  decart jobs list',
    );
  const jobsCommand = (name: string) => jobs.command(name);
  const jobsModule = () => import("./commands/jobs.js");
  jobsCommand("submit")
    .description(
      "submit a video job and print its id, recorded in the journal (piped: a JSON event; --no-json: the bare id)",
    )
    .argument("[prompt-and-fields...]", "the prompt, then field=value, field:=json, field=@file")
    .option("-m, --model <name>", "a video model (default lucy-pro-t2v)")
    .option(
      "--timeout <seconds>",
      "give up on the submit after this long (exit 5; it says whether a job may have been made)",
    )
    .addHelpText("after", FIELDS_HELP)
    .action(async (args: string[], _o, command: Command) =>
      run(async (output) => (await jobsModule()).runSubmit(args, globals(command), output), globals(command)),
    );
  jobsCommand("status")
    .description("read a job's status once")
    .argument("<job-id>", JOB_ID_HELP)
    .option("--timeout <seconds>", "give up on the read after this long (exit 5; the job goes on)")
    .action(async (id: string, _o, command: Command) =>
      run(async (output) => (await jobsModule()).runStatus(id, globals(command), output), globals(command)),
    );
  jobsCommand("wait")
    .description(
      "watch a job to its end and save its result (exit 3 if it failed); one made elsewhere is recorded in the journal",
    )
    .argument("<job-id>", JOB_ID_HELP)
    .option(
      "-o, --output <file>",
      "where to save it (default: the journal's path for it, else <job id>.mp4; a file, not -)",
    )
    .option("--timeout <seconds>", "give up waiting after this long (exit 5; the job goes on)")
    .action(async (id: string, _o, command: Command) =>
      run(async (output) => (await jobsModule()).runWait(id, globals(command), output), globals(command)),
    );
  jobsCommand("result")
    .description("download a completed job's result")
    .argument("<job-id>", JOB_ID_HELP)
    .requiredOption("-o, --output <file>", "where to save it (a file, not -)")
    .option("--timeout <seconds>", "give up on the download after this long (exit 5; the result stays on the server)")
    .action(async (id: string, _o, command: Command) =>
      run(async (output) => (await jobsModule()).runResult(id, globals(command), output), globals(command)),
    );
  jobsCommand("list")
    .description("the jobs of the journal, with their latest known state")
    .action(async (_o, command: Command) =>
      run(async (output) => (await jobsModule()).runList(globals(command), output), globals(command)),
    );

  root
    .command("batch")
    .description("one video job or image per line of a JSONL file (or - for stdin), resumable, bounded concurrency")
    .argument("<file>", 'JSONL: {"custom_id": …, "model": …, "prompt": …, other fields}; - reads stdin')
    .option("-c, --concurrency <n>", "jobs in flight at once (default 8)")
    .option(
      "--out <dir>",
      "where results go: <custom_id>.mp4 (or .png …), results.jsonl, errors.jsonl, unknown.jsonl (default .)",
    )
    .option(
      "--resume",
      "finish a batch: lines with a job id (journal) are watched, never submitted again; images written are kept",
    )
    .option(
      "--resubmit-unknown",
      "with --resume: send again the lines whose submit or image request's outcome is unknown (a job or image may exist)",
    )
    .option(
      "--timeout <seconds>",
      "give up waiting for a video job after this long, from its submit's answer (its line fails; the job goes on)",
    )
    .addHelpText(
      "after",
      `
Each line needs a unique custom_id (a missing or repeated one stops the batch before anything is sent); model
defaults to lucy-pro-t2v; a line with an image model is one Process API request, its image saved as <custom_id>.png
(or .jpg, .webp) and journaled once written; file fields take a path (relative to the batch file) or an http(s) URL.
A 429 slows the whole batch; a submit refused with 429 is tried again up to 8 times within 60 s of waiting, whatever
--timeout says (it counts from the submit's answer). At the end: results.jsonl (how each line ended), errors.jsonl
(the failed lines as given: fix them and run that file as a batch), unknown.jsonl (the failed lines whose submit may
have made a job whose id never came back, or whose image request may have made an image not kept: not to run again
as they are, which bills another each, nor sent again by --resume; look for their jobs first (an image cannot be
fetched), or --resume --resubmit-unknown), a summary, and exit 0 (all completed), 6 (some failed) or 130 (Ctrl-C:
nothing cancelled).

Examples:
  decart batch prompts.jsonl --concurrency 16 --out results/
  decart batch prompts.jsonl --out results/ --resume          # after Ctrl-C, a crash or a reboot
  decart batch results/errors.jsonl --out results/retry/`,
    )
    .action(async (file: string, _o, command: Command) =>
      run(
        async (output) => (await import("./commands/batch.js")).runBatch(file, globals(command), output),
        globals(command),
      ),
    );

  // The emulator's own flags (`emulatorFlags` of @decart/emulator), but --host: this one listens on 127.0.0.1 only.
  // They are added when `emulator` is the command (its help included), so that no other command loads the emulator.
  const emulatorFlags: Array<[name: string, option: Option]> = [];
  const emulator = root
    .command("emulator")
    .description("start the local emulator on 127.0.0.1 (until Ctrl-C); prints its URL, dev key and admin token")
    .addHelpText("after", "\nThe flags are those of decart-emulator (see the @decart/emulator README), but --host.")
    .action(async (_o, command: Command) => {
      const opts = command.opts();
      const flags = Object.fromEntries(emulatorFlags.map(([name, option]) => [name, opts[option.attributeName()]]));
      return run(
        async (output) => (await import("./commands/emulator.js")).runEmulator(flags, output),
        globals(command),
      );
    });
  root.hook("preSubcommand", async (_root, command) => {
    if (command !== emulator || emulatorFlags.length) return;
    for (const flag of (await import("@decart/emulator")).emulatorFlags) {
      const short = flag.short ? `-${flag.short}, ` : "";
      const option = new Option(`${short}--${flag.name}${flag.value ? ` <${flag.value}>` : ""}`, flag.description);
      // --host is taken only to be refused with the reason (runEmulator), not shown.
      emulator.addOption(flag.name === "host" ? option.hideHelp() : option);
      emulatorFlags.push([flag.name, option]);
    }
  });

  suggestForValues(root);
  return root;
}

/**
 * commander suggests a long option for a mistyped one (`--apikey` → "Did you mean --api-key?"), but compares the word
 * whole: given with its value (`--apikey=KEY`), it found none. Here the name alone is compared (the message still
 * quotes the word as given, its value `***`: see `parseErrorScrub`), for `command` and its subcommands.
 */
function suggestForValues(command: Command): void {
  type Parsing = Command & { unknownOption(flag: string): void };
  const self = command as Parsing;
  const unknownOption = self.unknownOption;
  self.unknownOption = function (this: Parsing, flag: string) {
    const at = flag.indexOf("=");
    if (!flag.startsWith("--") || at < 0) return unknownOption.call(this, flag);
    const name = flag.slice(0, at);
    this.error = (message, options) =>
      Command.prototype.error.call(this, message.replace(`'${name}'`, `'${flag}'`), options);
    try {
      return unknownOption.call(this, name);
    } finally {
      delete (this as Partial<Parsing>).error;
    }
  };
  for (const sub of command.commands) suggestForValues(sub);
}

/** Runs one command line and answers its exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  quietOnWriteFailure(process.stdout);
  quietOnWriteFailure(process.stderr);
  let exitCode: number = EXIT.ok;
  let output: Output | undefined;
  const run = async (work: (output: Output) => Promise<unknown>, options: GlobalOptions) => {
    const [{ Output }, { knowKeys }, { checkWrittenPath }] = await Promise.all([
      import("./output.js"),
      import("./secrets.js"),
      import("./path-argument.js"),
    ]);
    const shown = new Output(options);
    output = shown;
    // Every key the command line and the environment give is scrubbed from all the command writes, whether or not it
    // uses one: `jobs list` prints what servers said, which may quote a key.
    knowKeys(options);
    // A signal that came while the CLI was starting: the command is not run. One that comes once it runs, while it has
    // no handler of its own installed (it has nothing under way that a signal must not lose), ends it at once.
    const stop = (signal: NodeJS.Signals, when: string) => {
      interruptedBy(signal);
      shown.event({ type: "interrupted", exit_code: interruptedCode() });
      shown.warn(shown.err.yellow(`Interrupted ${when}`));
      return interruptedCode();
    };
    const early = commandStarts((signal) => process.exit(stop(signal, "(nothing paid for was under way)")));
    if (early) {
      exitCode = stop(early, "as the command started: nothing was sent");
      return;
    }
    // The command's error is judged by the answers of its own requests (see `answersApart`).
    await answersApart(async () => {
      try {
        // The paths given to write to (`-o`, `--out`): one that would name another file is refused before anything
        // else.
        const { output: file, out } = options as { output?: unknown; out?: unknown };
        if (typeof file === "string") checkWrittenPath(file, "-o");
        if (typeof out === "string") checkWrittenPath(out, "--out");
        await loadProxies(process.env);
        const code = await work(shown);
        exitCode = typeof code === "number" ? code : EXIT.ok;
      } catch (error) {
        exitCode = await report(error, shown);
      }
    });
  };
  // commander's error message, held until it is written scrubbed (see `parseErrorScrub`, which loads the modules that
  // `--help` does without), and what commander writes on stderr after it (`showHelpAfterError`): commander writes
  // them, then ends the parse (`exitOverride`).
  const held: string[] = [];
  const writeHeld = async () => {
    if (!held.length) return;
    const scrub = await parseErrorScrub(argv);
    for (const text of held.splice(0)) process.stderr.write(scrub(text));
  };
  try {
    const root = program(run, {
      outputError: (text) => void held.push(text),
      writeErr: (text) => void (held.length ? held.push(text) : process.stderr.write(text)),
    });
    const help = await helpRequest(root, argv);
    if (help && "text" in help) {
      process.stdout.write(help.text);
      return EXIT.ok;
    }
    await root.parseAsync(help?.argv ?? argv);
  } catch (error) {
    // commander's own exits: help and version are fine; anything else is a usage error.
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      // commander's message on stderr (held until now); in JSON mode, stdout ends with the error event as for any
      // failure.
      await writeHeld();
      const scrub = await parseErrorScrub(argv);
      const json = jsonAsked(argv);
      const event = {
        type: "error",
        exit_code: EXIT.usage,
        message:
          error.code === "commander.help"
            ? "No command given (usage on stderr)"
            : scrub(error.message.replace(/^error: /, "")),
      };
      const { Output } = await import("./output.js").catch(() => ({ Output: undefined }));
      if (Output) new Output({ json }).event(event);
      else plainEvent(event, json);
      return EXIT.usage;
    }
    // An error before a command ran (an unknown `help` name, which quotes the words given): the keys that `run`
    // registers are not known yet, and its message may hold one.
    if (!output) {
      const scrub = await parseErrorScrub(argv);
      // The modules that report an error not loadable (an install without `@decart/core`): the error on one line,
      // scrubbed as commander's are then, with its exit code, not a stack trace of the module not found.
      const loaded = await reporting().then(
        () => true,
        () => false,
      );
      if (!loaded) return interruptedExit(plainReport(error, argv, scrub));
    }
    return interruptedExit(await report(error, output, argv));
  } finally {
    await writeHeld();
  }
  return interruptedExit(exitCode);
}

/**
 * An error event as the output writes it, for when the output cannot be loaded (an install without `@decart/core`): on
 * stdout with `--json` (`json`), or when stdout is not a terminal unless `--no-json`.
 */
const plainEvent = (event: object, json: boolean | undefined): void => {
  if (json ?? !process.stdout.isTTY) process.stdout.write(`${JSON.stringify(event)}\n`);
};

/**
 * An error reported without the modules of `report` (an install without `@decart/core`): `decart: <message>` on stderr,
 * the message `scrub`bed, and its error event (see `plainEvent`); answers its exit code (a `CliError`'s, else 1). Of
 * another error, the first line (Node's module not found adds a guess at a path on the next one), and for a module not
 * found, the fix: reinstall.
 */
function plainReport(error: unknown, argv: readonly string[], scrub: (text: string) => string): number {
  const code = error instanceof CliError ? error.exitCode : EXIT.error;
  const text = error instanceof Error ? error.message : String(error);
  const missing = (error as { code?: unknown } | undefined)?.code === "ERR_MODULE_NOT_FOUND";
  const message = scrub(
    error instanceof CliError ? text : `${text.split("\n")[0]}${missing ? "; reinstall @decart/cli" : ""}`,
  );
  plainEvent({ type: "error", exit_code: code, message }, jsonAsked(argv));
  process.stderr.write(`decart: ${message}\n`);
  return code;
}

/**
 * The modules `report` uses, loaded only when needed (the output and the client, for its error classes): `decart
 * --version` and `--help` start faster.
 */
const reporting = () =>
  Promise.all([import("./output.js"), import("./files.js"), import("./command.js"), import("./errors.js")]);

/**
 * Prints an error (a JSON event too, in JSON mode; on `output`, else on an `Output` of the defaults, but for the
 * `--json` or `--no-json` of `argv`) and answers its exit code.
 */
async function report(thrown: unknown, given: Output | undefined, argv: readonly string[] = []): Promise<number> {
  const [{ Output, untrusted }, { fsReason }, { jobWords }, { exitCodeOf, messageOf, unknownAnswer }] =
    await reporting();
  const output = given ?? new Output({ json: jsonAsked(argv) });
  // The current directory removed (or moved away) under the shell: Node's `uv_cwd` error, from the first path resolved
  // against it, said as its cause and its fix (exit 2), not as the bare system error.
  const error =
    (thrown as NodeJS.ErrnoException | undefined)?.syscall === "uv_cwd"
      ? usageError(
          `the current directory cannot be found (${fsReason(thrown)}): it was removed, or moved away; cd to a ` +
            "directory that exists and run the command again",
        )
      : thrown;
  const code = exitCodeOf(error);
  const e = error as { message?: string; code?: string; jobId?: string; stack?: string; status?: number };
  const message = messageOf(error);
  const jobId = e?.jobId;
  // The answer's request id as a field of its own (support finds a request by it: a `SUBMIT_OUTCOME_UNKNOWN`'s job has
  // no id), not only in the message.
  const requestId = requestIdOf(error);
  output.event({
    type: "error",
    exit_code: code,
    ...(typeof e?.code === "string" && { code: e.code }),
    message,
    ...(jobId && { job_id: jobId }),
    ...(requestId && { request_id: requestId }),
  });
  output.warn(output.err.red(untrusted(`decart: ${message}`)));
  // No such job (404), or its result no longer kept (410): waiting again cannot help, so no hint. Nor after a server
  // name that does not resolve, or a key refused (exit 4) before the server answered for the job: the same command
  // fails the same way, and nothing says the job exists there. A key refused while watching a job the server answered
  // for (revoked, expired) leaves it going on: its command is given, to run with a valid key.
  const resumed = resumeOf(error);
  const auth = code === EXIT.auth;
  const hopeless = e.status === 404 || e.status === 410 || (auth && !resumed) || unresolved(error);
  if (jobId && code !== EXIT.jobFailed && !hopeless && !(error instanceof CliError && error.hinted)) {
    const resume = resumed ?? output.command(...jobWords(["jobs", "wait"], jobId));
    // An answer this version cannot read (a status the API added since): the same command would read it again.
    output.warn(
      output.err.dim(
        untrusted(
          unknownAnswer(error)
            ? `Upgrade @decart/cli, then follow the job ${jobId}: ${resume}`
            : `The job ${jobId} may still finish${auth ? "; with a valid key" : ""}: ${resume}`,
        ),
      ),
    );
  }
  if (code === EXIT.error && !(error instanceof CliError) && output.verbose && typeof e?.stack === "string") {
    for (const line of e.stack.split("\n")) output.debug(untrusted(line));
  }
  return code;
}

/** What the command line says of JSON output before any command parsed it: `--no-json`, `--json`, or neither. */
const jsonAsked = (argv: readonly string[]): boolean | undefined =>
  argv.includes("--no-json") ? false : argv.includes("--json") ? true : undefined;

/** Whether an error comes of a server name that does not resolve (ENOTFOUND, EAI_AGAIN), through its causes. */
function unresolved(error: unknown): boolean {
  let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  for (let depth = 0; e && depth < 8; depth++, e = e.cause as typeof e) {
    if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN") return true;
    if (typeof e.message === "string" && /\((ENOTFOUND|EAI_AGAIN)\)/.test(e.message)) return true;
  }
  return false;
}
