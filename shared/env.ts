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

/**
 * `key=value` entries separated by commas, each side trimmed, keys among `keys`; undefined when unset or
 * empty. An entry without `=`, an unknown or repeated key is an error naming the variable.
 */
export function envPairs<K extends string>(
  env: NodeJS.ProcessEnv,
  name: string,
  keys: readonly K[],
): Partial<Record<K, string>> | undefined {
  const entries = envList(env, name);
  if (!entries.length) return undefined;
  const pairs: Partial<Record<K, string>> = {};
  for (const entry of entries) {
    const at = entry.indexOf("=");
    const key = entry.slice(0, Math.max(at, 0)).trim();
    const value = entry.slice(at + 1).trim();
    if (at < 0 || !value || !keys.includes(key as K) || pairs[key as K] !== undefined)
      throw new Error(
        `${name} must be comma-separated key=value entries, each key once, keys among ${keys.join(", ")}; got "${env[name]}"`,
      );
    pairs[key as K] = value;
  }
  return pairs;
}
