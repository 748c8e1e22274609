//! How quiet the machine is before a scheduled run measures, in the spirit of
//! pyperf's `system show`: the frequency governor, turbo, the load, the
//! busiest processes, the power source and swap. It only reads `/proc` and
//! `/sys`; it changes nothing (tuning the machine is the user's decision).

use crate::results::{BusyProcess, Environment};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Above this share of all CPUs busy (by other processes), the machine is not quiet.
pub const QUIET_BUSY_PCT: f64 = 10.0;

/// Reads the machine's state, sampling CPU use over `window`.
pub fn check(window: Duration) -> Environment {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let (cpu0, procs0) = (cpu_times(&read("/proc/stat")), process_times());
    std::thread::sleep(window);
    let (cpu1, procs1) = (cpu_times(&read("/proc/stat")), process_times());
    let ticks = ticks_per_second();
    let mut busiest: Vec<BusyProcess> = procs1
        .iter()
        .filter(|(pid, _)| **pid != std::process::id())
        .filter_map(|(pid, (name, t1))| {
            let t0 = procs0.get(pid).map_or(0, |(_, t)| *t);
            let cpu_pct = t1.saturating_sub(t0) as f64 / ticks / window.as_secs_f64() * 100.0;
            (cpu_pct >= 1.0).then(|| BusyProcess {
                pid: *pid,
                name: name.clone(),
                cpu_pct,
            })
        })
        .collect();
    busiest.sort_by(|a, b| b.cpu_pct.total_cmp(&a.cpu_pct));
    busiest.truncate(3);
    let (cpu_busy_pct, steal_pct) = busy_pct(cpu0, cpu1);
    let mut env = Environment {
        governor: first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        turbo: turbo(),
        load_average: load_average(&read("/proc/loadavg")),
        cpu_busy_pct,
        steal_pct,
        busiest,
        on_battery: on_battery(Path::new("/sys/class/power_supply")),
        swap_used_bytes: swap_used(&read("/proc/meminfo")),
        warnings: vec![],
    };
    env.warnings = warnings(
        &env,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    env
}

/// Why the machine is not quiet enough to measure, or None when it is.
pub fn not_quiet(env: &Environment) -> Option<String> {
    if env.cpu_busy_pct <= QUIET_BUSY_PCT {
        return None;
    }
    Some(format!(
        "{:.0} % of the CPUs busy (quiet is ≤ {QUIET_BUSY_PCT:.0} %){}",
        env.cpu_busy_pct,
        busiest(env)
    ))
}

fn busiest(env: &Environment) -> String {
    if env.busiest.is_empty() {
        return String::new();
    }
    let list: Vec<String> = env
        .busiest
        .iter()
        .map(|p| format!("{} (pid {}) {:.0} %", p.name, p.pid, p.cpu_pct))
        .collect();
    format!(", busiest: {}", list.join(", "))
}

/// What may disturb a measurement, in words.
fn warnings(env: &Environment, cpus: usize) -> Vec<String> {
    let mut w = vec![];
    if let Some(g) = env.governor.as_deref().filter(|g| *g != "performance") {
        w.push(format!(
            "CPU frequency governor is `{g}`, not `performance`: clock changes add noise"
        ));
    }
    if env.turbo == Some(true) {
        w.push("turbo/boost is on: the clock depends on temperature and load".into());
    }
    if let Some(reason) = not_quiet(env) {
        w.push(format!("machine busy: {reason}"));
    } else if env.load_average[0] >= cpus as f64 * 0.5 {
        w.push(format!(
            "load average {:.2} on {cpus} CPUs",
            env.load_average[0]
        ));
    }
    if env.steal_pct > 1.0 {
        w.push(format!(
            "the hypervisor took {:.0} % of the CPU time (steal): other guests share this machine",
            env.steal_pct
        ));
    }
    if env.on_battery == Some(true) {
        w.push("on battery: power saving may lower the clock".into());
    }
    if env.swap_used_bytes > 0 {
        w.push(format!(
            "{} MiB of swap in use: memory was short",
            env.swap_used_bytes >> 20
        ));
    }
    w
}

fn first_line(path: &str) -> Option<String> {
    let s = std::fs::read_to_string(path).ok()?;
    Some(s.lines().next()?.trim().to_string())
}

/// intel_pstate says `no_turbo`, acpi-cpufreq and amd-pstate say `boost`.
fn turbo() -> Option<bool> {
    if let Some(v) = first_line("/sys/devices/system/cpu/intel_pstate/no_turbo") {
        return Some(v == "0");
    }
    first_line("/sys/devices/system/cpu/cpufreq/boost").map(|v| v == "1")
}

fn load_average(loadavg: &str) -> [f64; 3] {
    let mut it = loadavg.split_whitespace().map(|f| f.parse().unwrap_or(0.0));
    [(); 3].map(|_| it.next().unwrap_or(0.0))
}

/// The aggregate `cpu` line of /proc/stat: (busy, total, steal) ticks.
fn cpu_times(stat: &str) -> (u64, u64, u64) {
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
        return (0, 0, 0);
    };
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is within user).
    let total: u64 = f.iter().take(8).sum();
    let idle = f.get(3).copied().unwrap_or(0) + f.get(4).copied().unwrap_or(0);
    (total - idle, total, f.get(7).copied().unwrap_or(0))
}

/// The share of the ticks between two samples that were busy, and stolen by
/// the hypervisor, in percent.
fn busy_pct(a: (u64, u64, u64), b: (u64, u64, u64)) -> (f64, f64) {
    let total = b.1.saturating_sub(a.1);
    if total == 0 {
        return (0.0, 0.0);
    }
    let pct = |x: u64, y: u64| y.saturating_sub(x) as f64 / total as f64 * 100.0;
    (pct(a.0, b.0), pct(a.2, b.2))
}

/// pid → (name, utime + stime in ticks) of every readable process.
fn process_times() -> HashMap<u32, (String, u64)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    dir.flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            Some((pid, parse_process_stat(&stat)?))
        })
        .collect()
}

/// `pid (name) state ppid … utime stime …`: the name may hold spaces and parentheses.
fn parse_process_stat(stat: &str) -> Option<(String, u64)> {
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let name = stat.get(open + 1..close)?.to_string();
    let rest: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // After the name: state is field 3; utime and stime are fields 14 and 15.
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// Some(true) when a battery discharges, Some(false) when batteries exist and
/// none does, None without a battery.
fn on_battery(dir: &Path) -> Option<bool> {
    let mut batteries = false;
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let read = |f: &str| std::fs::read_to_string(e.path().join(f)).unwrap_or_default();
        if read("type").trim() == "Battery" {
            batteries = true;
            if read("status").trim() == "Discharging" {
                return Some(true);
            }
        }
    }
    batteries.then_some(false)
}

fn swap_used(meminfo: &str) -> u64 {
    let kib = |key: &str| -> u64 {
        meminfo
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    kib("SwapTotal:").saturating_sub(kib("SwapFree:")) * 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_name_with_spaces_and_parentheses_is_read_whole() {
        let stat = "4242 (Web Content (x)) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 1 0";
        assert_eq!(
            parse_process_stat(stat),
            Some(("Web Content (x)".into(), 200))
        );
    }

    #[test]
    fn cpu_busy_share_counts_iowait_as_idle() {
        let a = cpu_times("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3");
        let b = cpu_times("cpu  200 0 200 1200 300 0 0 100 0 0\n");
        assert_eq!(a, (200, 1000, 0));
        let (busy, steal) = busy_pct(a, b);
        assert!((busy - 30.0).abs() < 1e-9, "{busy}");
        assert!((steal - 10.0).abs() < 1e-9, "{steal}");
        assert_eq!(busy_pct(a, a), (0.0, 0.0));
    }

    #[test]
    fn swap_in_use_is_total_minus_free() {
        let m = "MemTotal: 100 kB\nSwapTotal:      2048 kB\nSwapFree:       1024 kB\n";
        assert_eq!(swap_used(m), 1024 * 1024);
        assert_eq!(swap_used("MemTotal: 1 kB\n"), 0);
    }

    #[test]
    fn a_discharging_battery_is_seen_and_mains_power_is_not() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(on_battery(dir.path()), None);
        let ac = dir.path().join("AC");
        std::fs::create_dir(&ac).unwrap();
        std::fs::write(ac.join("type"), "Mains\n").unwrap();
        let bat = dir.path().join("BAT0");
        std::fs::create_dir(&bat).unwrap();
        std::fs::write(bat.join("type"), "Battery\n").unwrap();
        std::fs::write(bat.join("status"), "Charging\n").unwrap();
        assert_eq!(on_battery(dir.path()), Some(false));
        std::fs::write(bat.join("status"), "Discharging\n").unwrap();
        assert_eq!(on_battery(dir.path()), Some(true));
    }

    #[test]
    fn a_busy_machine_is_not_quiet_and_names_its_busiest_process() {
        let mut env = Environment {
            governor: Some("powersave".into()),
            load_average: [0.1, 0.1, 0.1],
            cpu_busy_pct: 55.0,
            busiest: vec![BusyProcess {
                pid: 7,
                name: "cc1".into(),
                cpu_pct: 98.0,
            }],
            ..Default::default()
        };
        let reason = not_quiet(&env).unwrap();
        assert!(reason.contains("cc1 (pid 7) 98 %"), "{reason}");
        let w = warnings(&env, 2);
        assert!(w.iter().any(|w| w.contains("powersave")), "{w:?}");
        assert!(w.iter().any(|w| w.contains("machine busy")), "{w:?}");
        env.cpu_busy_pct = 3.0;
        env.governor = Some("performance".into());
        assert_eq!(not_quiet(&env), None);
        assert!(warnings(&env, 2).is_empty());
    }

    #[test]
    fn the_load_average_has_three_figures() {
        assert_eq!(load_average("0.52 1.10 2.00 1/300 42\n"), [0.52, 1.1, 2.0]);
        assert_eq!(load_average(""), [0.0; 3]);
    }
}
