//! The `LanguageServer` implementation.
//!
//! State lives behind short `std::sync::Mutex` sections that never await. Anything that walks
//! a document (linting, hover, completion) runs in `spawn_blocking` on a snapshot: a ropey
//! clone is O(1), so taking one per request is cheap.
//!
//! Diagnostics: every change bumps the document's generation and schedules a lint after the
//! debounce delay. A scheduled lint that wakes up to a newer generation does nothing; lints of
//! one document run one at a time (a per-document async lock), a lint under way stops between
//! two queries when a newer change arrives, and results are published only if no newer
//! change arrived, tagged with the version they were computed for.
//!
//! Keystrokes on big files: each document keeps the lints of its queries from its last run
//! (`ide::incremental::LintMemo`), so a lint after an edit lints only the queries the edit
//! changed; a `.kql` file keeps its blank-line split up to date edit by edit (`KqlSplit`),
//! and completion and hover take the one query region under the cursor from it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use ropey::Rope;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::ide::incremental::{self, LintMemo};
use crate::ide::{self, SourceFile};
use qlint_files::sources::KqlSplit;

use super::convert;
use super::document::{Document, PositionEncoding, offset_of_position, text_of};
use super::testrun;
use super::workspace::{Profile, Settings, Workspace};

const DEFAULT_DEBOUNCE_MS: u64 = 150;

/// Up to this size a feature that looks at one query splits the whole file anyway (exact in
/// every case, and fast); above it, it takes the region from the kept split (see
/// `Snapshot::source_file_at`).
const SMALL_FILE: usize = 256 * 1024;

/// The command behind the "Run tests" code lens; its arguments are test-file URIs.
const RUN_TESTS: &str = "qlint.runTests";

/// One open document and its lint bookkeeping.
struct Entry {
    doc: Document,
    /// Bumped on every change; a lint publishes only for the generation it started from.
    generation: u64,
    /// The generation, for a lint under way to see that it has become stale and stop.
    latest: Arc<AtomicU64>,
    /// Serialises lints of this document.
    lint_lock: Arc<tokio::sync::Mutex<()>>,
    /// The blank-line split of a `.kql` file, kept up to date on every change.
    split: Option<Arc<KqlSplit>>,
    /// Whether the `.kql` file parsed as one query when a lint last had to parse it whole.
    whole_parses: Option<bool>,
    /// The lints of the document's queries from its last run, with the profile they are for.
    memo: Arc<Mutex<(Option<Arc<Profile>>, LintMemo)>>,
}

impl Entry {
    fn new(doc: Document, generation: u64, path: Option<&Path>) -> Self {
        let kind = ide::FileKind::detect(path, &doc.language_id);
        let split = (kind == ide::FileKind::Query(qlint_linter::Language::Kql))
            .then(|| Arc::new(KqlSplit::new(&text_of(&doc.rope.slice(..)))));
        Self {
            doc,
            generation,
            latest: Arc::new(AtomicU64::new(generation)),
            lint_lock: Arc::default(),
            split,
            whole_parses: None,
            memo: Arc::default(),
        }
    }

    /// Marks a change: lints under way for an older generation become stale.
    fn bump(&mut self) {
        self.generation += 1;
        self.latest.store(self.generation, Ordering::SeqCst);
    }
}

/// What a request works on: an immutable copy of a document.
struct Snapshot {
    rope: Rope,
    version: i32,
    split: Option<Arc<KqlSplit>>,
    whole_parses: Option<bool>,
    file_path: Option<PathBuf>,
    language_id: String,
    enc: PositionEncoding,
    workspace: Arc<Workspace>,
}

impl Snapshot {
    fn source_file(&self) -> SourceFile {
        SourceFile::new(self.file_path.clone(), &self.language_id, text_of(&self.rope.slice(..)))
    }

    /// The file with at least the query region at `offset`, for features that look at one
    /// query: only that region in a big `.kql` file (splitting it whole is what made
    /// completion slow on a 10 MB file), the whole split otherwise.
    fn source_file_at(&self, offset: u32) -> SourceFile {
        match &self.split {
            Some(split) if self.rope.len_bytes() > SMALL_FILE => incremental::file_at(
                self.file_path.clone(),
                ide::FileKind::detect(self.file_path.as_deref(), &self.language_id),
                text_of(&self.rope.slice(..)),
                split,
                self.whole_parses,
                offset,
            ),
            _ => self.source_file(),
        }
    }

    fn profile(&self) -> Arc<Profile> {
        self.workspace.profile_for(self.file_path.as_deref())
    }

    fn offset(&self, position: Position) -> u32 {
        u32::try_from(offset_of_position(&self.rope, position, self.enc)).unwrap_or(u32::MAX)
    }
}

#[derive(Default)]
struct State {
    docs: Mutex<HashMap<Uri, Entry>>,
    encoding: RwLock<PositionEncoding>,
    workspace: RwLock<Arc<Workspace>>,
    /// Bumped on every workspace reload so that an older reload never overwrites a newer one.
    workspace_generation: Mutex<u64>,
    watch_registration: RwLock<bool>,
    /// The client renders Markdown in hovers / completion docs.
    markdown: RwLock<(bool, bool)>,
    /// The client accepts snippets in completion items.
    snippets: RwLock<bool>,
    /// The client answers `workspace/configuration`.
    pull_configuration: RwLock<bool>,
    /// Results of the last `qlint.runTests` per test file, published with its lint results.
    test_diagnostics: Mutex<HashMap<Uri, Vec<Diagnostic>>>,
}

/// The qlint language server.
pub struct Backend {
    client: Client,
    state: Arc<State>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T: Clone>(m: &RwLock<T>) -> T {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
}

fn write<T>(m: &RwLock<T>, value: T) {
    *m.write().unwrap_or_else(std::sync::PoisonError::into_inner) = value;
}

/// Runs `f` on the blocking pool; a panic inside becomes `None` instead of killing the server.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

fn roots_of(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)] // `root_uri` is how older clients name the workspace.
    if roots.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        roots.push(root.into_owned());
    }
    roots
}

impl Backend {
    /// A server that talks through `client`.
    pub fn new(client: Client) -> Self {
        Self { client, state: Arc::new(State::default()) }
    }

    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let docs = lock(&self.state.docs);
        let entry = docs.get(uri)?;
        Some(Snapshot {
            rope: entry.doc.rope.clone(),
            version: entry.doc.version,
            split: entry.split.clone(),
            whole_parses: entry.whole_parses,
            file_path: uri.to_file_path().map(|p| p.into_owned()),
            language_id: entry.doc.language_id.clone(),
            enc: *self.state.encoding.read().unwrap_or_else(std::sync::PoisonError::into_inner),
            workspace: read(&self.state.workspace),
        })
    }

    /// The language id and text of every open document.
    fn open_texts(&self) -> HashMap<Uri, (String, String)> {
        lock(&self.state.docs)
            .iter()
            .map(|(uri, e)| {
                (uri.clone(), (e.doc.language_id.clone(), text_of(&e.doc.rope.slice(..))))
            })
            .collect()
    }

    fn debounce(&self) -> Duration {
        let ms = read(&self.state.workspace).settings.debounce_ms.unwrap_or(DEFAULT_DEBOUNCE_MS);
        Duration::from_millis(ms.min(5_000))
    }

    /// Schedules a lint of `uri` after `delay`, for the document's current generation.
    fn schedule_lint(&self, uri: Uri, delay: Duration) {
        let state = Arc::clone(&self.state);
        let client = self.client.clone();
        let Some(generation) = lock(&state.docs).get(&uri).map(|e| e.generation) else { return };
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let current = |state: &State| {
                lock(&state.docs)
                    .get(&uri)
                    .filter(|e| e.generation == generation)
                    .map(|e| Arc::clone(&e.lint_lock))
            };
            let Some(lint_lock) = current(&state) else { return };
            let _running = lint_lock.lock().await;
            let backend = Backend { client: client.clone(), state: Arc::clone(&state) };
            let Some(snap) = backend.snapshot(&uri) else { return };
            if current(&state).is_none() {
                return;
            }
            let version = snap.version;
            let Some((memo, latest)) =
                lock(&state.docs).get(&uri).map(|e| (Arc::clone(&e.memo), Arc::clone(&e.latest)))
            else {
                return;
            };
            let Some(Some((diagnostics, whole, errors))) = blocking(move || {
                let text = text_of(&snap.rope.slice(..));
                let profile = snap.profile();
                let mut memo = lock(&memo);
                let (for_profile, memo) = &mut *memo;
                if !for_profile.as_ref().is_some_and(|p| Arc::ptr_eq(p, &profile)) {
                    memo.clear();
                    *for_profile = Some(Arc::clone(&profile));
                }
                let input = incremental::Input {
                    kind: ide::FileKind::detect(snap.file_path.as_deref(), &snap.language_id),
                    path: snap.file_path.as_deref(),
                    text: &text,
                    split: snap.split.as_deref(),
                };
                let stale = || latest.load(Ordering::SeqCst) != generation;
                let (found, whole) = incremental::diagnostics(
                    input,
                    &profile.knowledge,
                    &profile.config,
                    memo,
                    &stale,
                )?;
                let lines = convert::LineIndex::new(&snap.rope);
                let diagnostics = found
                    .iter()
                    .map(|d| convert::diagnostic_indexed(&lines, &text, d, snap.enc))
                    .collect::<Vec<_>>();
                Some((diagnostics, whole, snap.workspace.take_errors()))
            })
            .await
            else {
                return;
            };
            if let Some(whole) = whole
                && let Some(entry) = lock(&state.docs).get_mut(&uri)
                && entry.generation == generation
            {
                entry.whole_parses = Some(whole);
            }
            for error in errors {
                client.log_message(MessageType::WARNING, error).await;
            }
            // Drop results that a newer change has made stale.
            if current(&state).is_none() {
                return;
            }
            let mut diagnostics = diagnostics;
            diagnostics
                .extend(lock(&state.test_diagnostics).get(&uri).cloned().unwrap_or_default());
            client.publish_diagnostics(uri, diagnostics, Some(version)).await;
        });
    }

    fn relint_all(&self) {
        let uris: Vec<Uri> = lock(&self.state.docs).keys().cloned().collect();
        for uri in uris {
            if let Some(e) = lock(&self.state.docs).get_mut(&uri) {
                e.bump();
            }
            self.schedule_lint(uri, Duration::ZERO);
        }
    }

    /// Reloads workspace knowledge off the executor, then re-lints open documents.
    async fn reload_workspace(&self, settings: Option<Settings>) {
        let current = read(&self.state.workspace);
        let roots = current.roots.clone();
        let settings = settings.unwrap_or_else(|| current.settings.clone());
        let generation = {
            let mut g = lock(&self.state.workspace_generation);
            *g += 1;
            *g
        };
        let Some(workspace) = blocking(move || Workspace::load(roots, settings)).await else {
            return;
        };
        if *lock(&self.state.workspace_generation) != generation {
            return;
        }
        for error in workspace.take_errors() {
            self.client.log_message(MessageType::WARNING, error).await;
        }
        write(&self.state.workspace, Arc::new(workspace));
        self.relint_all();
    }

    /// `textDocument/formatting` (no range) and `rangeFormatting`: the queries of the document
    /// (or those the range touches) laid out with the `[format]` options of the nearest
    /// `qlint.toml`, as one edit over the part that changed. A query that does not parse, or
    /// that its container cannot hold re-laid out, is left alone and the user is told why.
    async fn format(&self, uri: &Uri, range: Option<Range>) -> Result<Option<Vec<TextEdit>>> {
        let Some(snap) = self.snapshot(uri) else { return Ok(None) };
        let outcome = blocking(move || {
            let file = snap.source_file();
            let kind = file.kind.source_kind()?;
            let wanted = range.map(|r| (snap.offset(r.start), snap.offset(r.end)));
            let profile = snap.profile();
            let formatted = qlint_files::format::format_file_where(
                kind,
                &file.text,
                &profile.config.format,
                |span| wanted.is_none_or(|(start, end)| span.start <= end && start <= span.end),
            );
            let skipped: Vec<String> = formatted
                .skipped
                .iter()
                .map(|s| {
                    let at = (s.span.start as usize).min(snap.rope.len_bytes());
                    let line = snap.rope.byte_to_line(at) + 1;
                    format!("line {line}: {}", s.reason)
                })
                .collect();
            let edit = convert::whole_text_edit(&snap.rope, &file.text, &formatted.text, snap.enc);
            Some((edit, skipped))
        })
        .await
        .flatten();
        let Some((edit, skipped)) = outcome else { return Ok(None) };
        if !skipped.is_empty() {
            let message = format!(
                "qlint fmt left {} query(s) as they are: {}",
                skipped.len(),
                skipped.join("; ")
            );
            self.client.show_message(MessageType::WARNING, message).await;
        }
        Ok(Some(edit.into_iter().collect()))
    }

    async fn register_watchers(&self) {
        if !read(&self.state.watch_registration) {
            return;
        }
        let globs =
            ["**/qlint.toml", "**/macros.conf", "**/macros/*.yml", "**/macros/*.yaml", "**/*.json"];
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: globs
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*g).to_owned()),
                    kind: None,
                })
                .collect(),
        };
        let registration = Registration {
            id: "qlint-watch".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = self.client.register_capability(vec![registration]).await {
            self.client.log_message(MessageType::WARNING, format!("cannot watch files: {e}")).await;
        }
    }
}

impl Backend {
    /// Runs the test files, publishes their failures as diagnostics, returns the summary.
    async fn run_tests(&self, files: Vec<PathBuf>) -> String {
        let workspace = read(&self.state.workspace);
        let open: HashMap<PathBuf, String> = self
            .open_texts()
            .into_iter()
            .filter_map(|(uri, (_, text))| Some((canonical(&uri.to_file_path()?), text)))
            .collect();
        let enc = snap_enc(&self.state);
        let runs = blocking(move || {
            let text_of = |p: &Path| {
                open.get(&canonical(p)).cloned().or_else(|| std::fs::read_to_string(p).ok())
            };
            files
                .into_iter()
                .map(|f| {
                    let run = testrun::run_file(&f, &workspace, &text_of);
                    let diagnostics = test_diagnostics(&f, &run, enc);
                    (f, run, diagnostics)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let (mut passed, mut failed, mut errors) = (0, 0, 0);
        for (path, run, diagnostics) in runs {
            passed += run.passed;
            failed += run.failed;
            errors += run.errors;
            let Some(uri) = Uri::from_file_path(&path) else { continue };
            lock(&self.state.test_diagnostics).insert(uri.clone(), diagnostics.clone());
            let open = lock(&self.state.docs).get_mut(&uri).map(Entry::bump).is_some();
            if open {
                self.schedule_lint(uri, Duration::ZERO);
            } else {
                self.client.publish_diagnostics(uri, diagnostics, None).await;
            }
        }
        testrun::summary(passed, failed, errors)
    }
}

/// `path` with links and `..` resolved, when it exists.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The "Run tests (N)" lens above a query.
fn run_tests_lens(lens: testrun::Lens) -> Option<CodeLens> {
    let uris: Vec<serde_json::Value> = lens
        .files
        .iter()
        .filter_map(|f| Some(serde_json::Value::String(Uri::from_file_path(f)?.to_string())))
        .collect();
    let at = Position::new(lens.line, 0);
    Some(CodeLens {
        range: Range::new(at, at),
        command: Some(Command {
            title: format!("Run tests ({})", lens.tests),
            command: RUN_TESTS.to_owned(),
            arguments: Some(uris),
        }),
        data: None,
    })
}

/// A test file's failures (`test-failed`) and tests that could not run (`test-error`).
fn test_diagnostics(path: &Path, run: &testrun::FileRun, enc: PositionEncoding) -> Vec<Diagnostic> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    run.problems
        .iter()
        .map(|p| {
            let line = p.line.saturating_sub(1);
            let content = lines.get(line as usize).copied().unwrap_or("");
            let width = match enc {
                PositionEncoding::Utf8 => content.len(),
                _ => content.encode_utf16().count(),
            };
            Diagnostic {
                range: Range::new(Position::new(line, 0), Position::new(line, width as u32)),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("qlint test".to_owned()),
                code: Some(NumberOrString::String(
                    if p.error { "test-error" } else { "test-failed" }.to_owned(),
                )),
                message: p.message.clone(),
                ..Default::default()
            }
        })
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encs| encs.contains(&PositionEncodingKind::UTF8));
        let enc = if utf8 { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 };
        write(&self.state.encoding, enc);
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        write(&self.state.watch_registration, watch);

        let text_caps = params.capabilities.text_document.as_ref();
        let hover_md = text_caps
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_some_and(|f| f.contains(&MarkupKind::Markdown));
        let completion_md = text_caps
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.documentation_format.as_ref())
            .is_some_and(|f| f.contains(&MarkupKind::Markdown));
        write(&self.state.markdown, (hover_md, completion_md));
        let snippets = text_caps
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        write(&self.state.snippets, snippets);
        let pull =
            params.capabilities.workspace.as_ref().and_then(|w| w.configuration).unwrap_or(false);
        write(&self.state.pull_configuration, pull);

        let roots = roots_of(&params);
        let settings = Settings::from_json(params.initialization_options.as_ref());
        let workspace =
            blocking(move || Workspace::load(roots, settings)).await.unwrap_or_default();
        write(&self.state.workspace, Arc::new(workspace));

        let capabilities = ServerCapabilities {
            position_encoding: Some(if utf8 {
                PositionEncodingKind::UTF8
            } else {
                PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(["|", "`", ".", "="].map(String::from).to_vec()),
                ..Default::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            semantic_tokens_provider: Some(
                SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
                    legend: SemanticTokensLegend {
                        token_types: ide::semantic::TOKEN_TYPES
                            .iter()
                            .map(|t| SemanticTokenType::new(t))
                            .collect(),
                        token_modifiers: Vec::new(),
                    },
                    full: Some(SemanticTokensFullOptions::Bool(true)),
                    range: Some(true),
                    ..Default::default()
                }),
            ),
            document_symbol_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::REFACTOR_INLINE,
                    CodeActionKind::REFACTOR_EXTRACT,
                ]),
                ..Default::default()
            })),
            code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![RUN_TESTS.to_owned()],
                ..Default::default()
            }),
            inlay_hint_provider: Some(OneOf::Left(true)),
            document_formatting_provider: Some(OneOf::Left(true)),
            document_range_formatting_provider: Some(OneOf::Left(true)),
            ..Default::default()
        };
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "qlint".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.register_watchers().await;
        let errors = read(&self.state.workspace).take_errors();
        for error in errors {
            self.client.log_message(MessageType::WARNING, error).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let uri = item.uri.clone();
        {
            let mut docs = lock(&self.state.docs);
            let generation = docs.get(&uri).map_or(0, |e| e.generation + 1);
            if let Some(old) = docs.get(&uri) {
                // A lint of the document as it was before is stale.
                old.latest.store(generation, Ordering::SeqCst);
            }
            let path = uri.to_file_path().map(|p| p.into_owned());
            let doc = Document::new(&item.text, item.version, item.language_id);
            docs.insert(item.uri, Entry::new(doc, generation, path.as_deref()));
        }
        self.schedule_lint(uri, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let enc = read(&self.state.encoding);
        {
            let mut docs = lock(&self.state.docs);
            let Some(entry) = docs.get_mut(&uri) else { return };
            for change in &params.content_changes {
                let edit = entry.doc.apply_change(change, enc);
                if let Some(split) = &mut entry.split {
                    let rope = &entry.doc.rope;
                    let slice = |a: usize, b: usize| {
                        rope.get_byte_slice(a..b).map(|s| text_of(&s)).unwrap_or_default()
                    };
                    Arc::make_mut(split).edit(
                        (edit.start, edit.end),
                        edit.inserted,
                        rope.len_bytes(),
                        &slice,
                    );
                }
            }
            entry.doc.version = params.text_document.version;
            entry.bump();
        }
        self.schedule_lint(uri, self.debounce());
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        lock(&self.state.docs).remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Push style (`{"qlint": {...}}`) or pull style (a bare notification, then
        // `workspace/configuration`); without either, keep the settings and just reload.
        let pushed = params.settings.as_object().is_some_and(|o| !o.is_empty());
        let settings = if pushed {
            Some(Settings::from_json(Some(&params.settings)))
        } else if read(&self.state.pull_configuration) {
            let item = ConfigurationItem { scope_uri: None, section: Some("qlint".to_owned()) };
            match self.client.configuration(vec![item]).await {
                Ok(values) => {
                    values.first().filter(|v| !v.is_null()).map(|v| Settings::from_json(Some(v)))
                }
                Err(_) => None,
            }
        } else {
            None
        };
        self.reload_workspace(settings).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let relevant = params
            .changes
            .iter()
            .any(|c| c.uri.to_file_path().is_some_and(|p| Workspace::is_knowledge_file(&p)));
        if relevant {
            self.reload_workspace(None).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(snap) = self.snapshot(&pos.text_document.uri) else { return Ok(None) };
        let markdown = read(&self.state.markdown).0;
        let result = blocking(move || {
            let offset = snap.offset(pos.position);
            let file = snap.source_file_at(offset);
            let info = ide::hover(&file, offset, &snap.profile().knowledge)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: convert::markup_kind(markdown),
                    value: info.markdown,
                }),
                range: Some(convert::range(&snap.rope, info.span, snap.enc)),
            })
        })
        .await;
        Ok(result.flatten())
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let Some(snap) = self.snapshot(&pos.text_document.uri) else { return Ok(None) };
        let markdown = read(&self.state.markdown).1;
        let snippets = read(&self.state.snippets);
        let items = blocking(move || {
            let offset = snap.offset(pos.position);
            let file = snap.source_file_at(offset);
            ide::completions(&file, offset, &snap.profile().knowledge)
                .iter()
                .map(|c| convert::completion(&snap.rope, c, snap.enc, markdown, snippets))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let uri = pos.text_document.uri.clone();
        let Some(snap) = self.snapshot(&uri) else { return Ok(None) };
        let result = blocking(move || {
            let file = snap.source_file();
            let target =
                ide::definition(&file, snap.offset(pos.position), &snap.profile().knowledge)?;
            let location = match target.path {
                None => Location { uri, range: convert::range(&snap.rope, target.span, snap.enc) },
                Some(path) => {
                    let text = std::fs::read_to_string(&path).ok()?;
                    let rope = Rope::from_str(&text);
                    Location {
                        uri: Uri::from_file_path(&path)?,
                        range: convert::range(&rope, target.span, snap.enc),
                    }
                }
            };
            Some(GotoDefinitionResponse::Scalar(location))
        })
        .await;
        Ok(result.flatten())
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let symbols = blocking(move || {
            let file = snap.source_file();
            ide::symbols(&file)
                .iter()
                .map(|s| convert::symbol(&snap.rope, s, snap.enc))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        Ok(Some(DocumentSymbolResponse::Nested(symbols)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(snap) = self.snapshot(&uri) else { return Ok(None) };
        let range = params.range;
        let only = params.context.only;
        let wants = move |kind: &CodeActionKind| {
            only.as_ref()
                .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
        };
        let actions = blocking(move || {
            let file = snap.source_file();
            let (start, end) = (snap.offset(range.start), snap.offset(range.end));
            let (start, end) = (start.min(end), start.max(end));
            let profile = snap.profile();
            let mut actions = Vec::new();
            if wants(&CodeActionKind::QUICKFIX) {
                actions.extend(
                    ide::diagnostics(&file, &profile.knowledge, &profile.config)
                        .iter()
                        .filter(|d| d.span.start <= end && start <= d.span.end)
                        .filter_map(|d| convert::code_action(&snap.rope, &uri, d, snap.enc))
                        .map(CodeActionOrCommand::CodeAction),
                );
            }
            actions.extend(
                ide::actions::refactors(&file, start, end, &profile.knowledge)
                    .iter()
                    .map(|r| convert::refactor(&snap.rope, &uri, r, snap.enc))
                    .filter(|a| a.kind.as_ref().is_some_and(&wants))
                    .map(CodeActionOrCommand::CodeAction),
            );
            actions
        })
        .await
        .unwrap_or_default();
        Ok(Some(actions))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let uri = pos.text_document.uri.clone();
        let Some(snap) = self.snapshot(&uri) else { return Ok(None) };
        let open = self.open_texts();
        let result = blocking(move || {
            let file = snap.source_file();
            let target = ide::rename::target_at(&file, snap.offset(pos.position))?;
            Some(occurrences(&uri, &snap, &file, target, &open))
        })
        .await
        .flatten();
        Ok(result.map(|found| {
            found
                .into_iter()
                .flat_map(|(uri, rope, spans)| {
                    spans
                        .into_iter()
                        .map(|s| Location {
                            uri: uri.clone(),
                            range: convert::range(&rope, s, snap_enc(&self.state)),
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        }))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let result = blocking(move || {
            let file = snap.source_file();
            let at = match ide::rename::target_at(&file, snap.offset(params.position))? {
                ide::rename::RenameTarget::Local { at, .. }
                | ide::rename::RenameTarget::Macro { at, .. } => at,
            };
            Some(PrepareRenameResponse::Range(convert::range(&snap.rope, at, snap.enc)))
        })
        .await
        .flatten();
        Ok(result)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position;
        let uri = pos.text_document.uri.clone();
        let new_name = params.new_name;
        if new_name.is_empty() || new_name.contains(|c: char| c.is_whitespace() || c == '`') {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "`{new_name}` is not a valid name"
            )));
        }
        let Some(snap) = self.snapshot(&uri) else { return Ok(None) };
        let open = self.open_texts();
        let enc = snap.enc;
        let result = blocking(move || {
            let file = snap.source_file();
            let target = ide::rename::target_at(&file, snap.offset(pos.position))?;
            Some(occurrences(&uri, &snap, &file, target, &open))
        })
        .await
        .flatten();
        Ok(result.map(|found| {
            let changes = found
                .into_iter()
                .map(|(uri, rope, spans)| {
                    let edits = spans
                        .into_iter()
                        .map(|s| TextEdit {
                            range: convert::range(&rope, s, enc),
                            new_text: new_name.clone(),
                        })
                        .collect();
                    (uri, edits)
                })
                .collect();
            WorkspaceEdit { changes: Some(changes), ..Default::default() }
        }))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let Some(path) = snap.file_path.clone() else { return Ok(None) };
        let lenses = blocking(move || {
            let profile = snap.profile();
            let candidates = testrun::test_files(&snap.workspace.roots);
            testrun::lenses(&path, &text_of(&snap.rope.slice(..)), &profile.config, &candidates)
        })
        .await
        .unwrap_or_default();
        Ok(Some(lenses.into_iter().filter_map(run_tests_lens).collect()))
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command != RUN_TESTS {
            return Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let files: Vec<PathBuf> = params
            .arguments
            .iter()
            .filter_map(|a| a.as_str()?.parse::<Uri>().ok()?.to_file_path().map(|p| p.into_owned()))
            .collect();
        let summary = self.run_tests(files).await;
        self.client.show_message(MessageType::INFO, format!("qlint tests: {summary}")).await;
        Ok(Some(serde_json::Value::String(summary)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let range = params.range;
        let hints = blocking(move || {
            let file = snap.source_file();
            let settings = snap.workspace.settings.inlay_hints;
            let options = ide::hints::HintOptions {
                extend_types: settings.extend_types,
                macro_expansion: settings.macro_expansion,
            };
            let (start, end) = (snap.offset(range.start), snap.offset(range.end));
            ide::hints::inlay_hints(&file, start, end, &snap.profile().knowledge, options)
                .iter()
                .map(|h| convert::inlay_hint(&snap.rope, h, snap.enc))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        Ok(Some(hints))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.format(&params.text_document.uri, None).await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.format(&params.text_document.uri, Some(params.range)).await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let data = blocking(move || semantic_data(&snap, None)).await.unwrap_or_default();
        Ok(Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data })))
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let Some(snap) = self.snapshot(&params.text_document.uri) else { return Ok(None) };
        let range = params.range;
        let data = blocking(move || semantic_data(&snap, Some(range))).await.unwrap_or_default();
        Ok(Some(SemanticTokensRangeResult::Tokens(SemanticTokens { result_id: None, data })))
    }
}

fn snap_enc(state: &State) -> PositionEncoding {
    read(&state.encoding)
}

/// Files a macro rename or search looks at: the workspace's query files, at most this many.
const MAX_WORKSPACE_FILES: usize = 5_000;

/// Query files under `roots` (hidden folders, `target` and `node_modules` skipped).
fn workspace_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    crate::workspace::files_under(roots, MAX_WORKSPACE_FILES, |path| {
        qlint_files::sources::SourceKind::of_path(path).is_some()
    })
}

type Found = Vec<(Uri, Rope, Vec<qlint_grammar::Span>)>;

/// Every occurrence of a rename target: in this file for a local name; in every open document
/// and workspace file for a macro (open documents win over their saved text).
fn occurrences(
    uri: &Uri,
    snap: &Snapshot,
    file: &SourceFile,
    target: ide::rename::RenameTarget,
    open: &HashMap<Uri, (String, String)>,
) -> Found {
    match target {
        ide::rename::RenameTarget::Local { occurrences, .. } => {
            vec![(uri.clone(), snap.rope.clone(), occurrences)]
        }
        ide::rename::RenameTarget::Macro { name, .. } => {
            let mut found: Found = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let spans = ide::rename::macro_occurrences(file, &name);
            seen.insert(uri.clone());
            if !spans.is_empty() {
                found.push((uri.clone(), snap.rope.clone(), spans));
            }
            for (other, (language_id, text)) in open {
                if seen.insert(other.clone()) {
                    let path = other.to_file_path().map(|p| p.into_owned());
                    let f = SourceFile::new(path, language_id, text.clone());
                    let spans = ide::rename::macro_occurrences(&f, &name);
                    if !spans.is_empty() {
                        found.push((other.clone(), Rope::from_str(text), spans));
                    }
                }
            }
            for path in workspace_files(&snap.workspace.roots) {
                let Some(other) = Uri::from_file_path(&path) else { continue };
                if !seen.insert(other.clone()) {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let f = SourceFile::new(Some(path), "", text.clone());
                let spans = ide::rename::macro_occurrences(&f, &name);
                if !spans.is_empty() {
                    found.push((other, Rope::from_str(&text), spans));
                }
            }
            found
        }
    }
}

/// LSP's relative encoding of the semantic tokens (a token across lines is cut per line).
fn semantic_data(snap: &Snapshot, range: Option<Range>) -> Vec<SemanticToken> {
    let file = snap.source_file();
    let tokens = ide::semantic::semantic_tokens(&file, &snap.profile().knowledge);
    let (mut last_line, mut last_col) = (0u32, 0u32);
    let mut data = Vec::new();
    for (span, kind) in tokens {
        let mut start = span.start as usize;
        let end = (span.end as usize).min(file.text.len());
        while start < end {
            let line_end = file.text[start..end].find('\n').map_or(end, |i| start + i);
            let r = convert::range(
                &snap.rope,
                qlint_grammar::Span::new(start as u32, line_end as u32),
                snap.enc,
            );
            let inside = range.is_none_or(|want| r.end >= want.start && r.start <= want.end);
            if inside && r.end.character > r.start.character {
                let delta_line = r.start.line - last_line;
                let delta_start =
                    if delta_line == 0 { r.start.character - last_col } else { r.start.character };
                data.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: r.end.character - r.start.character,
                    token_type: kind as u32,
                    token_modifiers_bitset: 0,
                });
                (last_line, last_col) = (r.start.line, r.start.character);
            }
            start = line_end + 1;
        }
    }
    data
}
