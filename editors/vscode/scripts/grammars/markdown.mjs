// Injection grammars: highlight ```kql / ```kusto and ```spl / ```splunk fences in Markdown.
// The fence rules follow CommonMark: up to three spaces of indentation (more inside lists),
// three or more backticks or tildes, an info string whose first word names the language
// (any case), and a closing fence of the same character that is at least as long.

/** Builds the injection grammar that embeds `embeddedScope` under the given fence tags. */
function fenceInjection({ scopeName, tags, embeddedScope, language }) {
  const tagAlternation = tags.join("|");
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    scopeName,
    injectionSelector: "L:text.html.markdown",
    patterns: [{ include: "#fenced-block" }],
    repository: {
      "fenced-block": {
        name: "markup.fenced_code.block.markdown",
        // 2: indentation, 3: the fence, 4: the language tag, 5: the rest of the info string.
        begin: String.raw`(^|\G)(\s*)(\`{3,}|~{3,})[ \t]*(?i:(${tagAlternation}))(?=[\s{,;:]|$)([^\`\n]*)$`,
        beginCaptures: {
          3: { name: "punctuation.definition.markdown" },
          4: { name: "fenced_code.block.language.markdown" },
          5: { name: "fenced_code.block.language.attributes.markdown" },
        },
        end: String.raw`(^|\G)(\2|[ ]{0,3})(\3[\`~]*)[ \t]*$`,
        endCaptures: { 3: { name: "punctuation.definition.markdown" } },
        patterns: [
          {
            // `while` keeps the fence in charge: a closing fence ends the block even when the
            // embedded query left a string or comment open.
            begin: String.raw`(^|\G)(\s*)(.*)`,
            while: String.raw`(^|\G)(?![ \t]*([\`~]{3,})[ \t]*$)`,
            contentName: `meta.embedded.block.${language}`,
            patterns: [{ include: embeddedScope }],
          },
        ],
      },
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
