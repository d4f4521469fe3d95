//! `cargo xtask demo` against what ends it early: a port already taken, and SIGTERM to its
//! process group (a closed terminal, a process manager) while it starts.
//!
//! The port tests are fast: the demo checks its ports before it builds anything. The signal
//! tests build and start the whole demo (on free ports, with the demo's D1 in
//! target/demo-d1), which takes minutes the first time, so they are ignored by default:
//!
//! ```sh
//! cargo test -p xtask --test demo_signals -- --ignored --nocapture --test-threads=1
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// Runs `cargo xtask demo ARGS` with one of its ports held by this test; returns its exit
/// status, its output and its error output.
fn demo_with_port_held(args: &[&str]) -> (ExitStatus, String, String) {
    let mut child = xtask()
        .arg("demo")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // It checks its ports before anything else: it must not get to the build.
    let Some(status) = wait_with_timeout(&mut child, Duration::from_secs(30)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("`cargo xtask demo` did not stop at once on a taken port");
    };
    let output = child.wait_with_output().unwrap();
    (
        status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_taken_site_port_is_reported_with_its_holder_and_nothing_starts() {
    let held = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = held.local_addr().unwrap().port();
    let edge = free_port().to_string();
    let (status, out, err) =
        demo_with_port_held(&["--edge-port", &edge, "--site-port", &port.to_string()]);
    assert!(!status.success(), "{status}\n{out}\n{err}");
    let me = std::process::id();
    assert!(
        err.contains(&format!(
            "port {port} on 127.0.0.1, for the demo site, is taken by"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("PID {me}: ")), "{err}");
    assert!(err.contains(&format!("`kill {me}`")), "{err}");
    assert!(err.contains("`cargo xtask demo --site-port N`"), "{err}");
    assert!(!out.contains("Starting"), "{out}");
    drop(held);
}

#[test]
fn a_taken_edge_port_is_reported_with_its_holder_and_nothing_starts() {
    let held = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = held.local_addr().unwrap().port();
    let site = free_port().to_string();
    let (status, out, err) =
        demo_with_port_held(&["--edge-port", &port.to_string(), "--site-port", &site]);
    assert!(!status.success(), "{status}\n{out}\n{err}");
    assert!(
        err.contains(&format!(
            "port {port} on 127.0.0.1, for the edge, is taken by"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("PID {}: ", std::process::id())),
        "{err}"
    );
    assert!(err.contains("`cargo xtask demo --edge-port N`"), "{err}");
    assert!(!out.contains("Starting"), "{out}");
    drop(held);
}

#[test]
fn the_same_port_twice_is_refused() {
    let port = free_port().to_string();
    let (status, _, err) = demo_with_port_held(&["--edge-port", &port, "--site-port", &port]);
    assert!(!status.success());
    assert!(err.contains("need three different ports"), "{err}");
}

// The signal tests.

/// (ppid, command line) of every process, by pid.
fn processes() -> HashMap<u32, (u32, String)> {
    let mut all = HashMap::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        // A zombie is gone but for its exit status.
        if fields.first() == Some(&"Z") {
            continue;
        }
        let ppid = fields.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        all.insert(
            pid,
            (ppid, String::from_utf8_lossy(&cmdline).replace('\0', " ")),
        );
    }
    all
}

/// The live descendants of `root`, with their command lines.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let all = processes();
    let mut found = Vec::new();
    let mut parents = vec![root];
    while let Some(parent) = parents.pop() {
        for (&pid, (ppid, cmd)) in &all {
            if *ppid == parent {
                found.push((pid, cmd.clone()));
                parents.push(pid);
            }
        }
    }
    found
}

/// The demo, in a process group of its own as a terminal's job would be; killed with all it
/// started if the test fails half-way.
struct Demo {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<(u32, String)>,
}

impl Demo {
    fn start(edge_port: u16, site_port: u16) -> Demo {
        let mut child = xtask()
            .arg("demo")
            .args(["--edge-port", &edge_port.to_string()])
            .args(["--site-port", &site_port.to_string()])
            .args(["--mail-port", &free_port().to_string()])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("demo: {line}");
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Demo {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits for a line of output that contains `marker`.
    fn wait_for(&mut self, marker: &str) {
        // The first build of everything takes minutes.
        let timeout = Duration::from_secs(
            std::env::var("MEMNUN_DEMO_TIMEOUT")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1200),
        );
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(marker) => return,
                Ok(_) => {}
                Err(_) => panic!("the demo never printed {marker:?}"),
            }
        }
    }

    /// Waits until one of the demo's processes runs a command line containing `what`.
    fn wait_for_process(&mut self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if descendants(self.child.id())
                .iter()
                .any(|(_, cmd)| cmd.contains(what))
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the demo never ran {what}");
    }

    /// Sends `signal` to the demo's process group; returns how it exited.
    fn signal_group(&mut self, signal: libc::c_int) -> ExitStatus {
        self.seen = descendants(self.child.id());
        assert!(
            self.seen.iter().any(|(_, cmd)| cmd.contains("wrangler")),
            "no wrangler under the demo: {:?}",
            self.seen
        );
        // SAFETY: kill(2) on the process group of our own child.
        unsafe { libc::kill(-(self.child.id() as libc::pid_t), signal) };
        wait_with_timeout(&mut self.child, Duration::from_secs(30))
            .expect("the demo did not exit within 30 s of the signal")
    }

    /// Those of the demo's processes seen before the signal that still run.
    fn left_over(&self) -> Vec<(u32, String)> {
        let now = processes();
        self.seen
            .iter()
            .filter(|(pid, cmd)| now.get(pid).is_some_and(|(_, c)| c == cmd))
            .cloned()
            .collect()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let pgid = self.child.id() as libc::pid_t;
        let mut pids: Vec<u32> = descendants(self.child.id())
            .into_iter()
            .map(|(pid, _)| pid)
            .collect();
        pids.extend(self.left_over().into_iter().map(|(pid, _)| pid));
        // SAFETY: kill(2) on our child's group and on processes it started.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
            for pid in pids {
                libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
        }
        let _ = self.child.wait();
    }
}

/// Starts the demo, waits for `marker` (and `process`, when given, among its processes), sends
/// SIGTERM to its process group and checks that nothing it started is left.
fn sigterm_after(marker: &str, process: Option<&str>, expected_code: i32) {
    let (edge_port, site_port) = (free_port(), free_port());
    let mut demo = Demo::start(edge_port, site_port);
    demo.wait_for(marker);
    if let Some(process) = process {
        demo.wait_for_process(process);
    }
    let status = demo.signal_group(libc::SIGTERM);
    assert_eq!(status.code(), Some(expected_code), "{status}");
    // What the signal stopped may take a moment to let go of its sockets.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(demo.left_over(), vec![], "left running after SIGTERM");
    for port in [edge_port, site_port] {
        assert!(
            TcpListener::bind(("127.0.0.1", port)).is_ok(),
            "port {port} is still taken after SIGTERM"
        );
    }
}

#[test]
#[ignore = "builds and starts the whole demo: minutes the first time"]
fn sigterm_while_the_edge_starts_stops_it() {
    sigterm_after("Starting the edge", Some("workerd"), 130);
}

#[test]
#[ignore = "builds and starts the whole demo: minutes the first time"]
fn sigterm_while_seeding_the_orders_stops_the_edge_and_the_site() {
    sigterm_after("Seeding the demo orders", None, 130);
}

#[test]
#[ignore = "builds and starts the whole demo: minutes the first time"]
fn sigterm_once_up_stops_everything_and_succeeds() {
    sigterm_after("Press Ctrl-C to stop", None, 0);
}
