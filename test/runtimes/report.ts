/** Marks the report's line in a child process's stdout (the library may log around it). */
export const REPORT_MARKER = "PORTCULLIS_SCENARIO_REPORT ";
