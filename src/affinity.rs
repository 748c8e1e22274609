//! CPU affinity: the CPUs this process may run on, and pinning the processes the
//! runner starts to some of them.
//!
//! On a shared or virtual machine the CPUs do not run at one speed: a virtual CPU
//! whose physical sibling is busy runs at half speed, and which one is slow changes
//! from second to second. Two variants measured on different CPUs then differ by
//! tens of percent for no reason of their own; on one CPU they see the same speed.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// The CPUs this process may run on, in order.
pub fn allowed() -> Vec<usize> {
    // SAFETY: sched_getaffinity fills the set it is given, of the size given.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) } == 0;
    (0..libc::CPU_SETSIZE as usize)
        .filter(|&c| ok && unsafe { libc::CPU_ISSET(c, &set) })
        .collect()
}

/// `--cpus` as read: the CPUs to pin to, empty for `all`. A type of its own
/// because clap reads an `Option<Vec<_>>` field as a list of values, one per
/// occurrence, and a parser that returns the whole list then panics at access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpus(pub Vec<usize>);

/// Reads `--cpus`: `all` (no pinning, an empty list), or CPUs such as `3`, `2,3`,
/// `0-3`, each one this process may use.
pub fn parse(arg: &str) -> Result<Cpus, String> {
    parse_list(arg).map(Cpus)
}

fn parse_list(arg: &str) -> Result<Vec<usize>, String> {
    if arg == "all" {
        return Ok(vec![]);
    }
    let number = |s: &str| {
        s.trim()
            .parse::<usize>()
            .ok()
            .filter(|&c| c < libc::CPU_SETSIZE as usize)
            .ok_or_else(|| format!("`{s}` is not a CPU number; give e.g. 3, 2,3, 0-3 or all"))
    };
    let mut cpus = Vec::new();
    for part in arg.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (number(a)?, number(b)?);
                if a > b {
                    return Err(format!(
                        "`{part}` is an empty range; give the lower CPU first"
                    ));
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(number(part)?),
        }
    }
    let allowed = allowed();
    if let Some(c) = cpus.iter().find(|c| !allowed.contains(c)) {
        return Err(format!(
            "CPU {c} is not one this process may use (it may use {})",
            list(&allowed)
        ));
    }
    cpus.sort();
    cpus.dedup();
    Ok(cpus)
}

/// The CPUs a run pins to: those asked for (empty for `all`), or by default the
/// last CPU this process may use (the first often takes the interrupts); none
/// when it may use only one anyway.
pub fn choose(asked: Option<Cpus>) -> Vec<usize> {
    asked.map(|c| c.0).unwrap_or_else(|| {
        let all = allowed();
        match all.as_slice() {
            [_, .., last] => vec![*last],
            _ => vec![],
        }
    })
}

/// `1`, `0,2`, `0-3`: CPUs as `taskset -c` writes them.
pub fn list(cpus: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", cpus[i], cpus[j])
        } else if j == i + 1 {
            format!("{},{}", cpus[i], cpus[j])
        } else {
            cpus[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

/// Makes `cmd` start on `cpus` only; on any CPU when `cpus` is empty.
pub fn pin(cmd: &mut Command, cpus: &[usize]) {
    if cpus.is_empty() {
        return;
    }
    // SAFETY: an all-zero cpu_set_t is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: between fork and exec this only makes one system call, which is
    // async-signal-safe, on memory the closure owns.
    unsafe {
        cmd.pre_exec(move || {
            if libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_writes_ranges_as_taskset_does() {
        assert_eq!(list(&[1]), "1");
        assert_eq!(list(&[0, 1]), "0,1");
        assert_eq!(list(&[0, 1, 2, 3, 6]), "0-3,6");
    }

    #[test]
    fn parse_reads_lists_and_ranges_and_refuses_cpus_out_of_reach() {
        let first = allowed()[0];
        assert_eq!(parse(&first.to_string()), Ok(Cpus(vec![first])));
        assert_eq!(parse("all"), Ok(Cpus(vec![])));
        assert_eq!(
            parse(&format!("{first}-{first},{first}")),
            Ok(Cpus(vec![first]))
        );
        assert!(parse("x").unwrap_err().contains("not a CPU number"));
        assert!(parse("3-1").unwrap_err().contains("empty range"));
        let err = parse("1000").unwrap_err();
        assert!(
            err.contains("CPU 1000 is not one this process may use"),
            "{err}"
        );
    }

    #[test]
    fn a_pinned_child_runs_only_where_it_was_pinned() {
        let cpu = *allowed().last().unwrap();
        let mut cmd = Command::new("grep");
        cmd.args(["Cpus_allowed_list", "/proc/self/status"]);
        pin(&mut cmd, &[cpu]);
        let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
        assert_eq!(
            out.split_whitespace().last(),
            Some(cpu.to_string().as_str()),
            "{out}"
        );
    }
}
