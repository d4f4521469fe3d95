//! Which process holds a TCP port, from what Linux shows in /proc: the socket's inode in
//! /proc/net/tcp and tcp6, then the process whose /proc/PID/fd holds `socket:[inode]`. So that a
//! taken port is reported with who took it (often an earlier demo still running), not worked
//! around.

use std::collections::BTreeSet;
use std::fs;

/// A process holding a socket bound to the port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Its command line, shortened; `[comm]` when it has none.
    pub command: String,
    /// Its process group, when /proc/PID/stat could be read.
    pub pgid: Option<u32>,
}

/// Who holds a TCP port on this machine, as far as this user can see.
#[derive(Debug, Default)]
pub struct Owners {
    /// The processes holding a socket bound to the port, listening ones first.
    pub holders: Vec<Holder>,
    /// The users owning sockets on the port whose process could not be found (another user's,
    /// another network namespace's, or one that went away meanwhile).
    pub unseen_uids: BTreeSet<u32>,
}

/// The sockets bound to `port` (IPv4 and IPv6): listening ones if there are any, else any
/// other bound one. Each as (inode, uid).
fn sockets(port: u16) -> Vec<(u64, u32)> {
    let mut listening = Vec::new();
    let mut bound = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
            if f.len() < 10 {
                continue;
            }
            let Some(local_port) = f[1]
                .rsplit_once(':')
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok())
            else {
                continue;
            };
            let (Ok(uid), Ok(inode)) = (f[7].parse::<u32>(), f[9].parse::<u64>()) else {
                continue;
            };
            // Inode 0: a socket no process holds any more (TIME_WAIT and the like).
            if local_port != port || inode == 0 {
                continue;
            }
            if f[3] == "0A" {
                listening.push((inode, uid));
            } else {
                bound.push((inode, uid));
            }
        }
    }
    if listening.is_empty() {
        bound
    } else {
        listening
    }
}

/// The processes holding a TCP socket bound to `port`, and the users of the sockets whose
/// holder could not be seen.
pub fn owners(port: u16) -> Owners {
    let sockets = sockets(port);
    let mut owners = Owners::default();
    if sockets.is_empty() {
        return owners;
    }
    let wanted: Vec<String> = sockets
        .iter()
        .map(|(inode, _)| format!("socket:[{inode}]"))
        .collect();
    let mut found = vec![false; sockets.len()];
    let Ok(procs) = fs::read_dir("/proc") else {
        owners.unseen_uids = sockets.iter().map(|&(_, uid)| uid).collect();
        return owners;
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        // Another user's process: its fds cannot be read, unless we are root.
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        let mut holds = false;
        for fd in fds.flatten() {
            let Ok(target) = fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            if let Some(i) = wanted.iter().position(|w| *w == target) {
                found[i] = true;
                holds = true;
            }
        }
        if holds {
            owners.holders.push(Holder {
                pid,
                command: command(pid),
                pgid: process_group(pid),
            });
        }
    }
    owners.unseen_uids = sockets
        .iter()
        .zip(&found)
        .filter(|(_, found)| !**found)
        .map(|(&(_, uid), _)| uid)
        .collect();
    owners
}

/// The command line of `pid`, shortened for one line of a message.
pub fn command(pid: u32) -> String {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let mut line = raw
        .split(|&b| b == 0)
        .filter(|part| !part.is_empty())
        .map(String::from_utf8_lossy)
        .collect::<Vec<_>>()
        .join(" ");
    if line.is_empty() {
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        line = format!("[{}]", comm.trim());
    }
    const MAX: usize = 160;
    if line.chars().count() > MAX {
        line = line.chars().take(MAX - 1).collect::<String>() + "…";
    }
    line
}

/// The process group of `pid`, from /proc/PID/stat.
pub fn process_group(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    after_comm.split_whitespace().nth(2)?.parse().ok()
}

/// The processes in process group `pgid`.
pub fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(procs) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut members: Vec<u32> = procs
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()))
        .filter(|&pid| process_group(pid) == Some(pgid))
        .collect();
    members.sort_unstable();
    members
}

/// What to tell someone whose `what` cannot listen on 127.0.0.1:`port` because it is taken:
/// who holds it and what to do; `flag` is the option that chooses another port.
pub fn taken_message(port: u16, what: &str, flag: &str) -> String {
    let owners = owners(port);
    let ours = process_group(std::process::id());
    let mut msg = format!("port {port} on 127.0.0.1, for {what}, is taken");
    let mut stop = Vec::new();
    if owners.holders.is_empty() {
        msg += "; could not tell by which process";
        match owners.unseen_uids.iter().next() {
            Some(uid) => {
                msg += &format!(
                    " (its socket belongs to uid {uid}; another user's processes, or a container's, are not visible)"
                );
            }
            None => msg += " (it may have just been closed)",
        }
        msg += &format!(
            ".\nLook with `ss -ltnp 'sport = :{port}'` (as root for other users' processes) and stop it"
        );
    } else {
        msg += " by:";
        for h in &owners.holders {
            msg += &format!("\n  PID {}: {}", h.pid, h.command);
            stop.push(h.pid.to_string());
            // Part of a larger group, such as an earlier demo's workerd under its wrangler:
            // show the group, so that it can be stopped at once.
            if let Some(pgid) = h.pgid.filter(|&g| g != h.pid && g > 1 && Some(g) != ours) {
                let others: Vec<u32> = group_members(pgid)
                    .into_iter()
                    .filter(|&p| p != h.pid)
                    .collect();
                if !others.is_empty() {
                    msg += &format!("\n    in process group {pgid}, with:");
                    for p in others.iter().take(4) {
                        msg += &format!("\n      PID {p}: {}", command(*p));
                    }
                    if others.len() > 4 {
                        msg += &format!("\n      and {} more", others.len() - 4);
                    }
                    msg += &format!("\n    (`kill -- -{pgid}` stops the whole group)");
                }
            }
        }
        stop.dedup();
        msg += &format!("\nStop it with `kill {}`", stop.join(" "));
    }
    msg += &format!(", or choose another port: `cargo xtask demo {flag} N`.");
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn the_owner_of_a_listening_port_is_found() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let owners = owners(port);
        let me = std::process::id();
        assert!(
            owners.holders.iter().any(|h| h.pid == me),
            "{owners:?} should name this test ({me})"
        );
        let holder = owners.holders.iter().find(|h| h.pid == me).unwrap();
        assert!(!holder.command.is_empty());
        assert_eq!(holder.pgid, process_group(me));
        let message = taken_message(port, "the demo site", "--site-port");
        assert!(message.contains(&format!("PID {me}:")), "{message}");
        assert!(message.contains(&format!("`kill {me}`")), "{message}");
        assert!(message.contains("--site-port N"), "{message}");
    }

    #[test]
    fn the_owner_of_an_ipv6_listening_port_is_found() {
        // Not every machine has IPv6 on loopback.
        let Ok(listener) = TcpListener::bind(("::1", 0)) else {
            return;
        };
        let port = listener.local_addr().unwrap().port();
        let me = std::process::id();
        assert!(owners(port).holders.iter().any(|h| h.pid == me));
    }

    #[test]
    fn a_free_port_has_no_owner() {
        let port = {
            let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
            listener.local_addr().unwrap().port()
        };
        assert!(owners(port).holders.is_empty());
        let message = taken_message(port, "the edge", "--edge-port");
        assert!(message.contains("could not tell"), "{message}");
    }

    #[test]
    fn the_process_group_is_that_of_this_process() {
        assert_eq!(
            process_group(std::process::id()),
            // SAFETY: getpgrp(2) has no preconditions.
            Some(unsafe { libc::getpgrp() } as u32)
        );
    }
}
