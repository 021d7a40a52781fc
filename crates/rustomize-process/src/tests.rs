use super::*;

fn sh(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]);
    cmd
}

fn limits(timeout_ms: u64) -> Limits {
    Limits {
        timeout: Some(Duration::from_millis(timeout_ms)),
        ..Limits::default()
    }
}

#[test]
fn captures_both_streams_and_the_status() {
    let done = run(
        sh("cat; echo err >&2; exit 3"),
        Input::Bytes(b"in".to_vec()),
        &limits(60_000),
    )
    .unwrap();
    assert_eq!(done.stdout, b"in");
    assert_eq!(done.stderr, b"err\n");
    assert_eq!(describe_status(done.status), "exit status 3");
}

#[test]
fn no_input_is_end_of_file() {
    let done = run(sh("wc -c"), Input::None, &limits(60_000)).unwrap();
    assert_eq!(String::from_utf8_lossy(&done.stdout).trim(), "0");
}

#[test]
fn a_program_that_ignores_its_input_does_not_block() {
    let input = vec![b'x'; 8 << 20];
    let done = run(sh("exit 0"), Input::Bytes(input), &limits(60_000)).unwrap();
    assert!(done.status.success());
}

/// The program and what it started die at the deadline: the background
/// `sleep` holds stderr open, so the "started" line only arrives once the
/// whole group is killed.
#[test]
fn the_deadline_kills_the_process_group() {
    let err = run(
        sh("echo started >&2; sleep 1000 & wait"),
        Input::None,
        &limits(300),
    )
    .unwrap_err();
    match err {
        RunError::TimedOut { after, stderr } => {
            assert_eq!(after, Duration::from_millis(300));
            assert_eq!(stderr, b"started\n");
        }
        other => panic!("{other:?}"),
    }
}

/// A program that exits but leaves a child holding its output open also
/// ends at the deadline.
#[test]
fn a_grandchild_holding_the_output_is_killed_too() {
    let err = run(sh("sleep 1000 & exit 0"), Input::None, &limits(300)).unwrap_err();
    assert!(matches!(err, RunError::TimedOut { .. }), "{err:?}");
}

#[test]
fn output_is_bounded() {
    let limits = Limits {
        timeout: Some(Duration::from_secs(60)),
        max_output: 1000,
    };
    let err = run(sh("yes"), Input::None, &limits).unwrap_err();
    assert!(
        matches!(err, RunError::OutputTooLarge { limit: 1000 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "printed more than 1000 bytes and was killed"
    );
}

#[test]
fn missing_and_unexecutable_programs() {
    let err = run(
        Command::new("/nonexistent/program"),
        Input::None,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(err, RunError::NotFound), "{err:?}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prog");
    std::fs::write(&path, "#!/bin/sh\necho hi\n").unwrap();
    let err = run(Command::new(&path), Input::None, &Limits::default()).unwrap_err();
    assert!(matches!(err, RunError::NotExecutable), "{err:?}");
}

#[test]
fn messages() {
    assert_eq!(show_duration(Duration::from_secs(90)), "90s");
    assert_eq!(show_duration(Duration::from_millis(1500)), "1.5s");
    assert_eq!(show_duration(Duration::from_millis(250)), "250ms");
    assert_eq!(stderr_excerpt(b"  x \n"), "x");
    let long = vec![b'a'; 5000];
    assert_eq!(stderr_excerpt(&long).len(), 4003);
}
