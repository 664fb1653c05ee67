//! What keeps the embedded server private to its owner: the superuser has a generated password
//! (SCRAM-SHA-256), kept in a file only the owner can read, and `pg_hba.conf` lets nobody in
//! without it: no `trust` line, no Unix socket (the server listens on loopback TCP only).
//!
//! Why a password and not peer authentication on a private socket: as root the server runs as
//! the `postgres` user while roster runs as root, so peer authentication would need an ident map
//! naming both, and every tool (roster's commands, `psql`, `pgbench`, a user's own client) would
//! need the socket path; a password in a 0600 file works the same for every user and every tool,
//! over the one loopback port.
//!
//! A data directory made by an earlier version (with `trust`) is made private on its next start,
//! before the server listens: the password is set in single-user mode (no connection possible),
//! then `pg_hba.conf` is replaced. Each step can be repeated, so a crash between them is harmless.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use super::{command, io_err, open_log, tail, Binaries, EmbeddedError, SUPERUSER};

/// The `pg_hba.conf` of every embedded server: its superuser, with its password, over loopback.
const HBA: &str = "\
# roster's embedded Postgres is private to the user who runs roster: only over loopback TCP,
# and only with the superuser's password (in the file beside this data directory, mode 0600).
# roster rewrites this file on every start; `roster psql` connects with the password.
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
# Streaming replication (a hot standby for reads), by the same superuser, the same way.
host replication all 127.0.0.1/32 scram-sha-256
host replication all ::1/128 scram-sha-256
";

/// The file holding the superuser's password: beside the data directory, not in it (the data
/// directory belongs to the server's user; this file to roster's).
pub fn password_file(data_dir: &Path) -> PathBuf {
    data_dir.with_extension("password")
}

/// The superuser's password of the server on `data_dir`.
pub fn read_password(data_dir: &Path) -> Result<String, EmbeddedError> {
    let path = password_file(data_dir);
    let text = fs::read_to_string(&path).map_err(|source| EmbeddedError::Io {
        step: "reading the embedded Postgres password file",
        source,
    })?;
    let password = text.trim();
    if password.is_empty() || !password.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(EmbeddedError::Failed {
            step: "reading the embedded Postgres password file",
            detail: format!("{} does not hold a password roster made", path.display()),
        });
    }
    Ok(password.to_owned())
}

/// Makes the cluster on `data_dir` private (see the module's comment) unless it already is, and
/// returns the superuser's password. The server must not be running. Blocking.
pub(super) fn secure(
    bins: &Binaries,
    data_dir: &Path,
    log_path: &Path,
    user: Option<(u32, u32)>,
) -> Result<String, EmbeddedError> {
    let (password, made) = match read_password(data_dir) {
        Ok(password) => (password, false),
        Err(_) if !password_file(data_dir).exists() => (new_password(data_dir)?, true),
        Err(e) => return Err(e),
    };
    let hba = data_dir.join("pg_hba.conf");
    let private = fs::read_to_string(&hba).is_ok_and(|text| text == HBA);
    if private && !made {
        return Ok(password);
    }
    set_password(bins, data_dir, log_path, user, &password)?;
    let written = hba.with_extension("conf.roster");
    fs::write(&written, HBA).map_err(io_err("writing pg_hba.conf"))?;
    fs::set_permissions(&written, fs::Permissions::from_mode(0o600))
        .map_err(io_err("writing pg_hba.conf"))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&written, Some(uid), Some(gid))
            .map_err(io_err("handing pg_hba.conf to postgres"))?;
    }
    fs::rename(&written, &hba).map_err(io_err("replacing pg_hba.conf"))?;
    Ok(password)
}

/// A new random password (192 bits, letters and digits), saved with mode 0600 before it is used.
fn new_password(data_dir: &Path) -> Result<String, EmbeddedError> {
    use rand::distr::{Alphanumeric, SampleString};
    let password = Alphanumeric.sample_string(&mut rand::rng(), 32);
    write_owner_only(&password_file(data_dir), &format!("{password}\n"))
        .map_err(io_err("saving the embedded Postgres password file"))?;
    Ok(password)
}

/// Writes `text` to a new file (mode 0600, synced) and renames it over `path`: a secret file
/// is never readable by others, and never seen half written.
pub fn write_owner_only(path: &Path, text: &str) -> std::io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = fs::remove_file(&partial);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&partial)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    fs::rename(&partial, path)
}

/// Sets the superuser's password in single-user mode: no server listens meanwhile. The
/// statement comes on standard input (never on a command line) and is kept out of the log.
fn set_password(
    bins: &Binaries,
    data_dir: &Path,
    log_path: &Path,
    user: Option<(u32, u32)>,
    password: &str,
) -> Result<(), EmbeddedError> {
    let log = open_log(log_path)?;
    let mut child = command(bins.bindir.join("postgres"), user)
        .arg("--single")
        .arg("-D")
        .arg(data_dir)
        .args(["-c", "listen_addresses=", "-c", "unix_socket_directories="])
        .arg("postgres")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(io_err("starting postgres in single-user mode"))?;
    let statements = format!(
        "SET log_min_error_statement = panic;\nALTER ROLE \"{SUPERUSER}\" PASSWORD '{password}';\n"
    );
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(statements.as_bytes()))
        .unwrap_or(Ok(()));
    let status = child
        .wait()
        .map_err(io_err("running postgres in single-user mode"))?;
    if written.is_err() || !status.success() {
        return Err(EmbeddedError::Failed {
            step: "setting the embedded Postgres password",
            detail: format!("{status}; log {}:\n{}", log_path.display(), tail(log_path)),
        });
    }
    Ok(())
}
