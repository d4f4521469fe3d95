//! Running commands and the servers that demo and tests need. Each server runs in its own
//! process group and is stopped, with everything it started (workerd under wrangler), when its
//! `Service` is dropped (on success, on an error, on a panic) and when a SIGINT, SIGTERM or
//! SIGHUP comes at any time after the first one started: the handler installed before it
//! stops them all and exits.

use anyhow::{Context, Result, anyhow, bail};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Runs `cmd` to completion, failing with what it was when it does not succeed.
pub fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// Runs `cmd` and returns its standard output, failing with its standard error.
pub fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .with_context(|| format!("could not start {shown}"))?;
    if !out.status.success() {
        bail!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The services running now, each as its process group (its leader's pid) and its name. A
/// service is listed from before it can run until its whole group is gone, and this lock is
/// held while one starts or stops, so the signal handler never misses one.
static RUNNING: Mutex<Vec<(libc::pid_t, String)>> = Mutex::new(Vec::new());
/// Set once a SIGINT, SIGTERM or SIGHUP came: no service starts after it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// How the process exits after a signal stopped the services: 130 (interrupted) while the
/// services are starting, 0 once stopping them is the expected way to end (the demo is up).
static EXIT_ON_SIGNAL: AtomicI32 = AtomicI32::new(130);
/// Whether the handler could be installed (its error otherwise), installed once.
static HANDLER: OnceLock<Result<(), String>> = OnceLock::new();

fn running() -> MutexGuard<'static, Vec<(libc::pid_t, String)>> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a SIGINT, SIGTERM or SIGHUP came (the services are being stopped).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The exit code after a signal stopped the services: 0 once the signal is the expected way to
/// stop (the demo is serving), else 130, the default.
pub fn exit_code_on_signal(code: i32) {
    EXIT_ON_SIGNAL.store(code, Ordering::SeqCst);
}

/// Installs, once and before the first service starts, the handler of SIGINT, SIGTERM and
/// SIGHUP (Ctrl-C, `kill`, a closed terminal, a process manager): it stops every running
/// service's process group and exits. The services are in process groups of their own, so a
/// signal to ours does not reach them; without this they would outlive us.
fn stop_services_on_signal() -> Result<()> {
    HANDLER
        .get_or_init(|| {
            ctrlc::set_handler(|| {
                INTERRUPTED.store(true, Ordering::SeqCst);
                // Held until exit: a service starting or stopping now finishes first, and none
                // starts after.
                let mut running = running();
                if !running.is_empty() {
                    let names: Vec<&str> = running.iter().map(|(_, n)| n.as_str()).collect();
                    // Not println!: it panics when the terminal is gone (SIGHUP), and it could
                    // wait on the main thread's stdout; this thread must go on to stop them.
                    let _ = writeln!(std::io::stderr(), "\n==> Stopping {}", names.join(", "));
                }
                let groups: Vec<libc::pid_t> = running.iter().map(|&(pid, _)| pid).collect();
                stop_groups(&groups);
                running.clear();
                std::process::exit(EXIT_ON_SIGNAL.load(Ordering::SeqCst));
            })
            .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|e| anyhow!("cannot catch SIGINT, SIGTERM and SIGHUP to stop the services: {e}"))
}

/// A server run for the demo or tests, in its own process group with everything it starts
/// (workerd under wrangler). Dropping it stops the whole group.
pub struct Service {
    name: String,
    child: Child,
}

impl Service {
    pub fn start(name: &str, cmd: &mut Command) -> Result<Service> {
        stop_services_on_signal()?;
        let mut running = running();
        if interrupted() {
            bail!("interrupted: not starting {name}");
        }
        #[cfg(target_os = "linux")]
        {
            let parent = std::process::id() as libc::pid_t;
            // SAFETY: prctl(2) and getppid(2) are async-signal-safe, and so is making an
            // io::Error from an errno (no allocation).
            unsafe {
                cmd.pre_exec(move || {
                    // Should we die without stopping it (SIGKILL), it gets a SIGTERM.
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // We died before the line above.
                    if libc::getppid() != parent {
                        return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                    }
                    Ok(())
                });
            }
        }
        let child = cmd
            .process_group(0)
            .spawn()
            .with_context(|| format!("could not start {name}: {cmd:?}"))?;
        running.push((child.id() as libc::pid_t, name.to_owned()));
        Ok(Service {
            name: name.to_owned(),
            child,
        })
    }

    /// Waits until `GET http://127.0.0.1:{port}{path}` answers 200, or fails after `timeout`
    /// (or at once if the service died).
    pub fn wait_ready(&mut self, port: u16, path: &str, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Some(status) = self.child.try_wait()? {
                bail!("{} stopped before it was ready ({status})", self.name);
            }
            if http_status(port, path).is_some_and(|s| s == 200) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "{} did not answer on 127.0.0.1:{port}{path} within {timeout:?}",
            self.name
        )
    }

    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let pgid = self.child.id() as libc::pid_t;
        // Waits, while the signal handler stops the services, until it exits.
        let mut running = running();
        stop_groups(&[pgid]);
        running.retain(|&(pid, _)| pid != pgid);
        // Reaped by stop_groups already, unless it had exited before.
        let _ = self.child.try_wait();
    }
}

/// Stops the process groups `groups` (each led by a child of ours): SIGTERM, up to 5 s for
/// them to end, then SIGKILL to what is left.
fn stop_groups(groups: &[libc::pid_t]) {
    for &pgid in groups {
        // SAFETY: kill(2) on a process group that a child of ours leads; no memory involved.
        unsafe { libc::kill(-pgid, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let left: Vec<libc::pid_t> = groups
        .iter()
        .copied()
        .filter(|&pgid| !group_gone_by(pgid, deadline))
        .collect();
    for &pgid in &left {
        // SAFETY: as above; whatever is left of the group is ended.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    for &pgid in &left {
        group_gone_by(pgid, deadline);
    }
}

/// Whether process group `pgid` is gone by `deadline`. Its leader, our child, is reaped on the
/// way: a zombie would keep the group alive. The group's id cannot be given to another process
/// while any member lives, so the signals above only ever reach that group.
fn group_gone_by(pgid: libc::pid_t, deadline: Instant) -> bool {
    loop {
        // SAFETY: waitpid(2) on our own child, without a status; kill(2) with signal 0 only
        // checks that the group exists.
        let gone = unsafe {
            libc::waitpid(pgid, std::ptr::null_mut(), libc::WNOHANG);
            libc::kill(-pgid, 0) == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
        };
        if gone {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The status code of a plain HTTP/1.0 GET on 127.0.0.1, or None if nothing answered.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// A port on 127.0.0.1 that the system picks, free a moment ago and not one of `taken`.
pub fn any_free_port(taken: &[u16]) -> Result<u16> {
    loop {
        let port = TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port();
        if !taken.contains(&port) {
            return Ok(port);
        }
    }
}

/// Fails when `port` on 127.0.0.1 is taken, saying by which process and what to do: `what` is
/// what needs it, `flag` the option of `cargo xtask demo` that chooses another one.
pub fn ensure_port_free(port: u16, what: &str, flag: &str) -> Result<()> {
    match TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            bail!("{}", crate::ports::taken_message(port, what, flag))
        }
        Err(e) => Err(e).with_context(|| {
            format!("{what} cannot listen on 127.0.0.1:{port}; choose another port with `cargo xtask demo {flag} N`")
        }),
    }
}
