//! Where the embedded cluster lives, and whether a server already runs there.
//!
//! As root, the server runs as the `postgres` user, which cannot enter a directory like root's
//! home (mode 0700). The default data directory is then moved, once and for good, to a directory
//! under `/var/lib/roster/` named after the default's absolute path and owned by that user, so a
//! clone anywhere just works and later runs find their data again. A data directory the caller
//! chose is used as given (and refused with a clear message if unreachable).

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::{absolute, io_err, run_as, EmbeddedError};

/// Where relocated data directories go.
pub const RELOCATED_ROOT: &str = "/var/lib/roster";

/// The data directory to use for `requested`: itself when it was chosen explicitly or when the
/// server can reach it; otherwise (root, unreachable default) its relocated twin, created on
/// first use. Returns the directory and, if it was moved, why.
pub fn resolve(
    requested: &Path,
    explicit: bool,
) -> Result<(PathBuf, Option<String>), EmbeddedError> {
    let requested = absolute(requested)?;
    // A chosen directory is used as given: `PostgresServer::start` refuses it, with the same
    // clear message, if the server cannot reach it.
    let Some((uid, gid)) = run_as()?.filter(|_| !explicit) else {
        return Ok((requested, None));
    };
    let Some(blocked) = unreachable_ancestor(&requested, uid) else {
        return Ok((requested, None));
    };
    let home = relocated_home(&requested);
    fs::create_dir_all(RELOCATED_ROOT).map_err(io_err("creating /var/lib/roster"))?;
    fs::set_permissions(RELOCATED_ROOT, fs::Permissions::from_mode(0o755))
        .map_err(io_err("opening /var/lib/roster to the postgres user"))?;
    fs::create_dir_all(&home).map_err(io_err("creating the relocated data directory"))?;
    fs::write(home.join("origin"), format!("{}\n", requested.display()))
        .map_err(io_err("recording the relocated data directory's origin"))?;
    std::os::unix::fs::chown(&home, Some(uid), Some(gid))
        .map_err(io_err("handing the relocated data directory to postgres"))?;
    fs::set_permissions(&home, fs::Permissions::from_mode(0o700))
        .map_err(io_err("setting the relocated data directory's permissions"))?;
    let why = format!(
        "the postgres user cannot enter {}; using {} instead (and on every later run from here)",
        blocked.display(),
        home.join("pg").display()
    );
    Ok((home.join("pg"), Some(why)))
}

/// `/var/lib/roster/<first 12 hex digits of sha256(path)>`: one per project path.
pub fn relocated_home(requested: &Path) -> PathBuf {
    let digest = Sha256::digest(requested.as_os_str().as_encoded_bytes());
    let key: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    Path::new(RELOCATED_ROOT).join(key)
}

/// The first ancestor of `dir` that `uid` cannot enter, if any.
pub(super) fn unreachable_ancestor(dir: &Path, uid: u32) -> Option<PathBuf> {
    dir.ancestors().skip(1).find_map(|ancestor| {
        let meta = fs::metadata(ancestor).ok()?;
        let mode = meta.permissions().mode();
        (meta.uid() != uid && mode & 0o001 == 0).then(|| ancestor.to_path_buf())
    })
}

/// A server running on a data directory, as its `postmaster.pid` tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    pub pid: u32,
    pub port: u16,
    /// Accepting connections (not starting up or shutting down).
    pub ready: bool,
}

/// The server running on `data_dir`, if a live `postgres` process owns its `postmaster.pid`.
pub fn running(data_dir: &Path) -> Option<Running> {
    let text = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let pid: u32 = lines.first()?.parse().ok()?;
    let port: u16 = lines.get(3)?.parse().ok()?;
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    if !comm.trim().starts_with("postgres") {
        return None; // a stale file from a crash; Postgres clears it on start
    }
    Some(Running {
        pid,
        port,
        ready: lines.get(7) == Some(&"ready"),
    })
}

/// Waits (up to `timeout`) until no server runs on `data_dir`: a roster killed a moment ago
/// leaves its Postgres shutting down for a second or two. Calls `waiting` once if it must wait.
pub fn wait_until_stopped(
    data_dir: &Path,
    timeout: Duration,
    waiting: impl FnOnce(&Running),
) -> Result<(), EmbeddedError> {
    let Some(first) = running(data_dir) else {
        return Ok(());
    };
    waiting(&first);
    let deadline = Instant::now() + timeout;
    while let Some(still) = running(data_dir) {
        if Instant::now() > deadline {
            return Err(EmbeddedError::InUse {
                data_dir: data_dir.to_path_buf(),
                pid: still.pid,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocation_is_stable_and_per_path() {
        let a = relocated_home(Path::new("/root/roster/.roster/pg"));
        assert_eq!(a, relocated_home(Path::new("/root/roster/.roster/pg")));
        assert_ne!(a, relocated_home(Path::new("/root/other/.roster/pg")));
        assert!(a.starts_with(RELOCATED_ROOT));
        assert_eq!(a.file_name().unwrap().len(), 12);
    }

    #[test]
    fn no_running_server_without_a_live_postmaster() {
        let dir = std::env::temp_dir().join(format!("roster-loc-{}", ulid::Ulid::new()));
        fs::create_dir_all(&dir).unwrap();
        assert_eq!(running(&dir), None);
        // A stale file naming a process that is not postgres (ourselves).
        let stale = format!(
            "{}\n{}\n0\n5432\n\n\n\nready\n",
            std::process::id(),
            dir.display()
        );
        fs::write(dir.join("postmaster.pid"), stale).unwrap();
        assert_eq!(running(&dir), None);
        let mut called = false;
        wait_until_stopped(&dir, Duration::from_millis(10), |_| called = true).unwrap();
        assert!(!called);
        fs::remove_dir_all(dir).unwrap();
    }
}
