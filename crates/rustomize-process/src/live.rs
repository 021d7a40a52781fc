//! The programs running now, by process id (which is also their process
//! group's id), so a signal handler can kill them all.
//!
//! An id is forgotten before its process is reaped: until then it cannot
//! be reused, so killing its group never reaches another program.

use std::collections::HashSet;
use std::process::{Child, Command};
use std::sync::{Mutex, Once, OnceLock};

static RUNNING: Mutex<Option<HashSet<u32>>> = Mutex::new(None);

/// What runs once before the first program starts (see
/// [`crate::on_first_spawn`]).
static FIRST_SPAWN_HOOK: OnceLock<fn()> = OnceLock::new();
static FIRST_SPAWN: Once = Once::new();

/// Sets the hook; the first call wins.
pub(crate) fn set_first_spawn_hook(hook: fn()) {
    let _ = FIRST_SPAWN_HOOK.set(hook);
}

fn with<T>(f: impl FnOnce(&mut HashSet<u32>) -> T) -> T {
    let mut guard = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(HashSet::new))
}

/// A registered child; forgotten on drop (when [`forget`] was not called
/// before reaping, on an early return).
pub(crate) struct Running(u32);

impl Running {
    /// Spawns `cmd` and registers it in one step, holding the registry's
    /// lock: a signal handler killing everything waits for the spawn to be
    /// registered, so no program started just before the signal escapes.
    pub(crate) fn spawn(cmd: &mut Command) -> std::io::Result<(Child, Running)> {
        FIRST_SPAWN.call_once(|| {
            if let Some(hook) = FIRST_SPAWN_HOOK.get() {
                hook();
            }
        });
        with(|set| {
            let child = cmd.spawn()?;
            set.insert(child.id());
            let id = child.id();
            Ok((child, Running(id)))
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        with(|set| set.remove(&self.0));
    }
}

/// Forgets `child`: called right before it is reaped.
pub(crate) fn forget(child: &Child) {
    with(|set| set.remove(&child.id()));
}

/// Kills the process group of every running program.
pub(crate) fn kill_all() {
    with(|set| {
        for &id in set.iter() {
            #[cfg(unix)]
            if let Some(pid) = rustix::process::Pid::from_raw(id as i32) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            }
            #[cfg(not(unix))]
            let _ = id;
        }
    });
}
