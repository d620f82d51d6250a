/** The `kirchhoff` command line. Each subcommand lives in commands/<name>.ts and registers itself here. */
import { Command, CommanderError } from "commander";
import { KirchhoffError, VERSION } from "../core/index.js";
import { registerEvaluate } from "./commands/evaluate.js";
import { registerInfo } from "./commands/info.js";
import { registerPresets } from "./commands/presets.js";
import { registerSearch } from "./commands/search.js";
import { registerSurrogate } from "./commands/surrogate.js";
import { registerTrain } from "./commands/train.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("kirchhoff")
    .description("Design, train and deploy neural networks on analog in-memory-compute (PCM) chips")
    .version(VERSION, "-V, --version")
    .showHelpAfterError();
  registerInfo(program);
  registerTrain(program);
  registerEvaluate(program);
  registerSearch(program);
  registerSurrogate(program);
  registerPresets(program);
  return program;
}

/** Runs the CLI; user errors print one line and exit 1, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof KirchhoffError) {
      process.stderr.write(`kirchhoff: error: ${err.message}\n`);
      return 1;
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kirchhoff: internal error: ${msg}\n`);
    if (process.env.KIRCHHOFF_DEBUG) console.error(err);
    return 2;
  }
}
