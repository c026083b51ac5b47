// Injection grammars: highlight ```kql / ```kusto and ```spl / ```splunk fences in Markdown.
// The fence rules follow CommonMark: up to three spaces of indentation (more inside lists),
// three or more backticks or tildes, an info string whose first word names the language
// (any case), and a closing fence of the same character that is at least as long.

/**
 * One fenced block. The fence character is fixed per rule so that a line of backticks inside a
 * `~~~` block (the end of a KQL multi-line string) does not end the embedded query.
 */
function fence(char, tagAlternation, embeddedScope, language) {
  const c = char === "`" ? "\\`" : "~";
  // CommonMark: the info string of a backtick fence may not contain a backtick.
  const info = char === "`" ? String.raw`[^\`\n]*` : String.raw`[^\n]*`;
  return {
    name: "markup.fenced_code.block.markdown",
    // 2: indentation, 3: the fence, 4: the language tag, 5: the rest of the info string.
    begin: String.raw`(^|\G)(\s*)(${c}{3,})[ \t]*(?i:(${tagAlternation}))(?=[\s{,;:]|$)(${info})$`,
    beginCaptures: {
      3: { name: "punctuation.definition.markdown" },
      4: { name: "fenced_code.block.language.markdown" },
      5: { name: "fenced_code.block.language.attributes.markdown" },
    },
    end: String.raw`(^|\G)(\2|[ ]{0,3})(\3${c}*)[ \t]*$`,
    endCaptures: { 3: { name: "punctuation.definition.markdown" } },
    patterns: [
      {
        // `while` keeps the fence in charge: a closing fence ends the block even when the
        // embedded query left a string or comment open.
        begin: String.raw`(^|\G)(\s*)(.*)`,
        while: String.raw`(^|\G)(?![ \t]*${c}{3,}[ \t]*$)`,
        contentName: `meta.embedded.block.${language}`,
        patterns: [{ include: embeddedScope }],
      },
    ],
  };
}

/** Builds the injection grammar that embeds `embeddedScope` under the given fence tags. */
function fenceInjection({ scopeName, tags, embeddedScope, language }) {
  const tagAlternation = tags.join("|");
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    scopeName,
    injectionSelector: "L:text.html.markdown",
    patterns: [{ include: "#backtick-fence" }, { include: "#tilde-fence" }],
    repository: {
      "backtick-fence": fence("`", tagAlternation, embeddedScope, language),
      "tilde-fence": fence("~", tagAlternation, embeddedScope, language),
    },
  };
}

export const kqlMarkdown = fenceInjection({
  scopeName: "markdown.kql.codeblock",
  tags: ["kql", "kusto"],
  embeddedScope: "source.kql",
  language: "kql",
});

export const splMarkdown = fenceInjection({
  scopeName: "markdown.spl.codeblock",
  tags: ["spl", "splunk"],
  embeddedScope: "source.spl",
  language: "spl",
});

export const yaralMarkdown = fenceInjection({
  scopeName: "markdown.yaral.codeblock",
  tags: ["yara-l", "yaral", "yl2"],
  embeddedScope: "source.yaral",
  language: "yaral",
});
