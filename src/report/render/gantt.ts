/**
 * Mermaid `gantt` charts of runs: one section per patrol, one bar per run. Mermaid draws
 * every task on its own row, so two runs that overlap show as two bars side by side in
 * one section. Failed and lost-lease runs are marked `crit` (drawn red).
 */

/** `milestone` draws a point in time (its `end` is ignored). */
export type BarStatus = 'done' | 'crit' | 'active' | 'milestone';

export interface GanttBar {
  label: string;
  start: string;
  end: string;
  status: BarStatus;
}

export interface GanttSection {
  name: string;
  bars: GanttBar[];
}

/** Characters with a meaning in Mermaid's gantt syntax (`:` ends a name, `#` an entity). */
function mermaidText(text: string): string {
  const clean = text
    .replace(/[:;#%<>"`{}[\]\\]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean === '' ? '-' : clean;
}

/** Mermaid reads these in the viewer's zone; they are UTC, and the title says so. */
function mermaidTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * A gantt block, or null when no section has a bar. Bars shorter than a second are drawn one
 * second long, as Mermaid draws nothing for an empty interval.
 */
export function renderGantt(title: string, sections: GanttSection[]): string | null {
  if (sections.every((s) => s.bars.length === 0)) return null;
  const lines = [
    '```mermaid',
    'gantt',
    `    title ${mermaidText(title)}`,
    '    dateFormat YYYY-MM-DD HH:mm:ss',
    '    axisFormat %H:%M',
  ];
  let id = 0;
  for (const section of sections) {
    if (section.bars.length === 0) continue;
    lines.push(`    section ${mermaidText(section.name)}`);
    for (const bar of section.bars) {
      id += 1;
      const start = Date.parse(bar.start);
      if (bar.status === 'milestone') {
        lines.push(`    ${mermaidText(bar.label)} :milestone, r${id}, ${mermaidTime(start)}, 0d`);
        continue;
      }
      const end = Math.max(Date.parse(bar.end), start + 1_000);
      lines.push(
        `    ${mermaidText(bar.label)} :${bar.status}, r${id}, ` +
          `${mermaidTime(start)}, ${mermaidTime(end)}`,
      );
    }
  }
  lines.push('```');
  return lines.join('\n');
}
