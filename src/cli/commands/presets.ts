/**
 * Analog chip configurations on the command line. `--preset` and `--hwa` take a preset name or a JSON file
 * with a configuration of one's own (a whole one, or one that `extends` a preset and changes some fields:
 * analogConfigFromJson). `kirchhoff presets` lists the presets; `kirchhoff presets <name or file>` prints the
 * complete, validated configuration as JSON, a starting point for such a file.
 */
import { basename, extname } from "node:path";
import type { Command } from "commander";
import {
  type AnalogConfig,
  analogConfigFromJson,
  getPreset,
  PRESET_NAMES,
  PRESET_SUMMARIES,
} from "../../analog/index.js";
import { configError } from "../../core/index.js";
import { readJsonFile } from "../flags.js";

/** The configuration `spec` names: a preset, or a `.json` file (named after the file unless it says `name`). */
export function loadAnalogConfig(spec: string, flag: string): AnalogConfig {
  if (PRESET_NAMES.includes(spec)) return getPreset(spec);
  if (extname(spec).toLowerCase() !== ".json") {
    throw configError(
      flag,
      `a preset (${PRESET_NAMES.join(", ")}) or an analog configuration .json file`,
      spec,
    );
  }
  return analogConfigFromJson(
    readJsonFile(spec, "analog configuration"),
    spec,
    basename(spec, extname(spec)),
  );
}

export function registerPresets(program: Command): void {
  program
    .command("presets [preset]")
    .description("list the analog presets, or print one (or a configuration file) as complete JSON")
    .addHelpText(
      "after",
      `
A chip of your own: save a preset, edit it, and pass the file wherever a preset goes:
  kirchhoff presets hermes > my-chip.json
  kirchhoff evaluate -w model.safetensors --preset my-chip.json
or write only what differs from a preset:
  { "extends": "hermes", "forward": { "outNoise": 0.02 }, "mapping": { "maxInputSize": 512 } }`,
    )
    .action((preset: string | undefined) => {
      if (preset !== undefined) {
        const config: Partial<AnalogConfig> = loadAnalogConfig(preset, "preset");
        // a preset without its name: an edited copy is named after its file, not after the preset it was
        if (PRESET_NAMES.includes(preset)) delete config.name;
        process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        return;
      }
      const width = Math.max(...PRESET_NAMES.map((n) => n.length));
      const lines = PRESET_NAMES.map((n) => `${n.padEnd(width)}  ${PRESET_SUMMARIES[n] ?? ""}`);
      lines.push(
        "",
        "kirchhoff presets <name> prints one as JSON: edit it and pass the file as --preset <file.json>",
      );
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
