//! A progress line on stderr for the demo's long phases: `label: n/total`,
//! rewritten in place, ended with a newline when the phase is done.

use std::io::Write;
use std::time::Instant;

/// One phase's progress.
pub struct Progress {
    label: &'static str,
    total: usize,
    done: usize,
    started: Instant,
    shown: Instant,
}

impl Progress {
    /// Starts a phase of `total` steps.
    pub fn new(label: &'static str, total: usize) -> Self {
        let now = Instant::now();
        Progress {
            label,
            total,
            done: 0,
            started: now,
            shown: now,
        }
    }

    /// One step done; the line is redrawn at most ten times a second.
    pub fn tick(&mut self) {
        self.done += 1;
        if self.shown.elapsed().as_millis() >= 100 {
            self.shown = Instant::now();
            self.draw("");
        }
    }

    /// The phase is over.
    pub fn done(&mut self) {
        self.draw("\n");
    }

    fn draw(&self, end: &str) {
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r  {}: {}/{} ({:.1} s){end}",
            self.label,
            self.done,
            self.total.max(self.done),
            self.started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }
}

/// A one-line note on stderr.
pub fn note(text: &str) {
    eprintln!("{text}");
}
