import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_DOCS_DIR, docsMissingMessage, loadApiDocs, TRACES_DIR } from './api-docs.ts';
import { simulatorMissing } from './sim-harness.ts';
import { formatSections, summarise } from './trace-compare.ts';
import { replayTrace } from './trace-replay.ts';
import { parseTrace } from './trace.ts';

const SCENARIOS = [
  'inbound-answered', 'agent-hangs-up-first', 'agent-no-answer', 'agent-busy', 'agent-unregistered',
  'caller-abandons-in-queue', 'caller-abandons-in-queue-no-moh', 'survey-outbound-dtmf', 'survey-no-answer', 'survey-busy',
  'supervisor-snoop', 'reconnect', 'reconnect-hangup-during-gap', 'reconnect-new-call-during-gap',
  'asterisk-restart-mid-call', 'rest-error-cases',
] as const;

const missing = existsSync(TRACES_DIR) ? simulatorMissing() : docsMissingMessage('ARI traces', TRACES_DIR);
if (missing) process.stderr.write(`${missing}\n`);
const docs = loadApiDocs();
if (!docs) process.stderr.write(`${docsMissingMessage('ARI api docs', API_DOCS_DIR)} (model checks only)\n`);

describe('the simulator replays the Asterisk 22.10.1 traces', () => {
  if (missing) {
    it.skip(`${missing}: trace replay skipped`, () => undefined);
    return;
  }
  for (const name of SCENARIOS) {
    const file = join(TRACES_DIR, `${name}.jsonl`);
    if (!existsSync(file)) {
      it.skip(`trace ${file} not found: ${name} skipped`, () => undefined);
      continue;
    }
    const trace = parseTrace(file, name);
    // Replays run in real time against windows of a few milliseconds taken from the traces (e.g. a connected-line
    // update that Asterisk drops when the channel is hung up within ~12 ms): a machine stalled by other work can miss
    // one, so a scenario gets two more tries before it counts as a difference.
    it.concurrent(`when ${name} is replayed in real time, then events per channel, status codes and bodies match the trace`, { retry: 2, timeout: trace.endT + 20_000 }, async () => {
      const { sections, notes, timeline } = await replayTrace(trace, docs);
      if (process.env.CONFORMANCE_TIMELINE) process.stderr.write(`[conformance] ${name} simulator timeline\n${timeline.join('\n')}\n`);
      const verdict = summarise(sections);
      process.stderr.write(`[conformance] ${name}: ${verdict}${notes.length ? `\n  ${notes.join('\n  ')}` : ''}\n`);
      if (verdict !== 'matched') expect.fail(`${name} ${verdict}\n\n${formatSections(sections)}${notes.length ? `\n\nnotes:\n${notes.join('\n')}` : ''}`);
    });
  }
});
