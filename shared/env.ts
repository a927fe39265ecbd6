// Turns environment strings into typed values, one way for every option (a trailing space once became a quarantine bug).

/** A comma-separated list, each entry trimmed, empty entries dropped; the fallback when unset or empty. */
export function envList(env: NodeJS.ProcessEnv, name: string, fallback: readonly string[] = []): string[] {
  const entries = (env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.length ? entries : [...fallback];
}

/** A non-negative integer; the fallback when unset or empty; anything else is an error naming the variable. */
export function envInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${name} must be a non-negative integer, got "${env[name]}"`);
  return parsed;
}

/** One of a fixed set of words, trimmed; the fallback when unset or empty; anything else names the choices. */
export function envChoice<T extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = env[name]?.trim();
  if (value === undefined || value === "") return fallback;
  if (!choices.includes(value as T))
    throw new Error(`${name} must be one of ${choices.join(", ")}, got "${env[name]}"`);
  return value as T;
}

/** A string, trimmed (a stray space or a secret file's newline is never meant); the fallback when unset or empty. */
export function envString(env: NodeJS.ProcessEnv, name: string): string | undefined;
export function envString(env: NodeJS.ProcessEnv, name: string, fallback: string): string;
export function envString(env: NodeJS.ProcessEnv, name: string, fallback?: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

/** `true` or `false`, trimmed; the fallback when unset or empty; anything else (`yes`, `1`) is an error, never a silent false. */
export function envBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = envChoice(env, name, ["true", "false"], fallback ? "true" : "false");
  return value === "true";
}
