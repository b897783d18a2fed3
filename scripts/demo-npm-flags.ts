/**
 * `npm run demo --data-dir X` (no `--`): npm takes `--data-dir` as its own configuration (it sets
 * `npm_config_data_dir=true` in the script's environment) and passes only `X` on, so the demo sees
 * a bare value. This recognises that case from the environment npm gives every script
 * (`npm_lifecycle_event` = the script's name, `npm_config_<flag>` = what npm took) and rebuilds
 * the command that was meant.
 */

/** The demo's flags that take a value, in the order the usage lists them. */
const VALUE_FLAGS = ['data-dir', 'interval-ms'] as const;
const BOOLEAN_FLAGS = ['json'] as const;

const envName = (flag: string) => `npm_config_${flag.replace(/-/g, '_')}`;

/**
 * For bare arguments the demo did not expect: the advice to move the flags after `--`, with the
 * command rebuilt when npm's environment shows which flags it took; undefined when the demo was
 * not started by npm (then the arguments are simply unexpected).
 */
export function npmSwallowedFlagsHint(positionals: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const script = env.npm_lifecycle_event;
  if (script === undefined || script === '' || positionals.length === 0) return undefined;
  // A value flag npm took shows as "true" (it read the flag as a boolean and left the value).
  const taken = VALUE_FLAGS.filter((flag) => env[envName(flag)] === 'true');
  const switches = BOOLEAN_FLAGS.filter((flag) => env[envName(flag)] === 'true').map((flag) => `--${flag}`);
  const quote = (s: string) => (/^[\w./:@%+,=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  let args: string[];
  if (taken.length === positionals.length) {
    // npm passes the values in command-line order; with two flags taken their order is a guess
    // (the environment does not keep it), so the usage order is used.
    args = taken.flatMap((flag, i) => [`--${flag}`, quote(positionals[i] ?? '')]);
  } else {
    args = [`--data-dir`, quote(positionals[0] ?? 'DIR')];
  }
  return `npm keeps flags before \`--\` for itself: run \`npm run ${script} -- ${[...args, ...switches].join(' ')}\``;
}

/**
 * `npm run demo --data-dir=X`: npm keeps the whole flag (`npm_config_data_dir=X`) and the demo
 * sees nothing, so it would run on a temporary folder as if no flag had been given; likewise
 * `npm run demo --json` (npm_config_json=true). The advice when a flag the demo did not get is in
 * npm's environment; undefined otherwise.
 */
export function npmKeptFlagsHint(given: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): string | undefined {
  const script = env.npm_lifecycle_event;
  if (script === undefined || script === '') return undefined;
  const kept = VALUE_FLAGS.filter((flag) => given[flag] === undefined && env[envName(flag)] !== undefined && env[envName(flag)] !== 'true');
  // `npm run demo --json`: npm keeps the switch too, and the demo would print its banner to a
  // script waiting for JSON lines.
  const switches = BOOLEAN_FLAGS.filter((flag) => given[flag] === undefined && env[envName(flag)] === 'true');
  if (kept.length === 0 && switches.length === 0) return undefined;
  const args = [...kept.map((flag) => `--${flag} ${env[envName(flag)] ?? ''}`), ...switches.map((flag) => `--${flag}`)];
  return `npm kept ${[...kept, ...switches].map((f) => `--${f}`).join(' and ')} for itself: run \`npm run ${script} -- ${args.join(' ')}\``;
}
