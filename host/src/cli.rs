//! The command line: `serve`, `tenant`, `plugin`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aftersale_sdk as c;
use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use serde_json::{Value, json};

use crate::config::{Config, DEFAULT_DATABASE_URL};
use crate::plugins::{Hook, Limits, Runtime, RuntimeConfig};

#[derive(Debug, Parser)]
#[command(
    name = "aftersale",
    version,
    about = "After-sales service platform (T/GXDSL259—2025)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Develop and inspect plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Directory of precompiled plugins, kept between starts (empty: off).
    /// Default `$XDG_CACHE_HOME/aftersale/components`.
    #[arg(long, env = "AFTERSALE_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Where people reach the console, e.g. `https://desk.example.com` behind
    /// a TLS proxy or `http://192.168.1.20:8080` on a LAN: cookies are
    /// `Secure` for https and not for http. Unset: `Secure` when the proxy
    /// says `X-Forwarded-Proto: https`.
    #[arg(long, env = "AFTERSALE_PUBLIC_URL")]
    public_url: Option<String>,
}

#[derive(Debug, Args)]
struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` (created on first run) or `postgres://…`.
    /// Also read from AFTERSALE_DATABASE_URL or DATABASE_URL.
    #[arg(long = "database")]
    url: Option<String>,
}

impl DatabaseArgs {
    fn resolve(self) -> String {
        self.url
            .or_else(|| std::env::var("AFTERSALE_DATABASE_URL").ok())
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
    }
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// Create a tenant with the first-party plugin bundle; prints its id and
    /// its admin key (shown once) as JSON.
    Create {
        name: String,
        /// IANA time zone of the tenant.
        #[arg(long, default_value = crate::service::tenants::DEFAULT_TIME_ZONE)]
        time_zone: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process")]
enum PluginCommand {
    /// Validate a component and print its manifest as JSON.
    Check {
        /// The component (`.wasm`).
        file: PathBuf,
    },
    /// Run one hook locally and print the result, fuel used, peak memory and
    /// time.
    Run(RunArgs),
    /// Validate a component and install it in the database, where every
    /// replica finds it; prints the installed version as JSON. Installing
    /// the same bytes again changes nothing.
    Install {
        /// The component (`.wasm`).
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Create a plugin project from a template: a Rust crate ready for
    /// `cargo test` and `cargo build --target wasm32-wasip2 --release`, or a
    /// Python or JavaScript project whose `./build` writes the component.
    New(NewArgs),
}

#[derive(Debug, Args)]
struct NewArgs {
    /// Plugin name, kebab-case (also the crate's name).
    name: String,
    /// The language to write it in.
    #[arg(long, value_enum, default_value_t)]
    lang: crate::scaffold::Lang,
    /// Directory to create (default: ./NAME).
    #[arg(long)]
    path: Option<PathBuf>,
    /// Depend on the SDK at this path (a checkout of aftersale's `sdk/`)
    /// instead of the published crate.
    #[arg(long)]
    sdk: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The component (`.wasm`).
    file: PathBuf,
    /// manifest, on-create, guard, after, on-timer, action or on-survey.
    #[arg(long)]
    hook: Hook,
    /// A snapshot as JSON (see `sdk/src/types.rs`, or write one with the
    /// SDK's test harness). Not needed for `manifest`.
    #[arg(long)]
    input: Option<PathBuf>,
    /// guard: the transition to request from the ticket's state.
    #[arg(long)]
    transition: Option<String>,
    /// guard: the note attached to the transition.
    #[arg(long)]
    note: Option<String>,
    /// action: the action's name.
    #[arg(long)]
    action: Option<String>,
    /// action: its input as JSON.
    #[arg(long, default_value = "{}")]
    action_input: String,
    /// on-timer: the timer's name.
    #[arg(long)]
    timer: Option<String>,
    /// on-timer: the timer's payload as JSON.
    #[arg(long, default_value = "null")]
    payload: String,
    /// on-survey: the answer as JSON, e.g.
    /// `{"survey": "s1", "ratings": [{"attribute": "result", "score": 2}], "nps": 6}`;
    /// by default the last `survey_answered` event of the snapshot's history.
    #[arg(long)]
    answer: Option<String>,
    /// Override the fuel budget.
    #[arg(long)]
    fuel: Option<u64>,
}

/// Parse the command line and run it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, Command::Serve(_));
    init_tracing(serving);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info" } else { "warn" };
    let filter =
        EnvFilter::try_from_env("AFTERSALE_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => {
            let mut config = Config::new(args.listen, args.database.resolve(), Limits::default());
            if args.cache_dir.is_some() {
                config.plugins.cache_dir = crate::config::cache_dir(args.cache_dir);
            }
            config.jobs.egress = crate::jobs::Egress::from_env().map_err(anyhow::Error::msg)?;
            config.public_url = args.public_url.filter(|u| !u.trim().is_empty());
            crate::server::serve(config).await
        }
        Command::Tenant(TenantCommand::Create {
            name,
            time_zone,
            database,
        }) => create_tenant(&name, &time_zone, database.resolve()).await,
        Command::Plugin(PluginCommand::Check { file }) => check(&file).await,
        Command::Plugin(PluginCommand::Run(args)) => run_hook(args).await,
        Command::Plugin(PluginCommand::Install { file, database }) => {
            install(&file, database.resolve()).await
        }
        Command::Plugin(PluginCommand::New(args)) => new_plugin(args),
    }
}

async fn install(file: &Path, database_url: String) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let config = Config::new(
        "127.0.0.1:0".parse().expect("a valid address"),
        database_url,
        Limits::default(),
    );
    let (_, services) = crate::server::build(&config).await?;
    let (details, created) = services
        // The command line reaches the database directly: it is the
        // operator's tool, and installs published at once.
        .install_plugin(&crate::service::Viewer::Operator, &bytes)
        .await
        .with_context(|| format!("{} was not installed", file.display()))?;
    let record = &details.record;
    println!(
        "{}",
        json!({
            "id": record.hash,
            "name": record.name,
            "version": record.version,
            "contract": record.contract,
            "created": created,
        })
    );
    Ok(())
}

async fn create_tenant(name: &str, time_zone: &str, database_url: String) -> anyhow::Result<()> {
    let config = Config::new(
        "127.0.0.1:0".parse().expect("a valid address"),
        database_url,
        Limits::default(),
    );
    let (_, services) = crate::server::build(&config).await?;
    let created = services.create_tenant(name, Some(time_zone)).await?;
    let (user, password) = services.create_first_admin(&created.tenant).await?;
    println!(
        "{}",
        json!({
            "tenant_id": created.tenant.id,
            "admin_key": created.admin_key,
            "admin_login": user.login,
            "admin_password": password,
        })
    );
    Ok(())
}

async fn load(
    runtime: &Runtime,
    file: &Path,
) -> anyhow::Result<std::sync::Arc<crate::plugins::Plugin>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    runtime
        .load(&bytes)
        .await
        .with_context(|| format!("{} is not a usable plugin", file.display()))
}

async fn check(file: &Path) -> anyhow::Result<()> {
    let runtime = Runtime::new(RuntimeConfig::default())?;
    let plugin = load(&runtime, file).await.map_err(one_line)?;
    println!("{}", serde_json::to_string_pretty(plugin.manifest())?);
    eprintln!(
        "ok: {}@{} (aftersale:plugin@{}, sha256 {})",
        plugin.name(),
        plugin.version(),
        plugin.contract(),
        plugin.hash()
    );
    Ok(())
}

/// `plugin check` promises one line: fold the cause chain into it.
fn one_line(e: anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!("{}", format!("{e:#}").replace('\n', " "))
}

async fn run_hook(args: RunArgs) -> anyhow::Result<()> {
    let mut config = RuntimeConfig::default();
    if let Some(fuel) = args.fuel {
        config.limits.fuel = fuel;
    }
    let runtime = Runtime::new(config)?;
    let plugin = load(&runtime, &args.file).await.map_err(one_line)?;
    if args.hook == Hook::Manifest {
        println!("{}", serde_json::to_string_pretty(plugin.manifest())?);
        return Ok(());
    }
    let Some(input) = &args.input else {
        bail!(
            "--input SNAPSHOT.json is required for the {} hook",
            args.hook
        );
    };
    let text = std::fs::read_to_string(input)
        .with_context(|| format!("cannot read {}", input.display()))?;
    let snapshot: c::Snapshot = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a snapshot", input.display()))?;

    let (result, report) = match args.hook {
        Hook::Manifest => unreachable!("answered above"),
        Hook::OnCreate => {
            let called = runtime.on_create(&plugin, &snapshot).await?;
            (decision_json(called.value), called.report)
        }
        Hook::Guard => {
            let name = args
                .transition
                .context("--transition NAME is required for the guard hook")?;
            let request = transition_request(plugin.manifest(), &snapshot, &name, args.note)?;
            let called = runtime.guard(&plugin, &snapshot, &request).await?;
            (decision_json(called.value), called.report)
        }
        Hook::After => {
            let event =
                snapshot.history.last().cloned().context(
                    "the after hook runs for the last event of the history, which is empty",
                )?;
            let called = runtime.after(&plugin, &snapshot, &event).await?;
            (json!({"effects": called.value}), called.report)
        }
        Hook::OnTimer => {
            let name = args
                .timer
                .context("--timer NAME is required for the on-timer hook")?;
            let payload: Value =
                serde_json::from_str(&args.payload).context("--payload is not JSON")?;
            let timer = c::FiredTimer {
                name,
                due: snapshot.now,
                payload: c::Json::from(payload),
            };
            let called = runtime.on_timer(&plugin, &snapshot, &timer).await?;
            (json!({"effects": called.value}), called.report)
        }
        Hook::Action => {
            let name = args
                .action
                .context("--action NAME is required for the action hook")?;
            let input: Value =
                serde_json::from_str(&args.action_input).context("--action-input is not JSON")?;
            let called = runtime
                .action(&plugin, &snapshot, &name, &c::Json::from(input))
                .await?;
            let result = match called.value {
                Ok(out) => json!({"output": out.output, "effects": out.effects}),
                Err(rejection) => json!({"rejected": rejection}),
            };
            (result, called.report)
        }
        Hook::OnSurvey => {
            let answer = survey_answer(args.answer.as_deref(), &snapshot)?;
            match runtime.on_survey(&plugin, &snapshot, &answer).await? {
                Some(called) => (json!({"effects": called.value}), called.report),
                None => bail!(
                    "{}@{} does not export on-survey (contract {}; the hook needs 1.1.0 and \
                     the plugin-with-surveys world)",
                    plugin.name(),
                    plugin.version(),
                    plugin.contract()
                ),
            }
        }
    };
    let out = json!({
        "plugin": plugin.name(),
        "version": plugin.version(),
        "contract": plugin.contract(),
        "hook": args.hook,
        "result": result,
        "fuel_used": report.fuel_used,
        "peak_memory_bytes": report.peak_memory_bytes,
        "elapsed_us": report.elapsed.as_micros() as u64,
        "cpu_us": report.cpu.as_micros() as u64,
        "log": report.log,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// The answer `on-survey` gets: `--answer`, or the last `survey_answered`
/// event of the history, as the host would hand it over.
fn survey_answer(arg: Option<&str>, snapshot: &c::Snapshot) -> anyhow::Result<c::SurveyAnswer> {
    if let Some(text) = arg {
        return serde_json::from_str(text).context("--answer is not a survey answer");
    }
    let event = snapshot
        .history
        .iter()
        .rev()
        .find(|e| e.kind == "survey_answered")
        .context("--answer JSON is required: the history has no survey_answered event")?;
    let data = event.data.value().map_err(|r| anyhow::anyhow!("{r}"))?;
    let ratings = data["ratings"]
        .as_object()
        .context("the survey_answered event has no ratings")?
        .iter()
        .map(|(attribute, score)| {
            let score = score
                .as_u64()
                .and_then(|s| u8::try_from(s).ok())
                .with_context(|| format!("the rating of `{attribute}` is not 1–5"))?;
            Ok(c::Rating {
                attribute: attribute.clone(),
                score,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(c::SurveyAnswer {
        survey: data["survey"].as_str().unwrap_or_default().to_string(),
        ratings,
        nps: data["nps"].as_u64().and_then(|n| u8::try_from(n).ok()),
        comment: data["comment"].as_str().map(str::to_string),
    })
}

fn new_plugin(args: NewArgs) -> anyhow::Result<()> {
    let lang = args.lang;
    let dir = crate::scaffold::create(&crate::scaffold::NewPlugin {
        name: args.name,
        path: args.path,
        sdk: args.sdk,
        lang,
    })?;
    println!("created {}", dir.display());
    let next = match lang {
        crate::scaffold::Lang::Rust => "cargo test && cargo build --target wasm32-wasip2 --release",
        crate::scaffold::Lang::Python | crate::scaffold::Lang::Js => "./build",
    };
    println!("next: cd {} && {next}", dir.display());
    Ok(())
}

fn decision_json(decision: c::Decision) -> Value {
    match decision {
        Ok(effects) => json!({"allowed": true, "effects": effects}),
        Err(rejection) => json!({"allowed": false, "rejection": rejection}),
    }
}

/// The request the host would make for transition `name` from the ticket's
/// current state.
fn transition_request(
    manifest: &c::Manifest,
    snapshot: &c::Snapshot,
    name: &str,
    note: Option<String>,
) -> anyhow::Result<c::TransitionRequest> {
    let ticket = &snapshot.ticket;
    let kind = manifest
        .kind(&ticket.kind)
        .with_context(|| format!("the plugin does not own kind `{}`", ticket.kind))?;
    let transition = kind
        .workflow
        .transition(name)
        .with_context(|| format!("kind `{}` has no transition `{name}`", ticket.kind))?;
    if !transition.from.contains(&ticket.state) {
        bail!(
            "transition `{name}` cannot be taken from state `{}` (only from {})",
            ticket.state,
            transition.from.join(", ")
        );
    }
    Ok(c::TransitionRequest {
        name: name.to_string(),
        from: ticket.state.clone(),
        to: transition.to.clone(),
        note,
        changed_attributes: Vec::new(),
    })
}
