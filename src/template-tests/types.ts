/**
 * The vocabulary of the template tests: what a test's outcome is (TestResult, TestFailure,
 * SourceExcerpt, TestRunSummary) and what shows it (Reporter, writing into ReportStreams).
 * The runner produces these; reporters and the command consume them.
 */
import type { SourcePosition } from '../config/types.ts';

/** The template line a render error points at. */
export interface SourceExcerpt {
  /** The template file (absolute), or `<inline:NAME>`. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column, when known. */
  col?: number;
  /** The text of that line, without its line ending. */
  text: string;
}

/** Part of an output shown with a failed check: where it comes closest to what was looked for. */
export interface OutputExcerpt {
  /** What the lines are, e.g. "closest match (2 characters differ):". */
  title: string;
  /** 1-based line number of the first line. */
  start: number;
  /** The lines, without line endings. */
  lines: string[];
  /** The 1-based lines (inclusive) of the closest match itself; the others are context. */
  marked: { from: number; to: number };
}

/** Why one check of a test failed. */
export interface TestFailure {
  /** The template checked; absent for problems of the test as a whole (its fixtures). */
  template?: string;
  /** What was checked: a key of the expectation (`contains`, `equals`, ...), `render` or `fixtures`. */
  assertion: string;
  /** What is wrong, in the user's terms. */
  message: string;
  /** A unified diff from the golden file to the output (`equals`). */
  diff?: string;
  /** The template line of a render error. */
  source?: SourceExcerpt;
  /** Where the output comes closest to a text it does not contain or a pattern it does not match. */
  closest?: OutputExcerpt;
}

/** The outcome of one test. */
export interface TestResult {
  name: string;
  description?: string;
  /** Where the test is defined. */
  position?: SourcePosition;
  passed: boolean;
  /** Empty when the test passed. */
  failures: TestFailure[];
  /** What the run changed, e.g. golden files written by --update-golden. */
  notes: string[];
  durationMs: number;
}

/** The outcome of a run: every selected test in config order. */
export interface TestRunSummary {
  results: TestResult[];
  passed: number;
  failed: number;
  durationMs: number;
}

/** Shows test results as they come, in one output format. */
export interface Reporter {
  /** Before the first test: how many tests will run. */
  begin(count: number): void;
  /** After each test, in order. */
  result(result: TestResult): void;
  /** After the last test. */
  end(summary: TestRunSummary): void;
}

/** Something text is written to (process.stdout, a test's buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** Where a report goes. */
export interface ReportStreams {
  /** The report itself (stdout). */
  out: TextSink;
  /** Where tap and junit write the summary line, outside their document (stderr). */
  err: TextSink;
}
