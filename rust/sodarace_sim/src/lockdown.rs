//! Irreversible process lockdown for the workers that interpret untrusted
//! genomes: resource limits, `no_new_privs` and a seccomp-BPF filter.
//!
//! A worker imports everything it needs, calls [`lockdown`] once, and from
//! then on can only compute, move memory around and talk over the pipes it
//! already holds. The aim is that a bug in the genome interpreter still
//! cannot reach the host: no new files, processes, sockets or programs, no
//! tracing or signalling of other processes.
//!
//! The filter is stacked from three seccomp programs, because one
//! `seccompiler` program has a single action for all of its rules:
//!
//! 1. **kill list** (`SECCOMP_RET_KILL_PROCESS`): syscalls only an attacker
//!    makes (exec, process creation, sockets, ptrace, signals to other
//!    processes, io_uring, bpf, mount, module loading...). The worker dies
//!    with SIGSYS and the pool records the genome as `crashed`.
//! 2. **clone3** → `ENOSYS`, so that libc falls back to `clone`, whose flags
//!    the kill list can inspect (clone3 passes them in memory).
//! 3. **allowlist**: what a locked-down worker needs; everything else,
//!    including every way to open, create, rename or delete a file, fails
//!    with `EPERM`. An allowlist also covers syscalls nobody thought to deny
//!    and the x32 ABI numbers (bit 30 set), which share x86-64's audit arch.
//!
//! The kernel runs every stacked program and applies the most severe answer;
//! among equally severe `ERRNO` answers the newest program wins, which is why
//! clone3 is *allowed* by the allowlist and left to program 2 to refuse.

use std::fmt;
use std::io;

/// Default RLIMIT_AS: room for CPython, the extension and the interpreter's
/// own heap cap with a wide margin, far below what a runaway could take.
pub const DEFAULT_MAX_ADDRESS_SPACE_BYTES: u64 = 1 << 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockdownConfig {
    /// RLIMIT_AS (soft and hard): total virtual address space, bytes.
    pub max_address_space_bytes: u64,
}

impl Default for LockdownConfig {
    fn default() -> Self {
        LockdownConfig {
            max_address_space_bytes: DEFAULT_MAX_ADDRESS_SPACE_BYTES,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum LockdownError {
    /// The kernel (or a container runtime above it) refuses seccomp filters
    /// or no_new_privs, or this architecture has no filter here.
    Unavailable(String),
    /// Lockdown was possible but a step failed; the process is in an unknown
    /// state and must not run genomes.
    Failed(String),
}

impl fmt::Display for LockdownError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockdownError::Unavailable(m) => write!(f, "seccomp lockdown unavailable: {m}"),
            LockdownError::Failed(m) => write!(f, "lockdown failed: {m}"),
        }
    }
}

impl std::error::Error for LockdownError {}

/// One resource limit as the kernel reports it (`u64::MAX` = unlimited).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub soft: u64,
    pub hard: u64,
}

/// What the kernel says about this process right now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockdownStatus {
    /// 0 off, 1 strict, 2 filter (what `/proc/self/status` calls `Seccomp:`).
    pub seccomp_mode: i32,
    pub no_new_privs: bool,
    pub limits: Vec<Limit>,
}

/// The limits lockdown sets, with the value each gets (`None`: from config).
/// NOFILE 0 means no new descriptor of any kind; FSIZE 0 means no growing a
/// regular file even through a descriptor that was already open; NPROC 0
/// backs up the seccomp ban on new processes and threads (the kernel ignores
/// it for root, seccomp does not).
const LOCKED_LIMITS: &[(&str, Resource, Option<u64>)] = &[
    ("as", libc::RLIMIT_AS, None),
    ("nofile", libc::RLIMIT_NOFILE, Some(0)),
    ("fsize", libc::RLIMIT_FSIZE, Some(0)),
    ("core", libc::RLIMIT_CORE, Some(0)),
    ("nproc", libc::RLIMIT_NPROC, Some(0)),
    ("memlock", libc::RLIMIT_MEMLOCK, Some(0)),
    ("msgqueue", libc::RLIMIT_MSGQUEUE, Some(0)),
];

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

/// Locks the calling process down for good; see the module docs. Call it
/// after every import and file the process will ever need. All threads get
/// the filter (TSYNC), but new threads cannot be created afterwards.
pub fn lockdown(config: &LockdownConfig) -> Result<(), LockdownError> {
    // Build the programs first: if the architecture is unsupported nothing
    // has been changed yet.
    let programs = filter::programs(std::process::id())?;
    for &(name, resource, value) in LOCKED_LIMITS {
        let value = value.unwrap_or(config.max_address_space_bytes);
        set_limit(resource, value)
            .map_err(|e| LockdownError::Failed(format!("setrlimit({name}, {value}): {e}")))?;
    }
    for program in &programs {
        seccompiler::apply_filter_all_threads(program).map_err(|e| match e {
            // EINVAL/ENOSYS/EACCES here mean the kernel or a container
            // runtime refuses filters: the caller decides whether to go on.
            seccompiler::Error::Prctl(_) | seccompiler::Error::Seccomp(_) => {
                LockdownError::Unavailable(e.to_string())
            }
            other => LockdownError::Failed(other.to_string()),
        })?;
    }
    Ok(())
}

/// Reads the seccomp mode, no_new_privs and the limits lockdown sets. Uses
/// only syscalls the filter allows, so it works before and after lockdown.
pub fn status() -> LockdownStatus {
    // SAFETY: these prctl options take no pointers.
    let seccomp_mode = unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) };
    let no_new_privs = unsafe { libc::prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) } == 1;
    let limits = LOCKED_LIMITS
        .iter()
        .map(|&(name, resource, _)| {
            let (soft, hard) = get_limit(resource).unwrap_or((0, 0));
            Limit { name, soft, hard }
        })
        .collect();
    LockdownStatus {
        seccomp_mode,
        no_new_privs,
        limits,
    }
}

fn set_limit(resource: Resource, value: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: `limit` is a valid rlimit for the duration of the call.
    if unsafe { libc::setrlimit(resource, &limit) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn get_limit(resource: Resource) -> io::Result<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is writable for the duration of the call.
    if unsafe { libc::getrlimit(resource, &mut limit) } == 0 {
        Ok((limit.rlim_cur, limit.rlim_max))
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod filter {
    use super::LockdownError;
    use seccompiler::{
        BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
        SeccompRule, TargetArch,
    };
    use std::collections::BTreeMap;

    #[cfg(target_arch = "x86_64")]
    const ARCH: TargetArch = TargetArch::x86_64;
    #[cfg(target_arch = "aarch64")]
    const ARCH: TargetArch = TargetArch::aarch64;

    /// Syscalls only an attacker makes: the process dies on the spot.
    const KILL: &[i64] = &[
        libc::SYS_execve,
        libc::SYS_execveat,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_fork,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_vfork,
        libc::SYS_socket,
        libc::SYS_socketpair,
        libc::SYS_connect,
        libc::SYS_bind,
        libc::SYS_listen,
        libc::SYS_accept,
        libc::SYS_accept4,
        libc::SYS_ptrace,
        libc::SYS_process_vm_readv,
        libc::SYS_process_vm_writev,
        libc::SYS_pidfd_open,
        libc::SYS_pidfd_getfd,
        libc::SYS_pidfd_send_signal,
        libc::SYS_io_uring_setup,
        libc::SYS_io_uring_enter,
        libc::SYS_io_uring_register,
        libc::SYS_bpf,
        libc::SYS_perf_event_open,
        libc::SYS_userfaultfd,
        libc::SYS_mount,
        libc::SYS_umount2,
        libc::SYS_pivot_root,
        libc::SYS_chroot,
        libc::SYS_setns,
        libc::SYS_unshare,
        libc::SYS_kexec_load,
        libc::SYS_kexec_file_load,
        libc::SYS_init_module,
        libc::SYS_finit_module,
        libc::SYS_delete_module,
        libc::SYS_open_by_handle_at,
        libc::SYS_keyctl,
        libc::SYS_add_key,
        libc::SYS_request_key,
    ];

    /// Syscalls a locked-down worker makes with any arguments: pipe I/O on
    /// descriptors it already holds, memory management, signals to itself,
    /// clocks and exit. clone3 is here only so that program 2 decides it.
    const ALLOW: &[i64] = &[
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_readv,
        libc::SYS_writev,
        libc::SYS_pread64,
        libc::SYS_lseek,
        libc::SYS_close,
        libc::SYS_fstat,
        libc::SYS_fcntl,
        libc::SYS_mmap,
        libc::SYS_munmap,
        libc::SYS_mremap,
        libc::SYS_mprotect,
        libc::SYS_brk,
        libc::SYS_madvise,
        libc::SYS_futex,
        libc::SYS_rt_sigaction,
        libc::SYS_rt_sigprocmask,
        libc::SYS_rt_sigreturn,
        libc::SYS_sigaltstack,
        libc::SYS_sched_yield,
        libc::SYS_sched_getaffinity,
        libc::SYS_getpid,
        libc::SYS_gettid,
        libc::SYS_getppid,
        libc::SYS_getuid,
        libc::SYS_geteuid,
        libc::SYS_getgid,
        libc::SYS_getegid,
        libc::SYS_clock_gettime,
        libc::SYS_clock_getres,
        libc::SYS_clock_nanosleep,
        libc::SYS_gettimeofday,
        libc::SYS_nanosleep,
        libc::SYS_getrandom,
        libc::SYS_restart_syscall,
        libc::SYS_exit,
        libc::SYS_exit_group,
        libc::SYS_clone3,
        #[cfg(target_arch = "x86_64")]
        libc::SYS_getrlimit,
    ];

    fn condition(arg: u8, op: SeccompCmpOp, value: u64) -> SeccompCondition {
        SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value)
            .expect("argument index is below 6")
    }

    fn rule(conditions: Vec<SeccompCondition>) -> SeccompRule {
        SeccompRule::new(conditions).expect("rules have at least one condition")
    }

    fn compile(
        rules: BTreeMap<i64, Vec<SeccompRule>>,
        mismatch: SeccompAction,
        matched: SeccompAction,
    ) -> Result<BpfProgram, LockdownError> {
        SeccompFilter::new(rules, mismatch, matched, ARCH)
            .and_then(BpfProgram::try_from)
            .map_err(|e| LockdownError::Failed(format!("building the seccomp filter: {e}")))
    }

    /// The three programs in installation order. `pid` is the process being
    /// locked down: signals to it (abort, Python's own signal handling) are
    /// allowed, signals to anything else kill it.
    pub fn programs(pid: u32) -> Result<Vec<BpfProgram>, LockdownError> {
        let pid = u64::from(pid);
        let signal_calls = [libc::SYS_kill, libc::SYS_tkill, libc::SYS_tgkill];

        let mut kill: BTreeMap<i64, Vec<SeccompRule>> =
            KILL.iter().map(|&nr| (nr, Vec::new())).collect();
        // A clone without CLONE_THREAD makes a process (fork, vfork,
        // posix_spawn's fallback); with it, the allowlist answers EPERM.
        let clone_thread = u64::from(libc::CLONE_THREAD as u32);
        kill.insert(
            libc::SYS_clone,
            vec![rule(vec![condition(
                0,
                SeccompCmpOp::MaskedEq(clone_thread),
                0,
            )])],
        );
        for nr in signal_calls {
            kill.insert(nr, vec![rule(vec![condition(0, SeccompCmpOp::Ne, pid)])]);
        }

        let clone3 = BTreeMap::from([(libc::SYS_clone3, Vec::new())]);

        let mut allow: BTreeMap<i64, Vec<SeccompRule>> =
            ALLOW.iter().map(|&nr| (nr, Vec::new())).collect();
        for nr in signal_calls {
            allow.insert(nr, vec![rule(vec![condition(0, SeccompCmpOp::Eq, pid)])]);
        }
        // Only the getters: a worker must not raise its own limits back (root
        // could), and must not rename itself or change dumpability.
        allow.insert(
            libc::SYS_prlimit64,
            vec![rule(vec![SeccompCondition::new(
                2,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::Eq,
                0,
            )
            .expect("argument index is below 6")])],
        );
        allow.insert(
            libc::SYS_prctl,
            [libc::PR_GET_SECCOMP, libc::PR_GET_NO_NEW_PRIVS]
                .iter()
                .map(|&option| rule(vec![condition(0, SeccompCmpOp::Eq, option as u64)]))
                .collect(),
        );
        // isatty() on the pipes; nothing else reaches a device.
        allow.insert(
            libc::SYS_ioctl,
            vec![rule(vec![condition(1, SeccompCmpOp::Eq, libc::TCGETS)])],
        );

        Ok(vec![
            compile(kill, SeccompAction::Allow, SeccompAction::KillProcess)?,
            compile(
                clone3,
                SeccompAction::Allow,
                SeccompAction::Errno(libc::ENOSYS as u32),
            )?,
            compile(
                allow,
                SeccompAction::Errno(libc::EPERM as u32),
                SeccompAction::Allow,
            )?,
        ])
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod filter {
    use super::LockdownError;

    pub fn programs(_pid: u32) -> Result<Vec<seccompiler::BpfProgram>, LockdownError> {
        Err(LockdownError::Unavailable(format!(
            "no seccomp filter for {}",
            std::env::consts::ARCH
        )))
    }
}

#[cfg(test)]
mod tests {
    //! Lockdown is irreversible, so every test runs it in a forked child and
    //! reads the child's findings back through a pipe and its exit status.
    use super::*;

    /// What a syscall did inside the locked-down child.
    #[derive(Debug, PartialEq, Eq)]
    enum Outcome {
        Ok,
        Errno(i32),
        /// The child died from this signal before reporting.
        Killed(i32),
    }

    /// Forks; the child locks down, runs `attempt` and reports its return
    /// value (>= 0 success, otherwise -errno). Lockdown failure is reported as
    /// an unavailable kernel so that the caller can tell it apart.
    fn in_locked_child(attempt: impl FnOnce() -> i64) -> Result<Outcome, LockdownError> {
        let mut fds = [0; 2];
        // SAFETY: plain pipe/fork/waitpid; the child only runs `attempt`,
        // writes 8 bytes and _exits, never returning into the test harness.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let pid = libc::fork();
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                libc::close(fds[0]);
                let code = match lockdown(&LockdownConfig::default()) {
                    Ok(()) => {
                        let value = attempt();
                        libc::write(fds[1], (&value as *const i64).cast(), 8);
                        0
                    }
                    Err(LockdownError::Unavailable(_)) => 3,
                    Err(LockdownError::Failed(_)) => 4,
                };
                libc::_exit(code);
            }
            libc::close(fds[1]);
            let mut value: i64 = 0;
            let n = libc::read(fds[0], (&mut value as *mut i64).cast(), 8);
            libc::close(fds[0]);
            let mut wstatus = 0;
            assert_eq!(libc::waitpid(pid, &mut wstatus, 0), pid);
            if libc::WIFSIGNALED(wstatus) {
                return Ok(Outcome::Killed(libc::WTERMSIG(wstatus)));
            }
            match libc::WEXITSTATUS(wstatus) {
                3 => return Err(LockdownError::Unavailable("kernel refused".into())),
                4 => return Err(LockdownError::Failed("see child".into())),
                _ => {}
            }
            assert_eq!(n, 8, "child exited without reporting");
            Ok(if value >= 0 {
                Outcome::Ok
            } else {
                Outcome::Errno((-value) as i32)
            })
        }
    }

    fn errno_of(ret: i64) -> i64 {
        if ret < 0 {
            -i64::from(io::Error::last_os_error().raw_os_error().unwrap_or(0))
        } else {
            ret
        }
    }

    /// Runs `attempt` locked down; None (test passes vacuously, loudly) only
    /// where the kernel refuses seccomp altogether.
    fn locked(attempt: impl FnOnce() -> i64) -> Option<Outcome> {
        match in_locked_child(attempt) {
            Ok(outcome) => Some(outcome),
            Err(LockdownError::Unavailable(m)) => {
                eprintln!("skipping: seccomp unavailable on this kernel ({m})");
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    fn expect(attempt: impl FnOnce() -> i64, expected: Outcome) {
        if let Some(outcome) = locked(attempt) {
            assert_eq!(outcome, expected);
        }
    }

    #[test]
    fn status_reports_filter_mode_and_limits() {
        let report = || {
            let s = status();
            let nofile = s.limits.iter().find(|l| l.name == "nofile").unwrap();
            let as_limit = s.limits.iter().find(|l| l.name == "as").unwrap();
            let ok = s.seccomp_mode == 2
                && s.no_new_privs
                && nofile.soft == 0
                && nofile.hard == 0
                && as_limit.hard == DEFAULT_MAX_ADDRESS_SPACE_BYTES;
            if ok {
                0
            } else {
                -1
            }
        };
        expect(report, Outcome::Ok);
        assert_eq!(
            status().seccomp_mode,
            0,
            "the test process itself stays unfiltered"
        );
    }

    #[test]
    fn memory_and_clocks_still_work() {
        // Every report already travels through a pipe opened before
        // lockdown, so pipe I/O is exercised by each test.
        let work = || unsafe {
            let size = 8 << 20;
            let page = libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if page == libc::MAP_FAILED {
                return errno_of(-1);
            }
            page.cast::<u8>().write_bytes(1, size);
            let heap: Vec<u64> = (0..1_000_000).collect();
            let mut ts = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            if libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) != 0 {
                return errno_of(-1);
            }
            if std::hint::black_box(heap).iter().sum::<u64>() != 499_999_500_000 {
                return -1;
            }
            errno_of(libc::munmap(page, size) as i64)
        };
        expect(work, Outcome::Ok);
    }

    #[test]
    fn file_opens_and_creation_are_refused_with_eperm() {
        expect(
            || unsafe { errno_of(libc::open(c"/etc/hostname".as_ptr(), libc::O_RDONLY) as i64) },
            Outcome::Errno(libc::EPERM),
        );
        expect(
            || unsafe {
                errno_of(libc::syscall(
                    libc::SYS_openat,
                    libc::AT_FDCWD,
                    c"/tmp/openelm-lockdown-test".as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY,
                    0o600,
                ))
            },
            Outcome::Errno(libc::EPERM),
        );
        expect(
            || unsafe {
                errno_of(libc::mkdir(c"/tmp/openelm-lockdown-dir".as_ptr(), 0o700) as i64)
            },
            Outcome::Errno(libc::EPERM),
        );
        expect(
            || unsafe { errno_of(libc::unlink(c"/tmp/openelm-lockdown-test".as_ptr()) as i64) },
            Outcome::Errno(libc::EPERM),
        );
    }

    #[test]
    fn new_descriptors_are_refused() {
        // pipe2 is outside the allowlist, and NOFILE 0 would stop it anyway.
        expect(
            || unsafe {
                let mut fds = [0; 2];
                errno_of(libc::pipe2(fds.as_mut_ptr(), 0) as i64)
            },
            Outcome::Errno(libc::EPERM),
        );
        expect(
            || unsafe { errno_of(libc::dup(1) as i64) },
            Outcome::Errno(libc::EPERM),
        );
    }

    #[test]
    fn exec_socket_fork_and_ptrace_kill_the_process() {
        let attempts: [fn() -> i64; 5] = [
            || unsafe {
                let argv = [c"/bin/true".as_ptr(), std::ptr::null()];
                let envp = [std::ptr::null()];
                errno_of(libc::execve(c"/bin/true".as_ptr(), argv.as_ptr(), envp.as_ptr()) as i64)
            },
            || unsafe { errno_of(libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0) as i64) },
            || unsafe {
                let mut fds = [0; 2];
                errno_of(
                    libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) as i64,
                )
            },
            // glibc's fork() goes straight to clone without CLONE_THREAD.
            || unsafe { errno_of(libc::fork() as i64) },
            || unsafe { errno_of(libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0)) },
        ];
        for attempt in attempts {
            expect(attempt, Outcome::Killed(libc::SIGSYS));
        }
    }

    #[test]
    fn signals_reach_only_the_worker_itself() {
        // Signal 0 probes without delivering; to ourselves it is allowed.
        expect(
            || unsafe { errno_of(libc::kill(libc::getpid(), 0) as i64) },
            Outcome::Ok,
        );
        expect(
            || unsafe { errno_of(libc::kill(libc::getppid(), 0) as i64) },
            Outcome::Killed(libc::SIGSYS),
        );
        expect(
            || unsafe { errno_of(libc::kill(-1, 0) as i64) },
            Outcome::Killed(libc::SIGSYS),
        );
    }

    #[test]
    fn threads_are_refused_and_clone3_reports_enosys() {
        expect(
            || unsafe {
                errno_of(libc::syscall(
                    libc::SYS_clone3,
                    std::ptr::null::<u8>(),
                    0usize,
                ))
            },
            Outcome::Errno(libc::ENOSYS),
        );
        expect(
            || match std::thread::Builder::new().spawn(|| ()) {
                Ok(handle) => {
                    let _ = handle.join();
                    0
                }
                Err(e) => -i64::from(e.raw_os_error().unwrap_or(0)),
            },
            Outcome::Errno(libc::EPERM),
        );
    }

    #[test]
    fn limits_cannot_be_raised_back() {
        expect(
            || unsafe {
                let limit = libc::rlimit {
                    rlim_cur: 1024,
                    rlim_max: 1024,
                };
                errno_of(libc::setrlimit(libc::RLIMIT_NOFILE, &limit) as i64)
            },
            Outcome::Errno(libc::EPERM),
        );
    }

    #[test]
    fn address_space_cap_refuses_a_huge_mapping() {
        expect(
            || unsafe {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    4 << 30,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                );
                if p == libc::MAP_FAILED {
                    errno_of(-1)
                } else {
                    0
                }
            },
            Outcome::Errno(libc::ENOMEM),
        );
    }

    #[test]
    fn every_program_compiles_for_this_architecture() {
        let programs = filter::programs(1234).expect("filters build");
        assert_eq!(programs.len(), 3);
        assert!(programs.iter().all(|p| !p.is_empty() && p.len() < 4096));
    }
}
