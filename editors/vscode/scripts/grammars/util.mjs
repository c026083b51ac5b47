// Helpers shared by the grammar sources.

/** Escapes a word for use inside an Oniguruma regular expression. */
function escapeRegex(word) {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Turns a whitespace-separated list of words into a regex alternation, longest first, so that
 * `project-away` is tried before `project` and `has_cs` before `has`.
 */
export function words(list) {
  const unique = [...new Set(list.split(/\s+/).filter(Boolean))];
  unique.sort((a, b) => b.length - a.length || a.localeCompare(b));
  return unique.map(escapeRegex).join("|");
}
