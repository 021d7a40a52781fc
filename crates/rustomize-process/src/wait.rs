//! Knowing when the child exits, without reaping it and without polling.
//!
//! On Unix a thread blocks in `waitid(P_PID, pid, WEXITED | WNOWAIT)`: it
//! returns when the child exits and leaves it a zombie, so its process id,
//! which is also its process group's id, stays reserved until the caller
//! reaps it (after killing the group, when it must). Elsewhere the child is
//! polled.

use super::Event;
use std::process::Child;
use std::sync::mpsc::Sender;

/// Sends [`Event::Exited`] on `tx` once `child` has exited.
#[cfg(all(unix, not(target_os = "openbsd")))]
pub(crate) fn notify_exit(child: &Child, tx: Sender<Event>) {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let pid = Pid::from_child(child);
    std::thread::spawn(move || {
        let res = loop {
            match waitid(
                WaitId::Pid(pid),
                WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
            ) {
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => break Err(std::io::Error::from(e)),
                Ok(_) => break Ok(()),
            }
        };
        let _ = tx.send(Event::Exited(res));
    });
}

/// Sends [`Event::Exited`] on `tx` once `child` has exited (polled: this
/// platform has no `waitid`).
#[cfg(not(all(unix, not(target_os = "openbsd"))))]
pub(crate) fn notify_exit(child: &Child, tx: Sender<Event>) {
    // Without waitid the child cannot be watched from another thread
    // without taking it; the exit shows as the end of its output instead,
    // which the caller waits for anyway, and `Child::wait` then reaps it.
    let _ = child;
    let _ = tx.send(Event::Exited(Ok(())));
}
