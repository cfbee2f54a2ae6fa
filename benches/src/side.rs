//! The implementations compared: aplay, the raw tokio baseline, and the peer frameworks.

/// Which implementation a measurement runs on: one column of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Side {
    Aplay,
    /// aplay's counter with an `on_start` hook: spawn and stop only (the other scenarios are
    /// the same as aplay's).
    AplayHook,
    Raw,
    Kameo,
    Ractor,
    Actix,
    Xtra,
}

impl Side {
    /// Every side, in the order of the table's columns.
    pub(crate) const ALL: [Side; 7] = [
        Side::Aplay,
        Side::AplayHook,
        Side::Raw,
        Side::Kameo,
        Side::Ractor,
        Side::Actix,
        Side::Xtra,
    ];

    /// One of the peer frameworks (not aplay, not the baseline).
    pub(crate) fn is_peer(self) -> bool {
        !matches!(self, Side::Aplay | Side::AplayHook | Side::Raw)
    }

    /// The name used by `--side` and as the column title.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Side::Aplay => "aplay",
            Side::AplayHook => "aplay-hook",
            Side::Raw => "raw",
            Side::Kameo => "kameo",
            Side::Ractor => "ractor",
            Side::Actix => "actix",
            Side::Xtra => "xtra",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Side> {
        Side::ALL.into_iter().find(|side| side.name() == name)
    }

    /// The crate and version measured, e.g. `kameo 0.22.2` (versions from `Cargo.lock`).
    pub(crate) fn version(self) -> String {
        match self {
            Side::Aplay => format!("aplay {}", env!("CARGO_PKG_VERSION")),
            Side::AplayHook => format!(
                "aplay-hook (aplay {}, the counter with an `on_start` hook)",
                env!("CARGO_PKG_VERSION")
            ),
            Side::Raw => format!("raw tokio {} (mpsc + oneshot)", env!("BENCH_VERSION_TOKIO")),
            Side::Kameo => format!("kameo {}", env!("BENCH_VERSION_KAMEO")),
            Side::Ractor => format!("ractor {}", env!("BENCH_VERSION_RACTOR")),
            Side::Actix => format!(
                "actix {} on actix-rt {}",
                env!("BENCH_VERSION_ACTIX"),
                env!("BENCH_VERSION_ACTIX_RT"),
            ),
            Side::Xtra => format!("xtra {}", env!("BENCH_VERSION_XTRA")),
        }
    }

    /// How this side is set up: runtime, mailbox, and the calls each scenario makes. Printed
    /// under the table.
    pub(crate) fn setup(self) -> &'static str {
        match self {
            Side::Aplay => crate::scenarios::APLAY_SETUP,
            Side::AplayHook => crate::scenarios::APLAY_HOOK_SETUP,
            Side::Raw => crate::scenarios::RAW_SETUP,
            Side::Kameo => crate::peers::kameo::SETUP,
            Side::Ractor => crate::peers::ractor::SETUP,
            Side::Actix => crate::peers::actix::SETUP,
            Side::Xtra => crate::peers::xtra::SETUP,
        }
    }
}
