/** Development entry: `node --import tsx src/cli/bin.ts <args>` runs the CLI from source. */
import { main } from "./main.js";

process.exitCode = await main(process.argv);
