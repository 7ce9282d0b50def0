//! Where a failed run's picture goes: `WINSOCK_SIM_PICTURE_DIR` names the directory, `off`
//! writes none, and a directory that cannot be written is reported in the error text without
//! changing the run's result. (One test in this binary: it sets the variable for the whole
//! process.)
use std::path::PathBuf;

use winsock_sim::prelude::*;
use winsock_sim::sim::{PictureFile, Sim, SimError, SimErrorKind, PICTURE_DIR_ENV};

/// A run whose only thread fails at once.
fn failing() -> SimError {
    let mut sim = Sim::builder().seed(4).build();
    sim.host("h", "192.0.2.1").spawn("t", |ws| {
        ws.wsa_startup(WINSOCK_VERSION_2_2)?;
        Err(WsaError::WSAENOBUFS)
    });
    sim.run().expect_err("fails on purpose")
}

#[test]
fn picture_dir_is_chosen_by_the_environment_and_never_fails_the_run() {
    // Proves: with WINSOCK_SIM_PICTURE_DIR set the picture is written there (and named in
    // the error text); set to a path that cannot be a directory, the error says "picture not
    // written" with the reason and is otherwise the same failure; set to `off`, no file.
    let scratch = std::env::temp_dir().join(format!("winsock-sim-picture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();

    let dir = scratch.join("pictures");
    std::env::set_var(PICTURE_DIR_ENV, &dir);
    let err = failing();
    let expected: PathBuf =
        dir.join("picture_dir_is_chosen_by_the_environment_and_never_fails_the_run-seed4.html");
    assert_eq!(err.picture.file, PictureFile::Written(expected.clone()));
    assert!(err.to_string().contains(&expected.display().to_string()));
    assert!(std::fs::read_to_string(&expected)
        .unwrap()
        .contains("WSAENOBUFS"));

    // A regular file where the directory should be: not writable, even for root.
    let blocker = scratch.join("a-file");
    std::fs::write(&blocker, b"not a directory").unwrap();
    std::env::set_var(PICTURE_DIR_ENV, blocker.join("sub"));
    let unwritable = failing();
    std::env::set_var(PICTURE_DIR_ENV, "off");
    let off = failing();
    std::env::remove_var(PICTURE_DIR_ENV);

    let PictureFile::NotWritten(why) = &unwritable.picture.file else {
        panic!("written: {:?}", unwritable.picture.file);
    };
    assert!(why.contains("a-file"), "{why}");
    let text = unwritable.to_string();
    assert!(text.contains("picture not written: "), "{text}");
    assert_eq!(
        (unwritable.kind, unwritable.trace_hash),
        (SimErrorKind::ThreadFailed, err.trace_hash)
    );
    assert_eq!(
        off.picture.file,
        PictureFile::NotWritten(format!("{PICTURE_DIR_ENV}=off"))
    );
    assert!(off
        .to_string()
        .contains("picture not written: WINSOCK_SIM_PICTURE_DIR=off"));
    std::fs::remove_dir_all(&scratch).unwrap();
}
