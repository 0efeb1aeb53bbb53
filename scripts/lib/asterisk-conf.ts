/**
 * A small reader for Asterisk's .conf format, enough to check the project's own files:
 * `[name]`, `[name](!)` (template), `[name](tpl1,tpl2)` / `[name](!,tpl)` (inherits), `[name](+)`
 * (adds to an earlier section), `key = value` and `key => value`, `;` comments (`\;` is a literal
 * semicolon), `;-- ... --;` block comments, and `#include` / `#tryinclude` directives.
 * Sections are kept in order and may repeat a name (PJSIP's endpoint, aor and auth of one seat).
 */

export interface ConfEntry { key: string; value: string; line: number }

export interface ConfSection {
  name: string;
  /** `(!)`: a template, never an object itself. */
  isTemplate: boolean;
  /** `(+)`: adds its entries to the earlier section of that name. */
  isAddition: boolean;
  /** Templates this section inherits from, in order. */
  templates: string[];
  entries: ConfEntry[];
  /** Files included inside this section (their entries belong to it). */
  includes: string[];
  line: number;
}

export interface ConfFile {
  sections: ConfSection[];
  /** Files included before the first section. */
  includes: string[];
}

export class ConfSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'ConfSyntaxError';
  }
}

export function parseConf(text: string): ConfFile {
  const file: ConfFile = { sections: [], includes: [] };
  let current: ConfSection | undefined;
  let inBlockComment = false;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    let line = raw;
    if (inBlockComment) {
      const end = line.indexOf('--;');
      if (end < 0) return;
      line = line.slice(end + 3);
      inBlockComment = false;
    }
    const blockStart = line.indexOf(';--');
    if (blockStart >= 0) {
      const end = line.indexOf('--;', blockStart + 3);
      if (end < 0) { inBlockComment = true; line = line.slice(0, blockStart); }
      else line = line.slice(0, blockStart) + line.slice(end + 3);
    }
    line = stripComment(line).trim();
    if (line === '') return;

    if (line.startsWith('#')) {
      const m = /^#(include|tryinclude)\s+"?([^"]+?)"?\s*$/.exec(line);
      if (!m) throw new ConfSyntaxError(`unknown directive "${line}"`, lineNo);
      (current ? current.includes : file.includes).push(m[2]!);
      return;
    }
    if (line.startsWith('[')) {
      const m = /^\[([^\]]+)\](?:\(([^)]*)\))?$/.exec(line);
      if (!m) throw new ConfSyntaxError(`malformed section header "${line}"`, lineNo);
      const flags = (m[2] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      current = {
        name: m[1]!.trim(),
        isTemplate: flags.includes('!'),
        isAddition: flags.includes('+'),
        templates: flags.filter((f) => f !== '!' && f !== '+'),
        entries: [],
        includes: [],
        line: lineNo,
      };
      file.sections.push(current);
      return;
    }
    const m = /^([^=]+?)\s*=>?\s*(.*)$/.exec(line);
    if (!m) throw new ConfSyntaxError(`expected "key = value", got "${line}"`, lineNo);
    if (!current) throw new ConfSyntaxError(`"${m[1]}" appears before any [section]`, lineNo);
    current.entries.push({ key: m[1]!.trim(), value: m[2]!.trim().replace(/\\;/g, ';'), line: lineNo });
  });
  if (inBlockComment) throw new ConfSyntaxError('block comment ";--" is never closed', lines.length);
  return file;
}

function stripComment(line: string): string {
  for (let i = 0; i < line.length; i++) {
    if (line[i] === ';' && line[i - 1] !== '\\') return line.slice(0, i);
  }
  return line;
}

/** Sections named `name` (several for PJSIP objects that share a name). */
export function sectionsNamed(file: ConfFile, name: string): ConfSection[] {
  return file.sections.filter((s) => s.name === name);
}

/** All values of `key` in a section, in order. */
export function valuesOf(section: ConfSection, key: string): string[] {
  return section.entries.filter((e) => e.key === key).map((e) => e.value);
}

/** The last value of `key` in a section, or undefined. */
export function valueOf(section: ConfSection, key: string): string | undefined {
  const all = valuesOf(section, key);
  return all[all.length - 1];
}

/**
 * A section's settings with its templates applied the way Asterisk does: templates first (each with
 * its own templates), then the section's own entries. Throws on a template that does not exist.
 */
export function resolvedEntries(file: ConfFile, section: ConfSection, seen: string[] = []): ConfEntry[] {
  const out: ConfEntry[] = [];
  for (const name of section.templates) {
    if (seen.includes(name)) throw new Error(`template cycle: ${[...seen, name].join(' -> ')}`);
    const template = file.sections.find((s) => s.name === name && s.isTemplate)
      ?? file.sections.find((s) => s.name === name);
    if (!template) throw new Error(`[${section.name}] inherits from unknown template "${name}"`);
    out.push(...resolvedEntries(file, template, [...seen, name]));
  }
  out.push(...section.entries);
  return out;
}

/** Joins several parsed files into one, as `#include` would (for checks across files). */
export function mergeConf(...files: ConfFile[]): ConfFile {
  return {
    sections: files.flatMap((f) => f.sections),
    includes: files.flatMap((f) => f.includes),
  };
}
