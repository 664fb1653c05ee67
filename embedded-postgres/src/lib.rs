//! A private Postgres started from the locally installed server binaries: the embedded default of
//! `roster serve`, and the throwaway server of the tests.
//!
//! `initdb` and `postgres` refuse to run as root. When we are root, the server runs as the
//! `postgres` system user (created by Debian's server package), dropping privileges in the child,
//! and its data directory is handed to that user. The child is in its own process group (a
//! terminal's Ctrl-C reaches roster, which then stops Postgres after draining requests) and gets
//! a parent-death signal, so a killed roster never leaves an orphaned server behind. The server
//! is private to its owner (`private.rs`): a password in a 0600 file, no `trust`, no socket;
//! `supervise.rs` restarts it when it dies under a running roster.
//!
//! Never: touches roster's tables (the migrations are the event store's), or lets another local
//! user reach the server or its files.

use std::fs;
use std::io::{self, Read};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use thiserror::Error;

pub mod location;
pub mod private;
pub mod supervise;

#[derive(Debug, Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server binaries (initdb, postgres) found in ROSTER_PG_BINDIR, on PATH, via \
         pg_config or in /usr/lib/postgresql/*/bin; install them with \
         `apt-get install -y postgresql` or set DATABASE_URL"
    )]
    BinariesNotFound,
    #[error(
        "running as root, but there is no `postgres` system user to run the server as; \
         install Debian's postgresql package (it creates the user) or run roster as a normal user"
    )]
    NoPostgresUser,
    #[error("the postgres user cannot enter {0}; choose a data directory it can reach (e.g. under /var/tmp)")]
    Unreachable(PathBuf),
    #[error(
        "another Postgres (pid {pid}) still runs on {data_dir} after waiting for it to stop; \
         is another `roster serve` using this data directory?"
    )]
    InUse { data_dir: PathBuf, pid: u32 },
    #[error("{step} failed: {detail}")]
    Failed { step: &'static str, detail: String },
    #[error("io error during {step}: {source}")]
    Io {
        step: &'static str,
        #[source]
        source: io::Error,
    },
}

fn io_err(step: &'static str) -> impl FnOnce(io::Error) -> EmbeddedError {
    move |source| EmbeddedError::Io { step, source }
}

/// Where `initdb` and `postgres` live.
#[derive(Debug, Clone)]
pub struct Binaries {
    pub bindir: PathBuf,
}

impl Binaries {
    /// `ROSTER_PG_BINDIR` if set (and nothing else then), else PATH, then `pg_config --bindir`,
    /// then Debian's versioned directories (newest first).
    pub fn locate() -> Result<Self, EmbeddedError> {
        Self::search().map(|b| b.resolved())
    }

    /// Follows symlinks (`/usr/local/bin/postgres` → `/usr/lib/postgresql/15/bin/postgres`), so the
    /// tools next to the server (pgbench, pg_dump) are found too.
    fn resolved(self) -> Self {
        match fs::canonicalize(self.bindir.join("postgres")) {
            Ok(real) => Self {
                bindir: real.parent().map_or(self.bindir.clone(), Path::to_path_buf),
            },
            Err(_) => self,
        }
    }

    fn search() -> Result<Self, EmbeddedError> {
        let usable = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
        if let Some(dir) = std::env::var_os("ROSTER_PG_BINDIR") {
            let dir = PathBuf::from(dir);
            return if usable(&dir) {
                Ok(Self { bindir: dir })
            } else {
                Err(EmbeddedError::BinariesNotFound)
            };
        }
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                if usable(&dir) {
                    return Ok(Self { bindir: dir });
                }
            }
        }
        if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if out.status.success() && usable(&dir) {
                return Ok(Self { bindir: dir });
            }
        }
        let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .filter(|(_, dir)| usable(dir))
            .collect();
        versions.sort();
        versions
            .pop()
            .map(|(_, bindir)| Self { bindir })
            .ok_or(EmbeddedError::BinariesNotFound)
    }
}

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Options {
    /// The cluster's data directory; created by `initdb` on first start, reused afterwards.
    pub data_dir: PathBuf,
    /// `None`: pick a free loopback port.
    pub port: Option<u16>,
    /// `false` trades crash safety for speed (fsync off); for throwaway test servers only.
    pub durable: bool,
    pub max_connections: u32,
    /// More server settings (`-c name=value`), e.g. `shared_preload_libraries` for profiling.
    pub settings: Vec<(String, String)>,
}

impl Options {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            port: None,
            durable: true,
            max_connections: 200,
            settings: Vec::new(),
        }
    }
}

/// The superuser `initdb` creates; it connects with its password, over loopback only
/// (`private.rs`).
pub const SUPERUSER: &str = "roster";

/// Connection URL for `database` of an embedded server listening on `port`, as its superuser.
/// It holds the password: log it only through `store::pool::redact`.
pub fn url(port: u16, password: &str, database: &str) -> String {
    format!("postgres://{SUPERUSER}:{password}@127.0.0.1:{port}/{database}")
}

/// A running server. Stopped by `stop` or on drop.
pub struct PostgresServer {
    pid: u32,
    port: u16,
    password: String,
    data_dir: PathBuf,
    log_path: PathBuf,
    exited: Mutex<Option<mpsc::Receiver<io::Result<ExitStatus>>>>,
}

/// The uid/gid the server must run as, if we are root.
fn run_as() -> Result<Option<(u32, u32)>, EmbeddedError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    // SAFETY: getpwnam returns a pointer into static storage or null; we copy out at once.
    let pw = unsafe { libc::getpwnam(c"postgres".as_ptr()) };
    if pw.is_null() {
        return Err(EmbeddedError::NoPostgresUser);
    }
    // SAFETY: non-null pointer to a valid passwd record.
    Ok(Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) }))
}

/// Refuses early, with a clear message, when the postgres user could not reach the data dir.
fn check_reachable(dir: &Path, uid: u32) -> Result<(), EmbeddedError> {
    match location::unreachable_ancestor(dir, uid) {
        Some(blocked) => Err(EmbeddedError::Unreachable(blocked)),
        None => Ok(()),
    }
}

fn chown_tree(path: &Path, uid: u32, gid: u32) -> io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn command(program: PathBuf, user: Option<(u32, u32)>) -> Command {
    let mut cmd = Command::new(program);
    cmd.current_dir("/")
        .env_remove("PGDATA")
        .env_remove("PGPORT")
        .env_remove("PGHOST")
        .env("LC_ALL", "C");
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

/// The server's log, appended to; only the owner may read it (a failing statement is logged
/// with its text, which may hold anyone's data).
fn open_log(path: &Path) -> Result<fs::File, EmbeddedError> {
    use std::os::unix::fs::OpenOptionsExt;
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err("opening the log file"))?;
    // A log an earlier version made readable by everyone.
    log.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(io_err("closing the log file to other users"))?;
    Ok(log)
}

fn tail(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

impl PostgresServer {
    /// Initialises the cluster if needed, starts it, and waits until it accepts connections.
    /// Blocking: call from a plain thread or `spawn_blocking`.
    pub fn start(bins: &Binaries, options: &Options) -> Result<Self, EmbeddedError> {
        let user = run_as()?;
        let data_dir = absolute(&options.data_dir)?;
        let log_path = data_dir.with_extension("log");
        if let Some(parent) = data_dir.parent() {
            fs::create_dir_all(parent).map_err(io_err("creating the data directory's parent"))?;
        }
        if let Some((uid, _)) = user {
            check_reachable(&data_dir, uid)?;
        }
        if !data_dir.join("PG_VERSION").is_file() {
            Self::initdb(bins, &data_dir, &log_path, user, options.durable)?;
        }
        // Before it listens: a fresh cluster, or one an earlier version left open to `trust`.
        let password = private::secure(bins, &data_dir, &log_path, user)?;
        let mut last_error = None;
        // A port picked free can be taken before the server binds it; try a few.
        for _ in 0..3 {
            let port = match options.port {
                Some(p) => p,
                None => free_port().map_err(io_err("picking a free port"))?,
            };
            match Self::spawn(bins, options, &data_dir, &log_path, port, user, &password) {
                Ok(server) => return Ok(server),
                Err(e) => last_error = Some(e),
            }
            if options.port.is_some() {
                break;
            }
        }
        Err(last_error.unwrap_or(EmbeddedError::BinariesNotFound))
    }

    /// Starts a hot standby of `primary` on `options.data_dir` (absent or empty): a
    /// base backup over streaming replication (`pg_basebackup -R`, so it follows the primary
    /// from then on), the primary's password beside it, then the server, read-only. Blocking.
    pub fn start_standby(
        bins: &Binaries,
        primary: &PostgresServer,
        options: &Options,
    ) -> Result<Self, EmbeddedError> {
        let user = run_as()?;
        let data_dir = absolute(&options.data_dir)?;
        let log_path = data_dir.with_extension("log");
        // An empty directory of the server's user, which pg_basebackup fills.
        fs::create_dir_all(&data_dir).map_err(io_err("creating the data directory"))?;
        fs::set_permissions(&data_dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err("setting data directory permissions"))?;
        if let Some((uid, gid)) = user {
            check_reachable(&data_dir, uid)?;
            std::os::unix::fs::chown(&data_dir, Some(uid), Some(gid))
                .map_err(io_err("handing the data directory to postgres"))?;
        }
        let log = open_log(&log_path)?;
        // The password reaches pg_basebackup in its environment (never its command line), and
        // `-R` writes it into the standby's primary_conninfo, inside its private data directory.
        let status = command(bins.bindir.join("pg_basebackup"), user)
            .env("PGPASSWORD", &primary.password)
            .arg("-D")
            .arg(&data_dir)
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
            .args(["-U", SUPERUSER, "-R", "-X", "stream", "-c", "fast"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io_err("opening the log"))?)
            .stderr(log)
            .status()
            .map_err(io_err("running pg_basebackup"))?;
        if !status.success() {
            return Err(EmbeddedError::Failed {
                step: "pg_basebackup",
                detail: format!("{status}; log {}:\n{}", log_path.display(), tail(&log_path)),
            });
        }
        private::write_owner_only(
            &private::password_file(&data_dir),
            &format!("{}\n", primary.password),
        )
        .map_err(io_err("saving the standby's password file"))?;
        Self::start(bins, options)
    }

    fn initdb(
        bins: &Binaries,
        data_dir: &Path,
        log_path: &Path,
        user: Option<(u32, u32)>,
        durable: bool,
    ) -> Result<(), EmbeddedError> {
        fs::create_dir_all(data_dir).map_err(io_err("creating the data directory"))?;
        fs::set_permissions(data_dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err("setting data directory permissions"))?;
        if let Some((uid, gid)) = user {
            chown_tree(data_dir, uid, gid)
                .map_err(io_err("handing the data directory to postgres"))?;
        }
        let log = open_log(log_path)?;
        let mut cmd = command(bins.bindir.join("initdb"), user);
        cmd.arg("-D")
            .arg(data_dir)
            .args([
                "--username",
                SUPERUSER,
                // Replaced before the server first listens (`private::secure`).
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--no-locale",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io_err("opening the log"))?)
            .stderr(log);
        if !durable {
            cmd.arg("--no-sync");
        }
        let status = cmd.status().map_err(io_err("running initdb"))?;
        if !status.success() {
            return Err(EmbeddedError::Failed {
                step: "initdb",
                detail: format!("{status}; log {}:\n{}", log_path.display(), tail(log_path)),
            });
        }
        Ok(())
    }

    fn spawn(
        bins: &Binaries,
        options: &Options,
        data_dir: &Path,
        log_path: &Path,
        port: u16,
        user: Option<(u32, u32)>,
        password: &str,
    ) -> Result<Self, EmbeddedError> {
        let log = open_log(log_path)?;
        let mut cmd = command(bins.bindir.join("postgres"), user);
        cmd.arg("-D")
            .arg(data_dir)
            .args(["-p", &port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            .args([
                "-c",
                &format!("max_connections={}", options.max_connections),
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io_err("opening the log"))?)
            .stderr(log)
            .process_group(0);
        for (name, value) in &options.settings {
            cmd.arg("-c").arg(format!("{name}={value}"));
        }
        if !options.durable {
            cmd.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        // SAFETY: prctl is async-signal-safe; it runs in the child after the uid change (which
        // would otherwise clear the parent-death signal) and before exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        // The keeper thread owns the child for its whole life: the parent-death signal fires when
        // the spawning *thread* ends, so it must not be a short-lived one.
        let (pid_tx, pid_rx) = mpsc::channel();
        let (exit_tx, exit_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("postgres-{port}"))
            .spawn(move || match cmd.spawn() {
                Ok(mut child) => {
                    let _ = pid_tx.send(Ok(child.id()));
                    let _ = exit_tx.send(child.wait());
                }
                Err(e) => {
                    let _ = pid_tx.send(Err(e));
                }
            })
            .map_err(io_err("starting the postgres keeper thread"))?;
        let pid = pid_rx
            .recv()
            .map_err(|_| EmbeddedError::Failed {
                step: "starting postgres",
                detail: "keeper thread died".into(),
            })?
            .map_err(io_err("starting postgres"))?;
        let server = Self {
            pid,
            port,
            password: password.to_owned(),
            data_dir: data_dir.to_path_buf(),
            log_path: log_path.to_path_buf(),
            exited: Mutex::new(Some(exit_rx)),
        };
        server.wait_ready(Duration::from_secs(60))?;
        Ok(server)
    }

    /// Ready when postmaster.pid says so for our port (Postgres writes "ready" once it accepts
    /// connections), and the server is still running.
    fn wait_ready(&self, timeout: Duration) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + timeout;
        let pid_file = self.data_dir.join("postmaster.pid");
        loop {
            if let Some(status) = self.try_exit_status() {
                return Err(EmbeddedError::Failed {
                    step: "starting postgres",
                    detail: format!(
                        "exited with {status}; log {}:\n{}",
                        self.log_path.display(),
                        tail(&self.log_path)
                    ),
                });
            }
            if let Ok(s) = fs::read_to_string(&pid_file) {
                let lines: Vec<&str> = s.lines().collect();
                if lines.first().map(|l| l.trim()) == Some(&self.pid.to_string())
                    && lines.get(3).map(|l| l.trim()) == Some(&self.port.to_string())
                    && lines.get(7).map(|l| l.trim()) == Some("ready")
                {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(EmbeddedError::Failed {
                    step: "starting postgres",
                    detail: format!(
                        "not ready after {timeout:?}; log {}",
                        self.log_path.display()
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How the server ended, if it did (None while it runs, or once `stop` took its end).
    pub fn try_exit_status(&self) -> Option<String> {
        let guard = self.exited.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref()?.try_recv() {
            Ok(status) => Some(format!("{status:?}")),
            Err(mpsc::TryRecvError::Disconnected) => Some("unknown status".into()),
            Err(mpsc::TryRecvError::Empty) => None,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Connection URL for `database` as the cluster's superuser (with its password).
    pub fn url(&self, database: &str) -> String {
        url(self.port, &self.password, database)
    }

    /// The superuser's password (also in `private::password_file`).
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit) and wait for it;
    /// SIGKILL if it takes longer than 30 s. Idempotent.
    pub fn stop(&self) {
        self.stop_with(libc::SIGINT);
    }

    /// Immediate shutdown (SIGQUIT, `pg_ctl stop -m immediate`: no checkpoint, crash recovery on
    /// the next start), as a failing server goes away; waited for like `stop`.
    pub fn stop_immediately(&self) {
        self.stop_with(libc::SIGQUIT);
    }

    fn stop_with(&self, signal: i32) {
        let Some(exit) = self.exited.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return;
        };
        // SAFETY: plain signal to our own child's pid; the keeper has not reaped it unless it
        // already sent its status, in which case the signal is harmless (pid not reused yet:
        // the keeper's wait() is the reap, and we hold its receiver).
        unsafe { libc::kill(self.pid as i32, signal) };
        if exit.recv_timeout(Duration::from_secs(30)).is_err() {
            unsafe { libc::kill(self.pid as i32, libc::SIGKILL) };
            let _ = exit.recv_timeout(Duration::from_secs(10));
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn absolute(path: &Path) -> Result<PathBuf, EmbeddedError> {
    if path.is_absolute() {
        Ok(path.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .map_err(io_err("reading the current directory"))?
            .join(path))
    }
}

/// Creates `name` if it does not exist. `name` is ours (config or test), never request input;
/// it is still checked, since a database name cannot be a bind parameter.
pub async fn ensure_database(server_url: &str, name: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(sqlx::Error::Configuration(
            format!("invalid database name {name:?}").into(),
        ));
    }
    let mut conn = sqlx::PgConnection::connect(server_url).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let created = sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await;
        match created {
            // Someone else created it meanwhile: fine.
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P04") => {}
            other => {
                other?;
            }
        }
    }
    conn.close().await
}
