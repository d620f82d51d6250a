/**
 * RFC 4180 CSV parsing: fields separated by commas, optionally quoted with "..." (a doubled "" is a literal
 * quote; commas and line breaks inside quotes are data), records separated by LF or CRLF. Each record keeps
 * the 1-based line number where it starts, for error messages.
 */
import { KirchhoffError } from "../../core/index.js";

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

/** Parses CSV text into records (blank lines are skipped). `source` names the file in errors. */
export function parseCsv(text: string, source = "CSV"): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // skip a UTF-8 byte-order mark
  let line = 1;
  let fields: string[] = [];
  let field = "";
  let recordLine = 1;
  let quoted = false;
  let sawAnything = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "" && !quoted)) out.push({ line: recordLine, fields });
    fields = [];
    field = "";
    quoted = false;
    sawAnything = false;
  };
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field === "" && !quoted) {
      // Quoted field.
      quoted = true;
      sawAnything = true;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n)
          throw new KirchhoffError("data", `${source}: line ${startLine}: unterminated quoted field`);
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
        throw new KirchhoffError(
          "data",
          `${source}: line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote`,
        );
      }
      continue;
    }
    if (c === ",") {
      fields.push(field);
      field = "";
      quoted = false;
      sawAnything = true;
      i++;
    } else if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      if (quoted) throw new KirchhoffError("data", `${source}: line ${line}: text after a closing quote`);
      if (c === '"')
        throw new KirchhoffError("data", `${source}: line ${line}: stray quote inside an unquoted field`);
      field += c;
      sawAnything = true;
      i++;
    }
  }
  if (sawAnything || field !== "") endRecord();
  return out;
}
